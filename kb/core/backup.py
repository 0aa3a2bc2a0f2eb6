"""Backups: the whole database and the data files in one ``.tar.gz``, and restoring one.

The archive holds ``manifest.json`` (format, time, dialect, row count of every table, files), the
database dump under ``database/`` and the data files under ``files/``:

- SQLite: ``database/kb.sqlite3``, a consistent copy made with the sqlite3 backup API (safe while
  the application runs, WAL included);
- any other database (PostgreSQL): ``database/<table>.jsonl``, every row of every table read through
  SQLAlchemy, one JSON object a line (dates as ISO text). No ``pg_dump``, so no server-version
  mismatch, and the dump loads into SQLite as well.

``restore_backup`` loads either kind into an *empty* database in one transaction (tables in
foreign-key order; a document's ``superseded_by_id`` is set once every document is in), resets
PostgreSQL's id sequences, and puts the data files back. The search index is not in the archive:
it is rebuilt from the database after a restore.
"""
from __future__ import annotations

import base64
import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

from sqlalchemy import Date, DateTime, Integer, LargeBinary, Table, create_engine, func, inspect, select, text, update
from sqlalchemy.engine import Engine

from kb.core.db import Base, make_private, register_models
from kb.core.errors import KbError
from kb.core.timestamps import UtcDateTime

FORMAT = 2  # 2: times with their offset (every *_at column aware UTC, revision 0009_i19t)
MANIFEST = "manifest.json"
SQLITE_NAME = "database/kb.sqlite3"
CHUNK = 500


class BackupError(KbError):
    pass


def _tables() -> list[Table]:
    register_models()
    return list(Base.metadata.sorted_tables)


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


# -- values <-> JSON ----------------------------------------------------------------------------

def encode_value(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def decode_value(column, value):
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, DateTime | UtcDateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return dt.date.fromisoformat(value)
    if isinstance(kind, LargeBinary):
        return base64.b64decode(value)
    return value


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {t.name: connection.scalar(select(func.count()).select_from(t)) or 0 for t in _tables()}


# -- writing ------------------------------------------------------------------------------------

def _dump_rows(engine: Engine, table: Table) -> Iterator[dict]:
    with engine.connect() as connection:
        order = list(table.primary_key.columns) or list(table.columns)[:1]
        for row in connection.execute(select(table).order_by(*order)).mappings():
            yield {key: encode_value(value) for key, value in row.items()}


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now().timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def write_backup(engine: Engine, out_path: str | Path, files: Iterable[tuple[str, Path]] = (),
                 dump: str | None = None) -> dict:
    """Write the archive to ``out_path``; ``files`` are (name in the archive, path) of data files.

    ``dump`` is "sqlite" or "jsonl"; by default "sqlite" for a SQLite database, else "jsonl"."""
    dump = dump or ("sqlite" if engine.dialect.name == "sqlite" else "jsonl")
    if dump == "sqlite" and engine.dialect.name != "sqlite":
        raise BackupError("只有 SQLite 数据库可以按文件备份")
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    manifest: dict = {"format": FORMAT, "product": "12366-kb", "created_at": utc_now(),
                      "database": {"dialect": engine.dialect.name, "tables": {}}, "files": []}
    partial = out_path.with_name(out_path.name + ".partial")
    if partial.exists():
        partial.unlink()
    make_private(partial)  # the archive holds callers' identities and password hashes: 0600
    with tempfile.TemporaryDirectory() as work, tarfile.open(partial, "w:gz") as archive:
        if dump == "sqlite":
            copy = Path(work) / "kb.sqlite3"
            source = sqlite3.connect(engine.url.database)
            target = sqlite3.connect(copy)
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
            manifest["database"]["dump"] = "sqlite"
            copy_engine = create_engine(f"sqlite:///{copy}")
            try:
                manifest["database"]["tables"] = table_counts(copy_engine)
            finally:
                copy_engine.dispose()
            archive.add(copy, SQLITE_NAME)
        else:
            manifest["database"]["dump"] = "jsonl"
            for table in _tables():
                lines = [json.dumps(row, ensure_ascii=False) for row in _dump_rows(engine, table)]
                manifest["database"]["tables"][table.name] = len(lines)
                _add_bytes(archive, f"database/{table.name}.jsonl", ("\n".join(lines) + "\n" * bool(lines)).encode())
        for name, path in files:
            if Path(path).is_file():
                archive.add(path, f"files/{name}")
                manifest["files"].append(name)
        _add_bytes(archive, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    os.replace(partial, out_path)
    return manifest


# -- reading ------------------------------------------------------------------------------------

def read_manifest(archive_path: str | Path) -> dict:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            member = archive.extractfile(MANIFEST)
            manifest = json.loads(member.read()) if member else None
    except (OSError, tarfile.TarError, KeyError, ValueError):
        raise BackupError(f"{archive_path}：不是本系统的备份文件（无法读取 {MANIFEST}）") from None
    if isinstance(manifest, dict) and manifest.get("format") == 1:
        raise BackupError(f"{archive_path}：备份格式 1 的时间不带时区，本版本不能直接恢复；"
                          "请用制作该备份的版本恢复，再升级数据库（flask db-upgrade）")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{archive_path}：备份格式不受支持")
    return manifest


def _plain_name(name) -> bool:
    return (isinstance(name, str) and bool(name) and not name.startswith(".")
            and not any(ch in name for ch in "/\\\0:") and ".." not in name)


def check_manifest(manifest: dict) -> None:
    """Refuse a manifest that names a table this product does not have, a file name with a path in
    it, or row counts that are not numbers (a crafted archive must not write outside its folder)."""
    database = manifest.get("database")
    if not isinstance(database, dict) or not isinstance(database.get("tables"), dict):
        raise BackupError("备份清单缺少数据库表的清单")
    if database.get("dump") not in ("sqlite", "jsonl"):
        raise BackupError(f"备份清单中的数据库格式“{database.get('dump')}”不受支持")
    known = {table.name for table in _tables()}
    unknown = [str(name)[:60] for name in database["tables"] if name not in known]
    if unknown:
        raise BackupError("备份清单中有本系统没有的表：" + "、".join(unknown))
    if not all(isinstance(count, int) and count >= 0 for count in database["tables"].values()):
        raise BackupError("备份清单中的行数无效")
    files = manifest.get("files")
    if not isinstance(files, list) or not all(_plain_name(name) for name in files):
        raise BackupError("备份清单中的数据文件名无效（不能含路径）")


def _extract(archive_path: Path, manifest: dict, folder: Path) -> None:
    """Extract only what the manifest names, as plain files (no links, no paths outside)."""
    wanted = {MANIFEST}
    if manifest["database"].get("dump") == "sqlite":
        wanted.add(SQLITE_NAME)
    else:
        wanted |= {f"database/{name}.jsonl" for name in manifest["database"]["tables"]}
    wanted |= {f"files/{name}" for name in manifest["files"] if _plain_name(name)}
    root = folder.resolve()
    with tarfile.open(archive_path, "r:gz") as archive:
        for member in archive.getmembers():
            if member.name in wanted and member.isfile():
                target = folder / member.name
                if not target.resolve().is_relative_to(root):
                    raise BackupError(f"备份中的“{member.name[:60]}”指向恢复目录之外，已拒绝")
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.extractfile(member) as source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out)


def _rows_from_sqlite(source, table: Table) -> Iterator[dict]:
    """Rows of ``table`` in the backed-up SQLite file (only the columns both schemas have)."""
    inspector = inspect(source)
    if not inspector.has_table(table.name):
        return
    present = {c["name"] for c in inspector.get_columns(table.name)}
    columns = [c for c in table.columns if c.name in present]
    for row in source.execute(select(*columns)).mappings():
        yield dict(row)


def _rows_from_jsonl(path: Path, table: Table) -> Iterator[dict]:
    if not path.exists():
        return
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                row = json.loads(line)
                yield {c.name: decode_value(c, row[c.name]) for c in table.columns if c.name in row}


def _self_references(table: Table) -> list[str]:
    return [c.name for c in table.columns if any(fk.column.table is table for fk in c.foreign_keys)]


def _reset_sequences(connection, tables: list[Table]) -> None:
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        name = keys[0].name
        quoted = connection.dialect.identifier_preparer.quote(table.name)
        connection.execute(text(
            f"SELECT setval(pg_get_serial_sequence(:table, :column), "
            f"COALESCE((SELECT MAX({name}) FROM {quoted}), 0) + 1, false)"
        ), {"table": quoted, "column": name})


def restore_backup(engine: Engine, archive_path: str | Path, data_dir: str | Path) -> dict[str, int]:
    """Load the archive into the empty database behind ``engine`` and its files into ``data_dir``.

    Returns the row count of every table restored. Refuses a database that holds any row, a
    manifest that names unknown tables or file names with paths (``check_manifest``), and an
    archive that restores nothing.
    """
    archive_path = Path(archive_path)
    manifest = read_manifest(archive_path)
    check_manifest(manifest)
    filled = {name: count for name, count in table_counts(engine).items() if count}
    if filled:
        raise BackupError("目标数据库不是空的（" + "、".join(f"{n} {c} 行" for n, c in filled.items())
                          + "）；恢复只能在空数据库上进行")
    tables = _tables()
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        _extract(archive_path, manifest, folder)
        source_engine = None
        if manifest["database"].get("dump") == "sqlite":
            source_engine = create_engine(f"sqlite:///{folder / SQLITE_NAME}")
        try:
            with engine.begin() as connection:
                source = source_engine.connect() if source_engine is not None else None
                try:
                    for table in tables:
                        rows = (_rows_from_sqlite(source, table) if source is not None
                                else _rows_from_jsonl(folder / "database" / f"{table.name}.jsonl", table))
                        counts[table.name] = _load_table(connection, table, rows)
                finally:
                    if source is not None:
                        source.close()
                if engine.dialect.name == "postgresql":
                    _reset_sequences(connection, tables)
                expected = {n: c for n, c in manifest["database"]["tables"].items() if n in counts}
                if {n: counts[n] for n in expected} != expected:
                    raise BackupError("恢复的行数与备份清单不一致，已撤销恢复")
                if not any(counts.values()):
                    raise BackupError("备份中没有可恢复的数据（0 行），已撤销恢复")
        finally:
            if source_engine is not None:
                source_engine.dispose()
        for name in manifest["files"]:
            source_file = folder / "files" / name
            if source_file.is_file():
                Path(data_dir).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source_file, Path(data_dir) / name)
    return counts


def _load_table(connection, table: Table, rows: Iterable[dict]) -> int:
    later = _self_references(table)
    pending: list[tuple[dict, dict]] = []  # (primary key, self-referencing values) to set afterwards
    keys = [c.name for c in table.primary_key.columns]
    count = 0
    batch: list[dict] = []
    for row in rows:
        delayed = {name: row.get(name) for name in later if row.get(name) is not None}
        if delayed:
            pending.append(({k: row[k] for k in keys}, delayed))
            row = {**row, **{name: None for name in delayed}}
        batch.append(row)
        count += 1
        if len(batch) >= CHUNK:
            connection.execute(table.insert(), batch)
            batch = []
    if batch:
        connection.execute(table.insert(), batch)
    for key, values in pending:
        condition = [table.c[k] == v for k, v in key.items()]
        connection.execute(update(table).where(*condition).values(**values))
    return count

