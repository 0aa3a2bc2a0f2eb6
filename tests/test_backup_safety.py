"""Files that hold callers' identities and password hashes are readable by their owner only, and a
crafted backup archive cannot write outside its folder or pass for a restore that restored nothing."""
from __future__ import annotations

import io
import json
import os
import stat
import tarfile

import pytest

from kb.core.backup import FORMAT, BackupError, restore_backup, table_counts


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_sqlite_files_and_the_backup_are_private(app, runner, tmp_path):
    if app.extensions["kb_storage"].engine.dialect.name != "sqlite":
        pytest.skip("SQLite files only")
    old = os.umask(0o022)  # the usual umask: without care, files come out world-readable
    try:
        database = app.extensions["kb_storage"].engine.url.database
        app.test_client().get("/login")  # a connection: the -wal and -shm files exist now
        for path in (database, database + "-wal", database + "-shm"):
            assert os.path.exists(path), path
            assert _mode(path) == 0o600, path
        archive = tmp_path / "out" / "kb-backup.tar.gz"
        result = runner.invoke(args=["backup", "-o", str(archive)])
        assert result.exit_code == 0, result.output
        assert _mode(archive) == 0o600
    finally:
        os.umask(old)


def test_an_existing_world_readable_database_is_made_private(database_url, tmp_path):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite files only")
    from kb.core.db import make_engine

    path = tmp_path / "old.sqlite3"
    path.write_bytes(b"")
    os.chmod(path, 0o644)
    make_engine(f"sqlite:///{path}").dispose()
    assert _mode(path) == 0o600


def _archive(path, manifest: dict, members: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in {"manifest.json": json.dumps(manifest).encode(), **members}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def _manifest(tables: dict, files=()) -> dict:
    return {"format": FORMAT, "product": "12366-kb", "database": {"dialect": "sqlite", "dump": "jsonl",
                                                                  "tables": tables}, "files": list(files)}


def test_restore_refuses_a_table_name_with_a_path(engine, tmp_path):
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    crafted = work / "crafted.tar.gz"
    _archive(crafted, _manifest({"../../../PWNED": 0}), {"database/../../../PWNED.jsonl": b"{}\n"})
    with pytest.raises(BackupError, match="本系统没有的表"):
        restore_backup(engine, crafted, tmp_path / "data")
    assert not list(tmp_path.rglob("PWNED*"))


def test_restore_refuses_a_file_name_with_a_path(engine, tmp_path):
    crafted = tmp_path / "crafted.tar.gz"
    _archive(crafted, _manifest({"users": 0}, files=["../../PWNED.txt"]), {"files/../../PWNED.txt": b"x"})
    with pytest.raises(BackupError, match="不能含路径"):
        restore_backup(engine, crafted, tmp_path / "data")
    assert not list(tmp_path.rglob("PWNED*"))


def test_restore_refuses_an_archive_that_restores_nothing(engine, tmp_path):
    empty = tmp_path / "empty.tar.gz"
    _archive(empty, _manifest({"users": 0, "documents": 0}), {})
    with pytest.raises(BackupError, match="没有可恢复的数据"):
        restore_backup(engine, empty, tmp_path / "data")
    assert not any(table_counts(engine).values())


def test_the_restore_command_explains_the_refusal(app, runner, tmp_path):
    crafted = tmp_path / "crafted.tar.gz"
    _archive(crafted, _manifest({"../PWNED": 0}), {"database/../PWNED.jsonl": b""})
    result = runner.invoke(args=["restore", str(crafted)])
    assert result.exit_code != 0 and "本系统没有的表" in result.output
    assert not list(tmp_path.rglob("PWNED*"))
