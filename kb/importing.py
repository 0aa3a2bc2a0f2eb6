"""Import files and folders into the library, one document per transaction.

A failing file is reported and rolled back on its own; the others still import. The caller gets
a ``BatchReport`` and the ids of the documents whose search entries must be refreshed.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kb.catalog import DocumentMeta, read_catalog
from kb.db import transaction
from kb.errors import CatalogError, ImportFailed, KbError
from kb.library import ImportOutcome, content_hash, import_document
from kb.parsing import DEFAULT_MAX_BYTES, SUPPORTED_SUFFIXES, parse_file, suffix_of, too_large_message

log = logging.getLogger(__name__)


@dataclass
class FileResult:
    name: str
    action: str | None = None  # created | unchanged | replaced | updated | joined, None when it failed
    document_id: int | None = None
    title: str | None = None
    articles: int = 0
    units: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    internal: bool = False  # the error is the system's (database, defect), not the file's


@dataclass
class BatchReport:
    files: list[FileResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # problems not tied to one imported file
    changed_document_ids: set[int] = field(default_factory=set)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.error]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.errors

    @property
    def import_failed(self) -> bool:
        """Whether the import itself failed for some file (the database, a defect), as opposed to
        files refused for what they hold."""
        return any(f.internal for f in self.files)

    def summary(self) -> dict[str, int]:
        done = [f for f in self.files if not f.error]
        return {
            "files": len(self.files),
            "documents": len({f.document_id for f in done}),
            "created": sum(f.action == "created" for f in done),
            "replaced": sum(f.action == "replaced" for f in done),
            "updated": sum(f.action == "updated" for f in done),
            "joined": sum(f.action == "joined" for f in done),
            "unchanged": sum(f.action == "unchanged" for f in done),
            "articles": sum(f.articles for f in done),
            "units": sum(f.units for f in done),
            "warnings": sum(len(f.warnings) for f in done),
            "failed": len(self.failed) + len(self.errors),
        }


def collect_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[str]]:
    """Expand folders into the supported files they hold; return (files, problems)."""
    files: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and suffix_of(p.name) in SUPPORTED_SUFFIXES))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(f"{path}：文件或文件夹不存在")
    return files, problems


def load_catalog(path: str | Path) -> dict[str, DocumentMeta]:
    """Read a catalog CSV; a ``CatalogError`` names the file, the row and the problem."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise CatalogError(f"{path}：无法读取目录文件（{error.strerror}）") from None
    except UnicodeDecodeError:
        raise CatalogError(f"{path}：目录文件不是 UTF-8 编码") from None
    try:
        return read_catalog(text)
    except CatalogError as error:
        raise CatalogError(f"{path}：{error}") from None


def import_one(
    factory: sessionmaker[Session], name: str, data: bytes, meta: DocumentMeta | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[FileResult, ImportOutcome | None]:
    """Parse and store one file in its own transaction: all of it, or nothing when it fails."""
    result = FileResult(name=name)
    try:
        parsed = parse_file(name, data, max_bytes=max_bytes)
        with transaction(factory) as session:
            outcome = import_document(session, parsed, source_name=name, source_hash=content_hash(data), meta=meta)
            result.action = outcome.action
            result.document_id = outcome.document.id
            result.title = outcome.document.title
            result.articles = sum(u.kind == "article" for u in parsed.units)  # this file's, not its code's
            result.units = len(parsed.units)
            result.warnings = outcome.warnings
        return result, outcome
    except KbError as error:
        return FileResult(name=name, error=str(error)), None
    except SQLAlchemyError as error:
        reason = type(getattr(error, "orig", None) or error).__name__
        problem = str(ImportFailed(name, f"保存到数据库失败（{reason}），本文件未导入，其他文件不受影响"))
    except Exception as error:  # a defect must not lose the rest of a batch; the file is rolled back
        log.exception("importing %s failed", name)
        problem = str(ImportFailed(name, f"导入时出现内部错误（{type(error).__name__}），本文件未导入"))
    return FileResult(name=name, error=problem, internal=True), None


def import_paths(
    factory: sessionmaker[Session], paths: Iterable[str | Path], catalog: dict[str, DocumentMeta] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES, progress: Callable[[FileResult], None] | None = None,
) -> BatchReport:
    files, problems = collect_files(paths)
    report = BatchReport(errors=problems)
    catalog = catalog or {}
    names = {f.name for f in files}
    for missing in sorted(set(catalog) - names):
        report.errors.append(f"{missing}：目录文件中列出了此文件，但在导入的文件中找不到（文件缺失或未一同导入）")
    for path in files:
        outcome = None
        try:
            size = path.stat().st_size
            # A file over the limit is refused before it is read into memory.
            data = path.read_bytes() if size <= max_bytes else b""
        except OSError as error:
            result = FileResult(name=path.name, error=f"{path.name}：无法读取（{error.strerror}）")
        else:
            if size > max_bytes:
                result = FileResult(name=path.name, error=str(ImportFailed(path.name, too_large_message(size, max_bytes))))
            else:
                result, outcome = import_one(factory, path.name, data, catalog.get(path.name), max_bytes)
            if outcome is not None:
                report.changed_document_ids |= outcome.changed_document_ids
        report.files.append(result)
        if progress:
            progress(result)
    return report


def import_library_folder(
    factory: sessionmaker[Session], folder: str | Path, max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[FileResult], None] | None = None,
) -> BatchReport:
    """Import a library folder: each sub-folder with its own ``catalog.csv`` (the shipped ``policies/``)."""
    folder = Path(folder)
    report = BatchReport()
    groups = sorted({p.parent for p in folder.rglob("catalog.csv")}) or [folder]
    for group in groups:
        catalog_path = group / "catalog.csv"
        try:
            catalog = load_catalog(catalog_path) if catalog_path.exists() else {}
        except CatalogError as error:
            report.errors.append(str(error))
            continue
        part = import_paths(factory, [group], catalog, max_bytes=max_bytes, progress=progress)
        report.files += part.files
        report.errors += part.errors
        report.changed_document_ids |= part.changed_document_ids
    return report
