"""Import files and folders into the library, one document per transaction.

A failing file is reported and rolled back on its own; the others still import. The caller gets
a ``BatchReport`` and the ids of the documents whose search entries must be refreshed.
"""
from __future__ import annotations

import logging
import multiprocessing
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kb.library.catalog import DocumentMeta, read_catalog
from kb.core.db import transaction
from kb.core.errors import CatalogError, ImportFailed, KbError
from kb.faq.operations import documents_changed
from kb.library.operations import ImportOutcome, content_hash, import_document
from kb.library.parsing import DEFAULT_MAX_BYTES, SUPPORTED_SUFFIXES, parse_file, suffix_of, too_large_message
from kb.library.parsing.blocks import ParsedDocument

AHEAD = 16  # files parsed ahead of storing, per worker process

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


@dataclass
class ReadFile:
    """A file read and parsed, not yet stored: what a parsing worker hands back."""

    name: str
    source_hash: str | None = None
    parsed: ParsedDocument | None = None
    error: str | None = None
    internal: bool = False  # as in ``FileResult``


def read_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> ReadFile:
    """Read and parse ``path``; a file over ``max_bytes`` is refused before it is read."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return ReadFile(path.name, error=str(ImportFailed(path.name, too_large_message(size, max_bytes))))
        data = path.read_bytes()
    except OSError as error:
        return ReadFile(path.name, error=f"{path.name}：无法读取（{error.strerror}）")
    return parse_bytes(path.name, data, max_bytes)


def parse_bytes(name: str, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> ReadFile:
    try:
        return ReadFile(name, content_hash(data), parse_file(name, data, max_bytes=max_bytes))
    except KbError as error:
        return ReadFile(name, error=str(error))
    except Exception as error:  # a defect in a reader: this file fails, the batch goes on
        log.exception("parsing %s failed", name)
        return ReadFile(name, error=str(ImportFailed(name, f"导入时出现内部错误（{type(error).__name__}），本文件未导入")),
                        internal=True)


def store_read_file(factory: sessionmaker[Session], read: ReadFile,
                    meta: DocumentMeta | None = None) -> tuple[FileResult, ImportOutcome | None]:
    """Store a parsed file in its own transaction: all of it, or nothing when it fails."""
    name = read.name
    if read.parsed is None:
        return FileResult(name=name, error=read.error, internal=read.internal), None
    parsed = read.parsed
    try:
        with transaction(factory) as session:
            outcome = import_document(session, parsed, source_name=name, source_hash=read.source_hash, meta=meta)
            documents_changed(session, outcome.changed_document_ids)  # FAQ entries citing them: to review
            result = FileResult(
                name=name, action=outcome.action, document_id=outcome.document.id, title=outcome.document.title,
                articles=sum(u.kind == "article" for u in parsed.units),  # this file's, not its code's
                units=len(parsed.units), warnings=outcome.warnings)
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


def import_one(
    factory: sessionmaker[Session], name: str, data: bytes, meta: DocumentMeta | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[FileResult, ImportOutcome | None]:
    """Parse and store one file in its own transaction: all of it, or nothing when it fails."""
    return store_read_file(factory, parse_bytes(name, data, max_bytes), meta)


def read_files(files: list[Path], max_bytes: int = DEFAULT_MAX_BYTES, workers: int = 1) -> Iterator[ReadFile]:
    """The files read and parsed, in order; with ``workers`` > 1 by that many processes, at most
    ``AHEAD`` files per worker ahead of the caller (storing stays in the calling process)."""
    if workers <= 1 or len(files) < 4 * workers:
        for path in files:
            yield read_file(path, max_bytes)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        pending: deque = deque()
        queued = iter(files)
        for path in queued:
            pending.append(pool.submit(read_file, path, max_bytes))
            if len(pending) >= AHEAD * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def import_paths(
    factory: sessionmaker[Session], paths: Iterable[str | Path], catalog: dict[str, DocumentMeta] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES, progress: Callable[[FileResult], None] | None = None,
    workers: int = 1,
) -> BatchReport:
    """Import files and folders; ``workers`` processes parse while this one stores, file by file."""
    files, problems = collect_files(paths)
    report = BatchReport(errors=problems)
    catalog = catalog or {}
    names = {f.name for f in files}
    for missing in sorted(set(catalog) - names):
        report.errors.append(f"{missing}：目录文件中列出了此文件，但在导入的文件中找不到（文件缺失或未一同导入）")
    for read in read_files(files, max_bytes, workers):
        result, outcome = store_read_file(factory, read, catalog.get(read.name))
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
