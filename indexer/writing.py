"""Writing the index: one writer at a time across processes, full builds and incremental updates.

- ``writer_lock`` is an ``fcntl.flock`` on ``<index>/.kb-writer.lock``: the kernel drops it when the
  holding process dies, so a crash never leaves a stale lock. Whoosh's own ``MAIN_WRITELOCK`` is
  taken inside it; if Whoosh still reports it locked while we hold ours (a lock file left by a
  writer that was never closed, or a file system without flock), it is stale and is cleared.
- Readers never see a half-written index: Whoosh publishes a new generation (TOC file) only when
  a commit is complete; ``indexer.search`` reopens its searcher when the generation changes.
- ``build_index`` writes a fresh index into a new generation from the database;
  ``update_documents`` replaces the entries of the given documents (deletes by ``document_id``).
"""
from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.writing import CLEAR

from kb.models import Document
from indexer.faq_entries import faq_index_entries, faq_key
from indexer.schema import make_schema, unit_fields

LOCK_NAME = ".kb-writer.lock"
WHOOSH_LOCK = "MAIN_WRITELOCK"
BATCH = 500  # documents loaded from the database at a time


@contextmanager
def writer_lock(index_dir: str | Path) -> Iterator[None]:
    """Hold the cross-process writer lock on ``index_dir`` (blocks until it is free)."""
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    fd = os.open(Path(index_dir) / LOCK_NAME, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def open_or_create(index_dir: str | Path, schema=None):
    """The index in ``index_dir`` (created empty if there is none), read without mmap.

    Without mmap Whoosh reads a segment's files with seek/read. With mmap (its default) it copies
    the postings, terms and stored fields of every segment into memory (``BufferFile`` wraps the
    mapped view in a ``BytesIO``): on the full laws corpus 280 MB more resident memory and 0.1-0.3 s
    more to open a searcher, for no faster search (measured with ``bench/latency.py``).
    """
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    if whoosh_index.exists_in(str(index_dir)):
        return read_retrying(lambda: _storage(index_dir).open_index())
    with writer_lock(index_dir):
        return _open_or_create_locked(index_dir, schema)


def _storage(index_dir: Path) -> FileStorage:
    return FileStorage(str(index_dir), supports_mmap=False)


def _open_or_create_locked(index_dir: Path, schema=None):
    """``open_or_create`` for a caller that holds ``writer_lock``: no writer can commit meanwhile."""
    index_dir.mkdir(parents=True, exist_ok=True)
    if whoosh_index.exists_in(str(index_dir)):
        return _storage(index_dir).open_index()
    return _storage(index_dir).create_index(schema or make_schema())


def read_retrying(open_reader, attempts: int = 5):
    """Run ``open_reader`` again when a writer in another process removed the generation it was
    opening (Whoosh deletes the old table of contents and segments after each commit)."""
    for attempt in range(attempts):
        try:
            return open_reader()
        except FileNotFoundError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.01 * (attempt + 1))


def _writer(ix, **options):
    """Whoosh's writer, taken while our flock is held: a Whoosh lock still set then is stale."""
    try:
        return ix.writer(**options)
    except LockError:
        stale = Path(ix.storage.folder) / WHOOSH_LOCK
        stale.unlink(missing_ok=True)
        return ix.writer(**options)


def _documents(session: Session, document_ids: Iterable[int] | None) -> Iterator[Document]:
    query = select(Document).options(selectinload(Document.units), selectinload(Document.superseded_by))
    if document_ids is None:
        ids = session.scalars(select(Document.id).order_by(Document.id)).all()
    else:
        ids = sorted(set(document_ids))
    for i in range(0, len(ids), BATCH):
        chunk = ids[i:i + BATCH]
        yield from session.scalars(query.where(Document.id.in_(chunk)).order_by(Document.id)).all()
        session.expunge_all()


def build_index(index_dir: str | Path, session: Session, *, schema=None, procs: int = 1,
                limitmb: int = 1024) -> int:
    """Rebuild the whole index from the database; return the number of entries written.

    ``limitmb``: postings each indexing process sorts in memory before spilling a run to disk.
    On the full laws corpus (147k units, procs=2) 1024 builds in 60 s against 80 s with 256.
    """
    index_dir = Path(index_dir)
    count = 0
    schema = schema or make_schema()
    with writer_lock(index_dir):
        ix = None
        if whoosh_index.exists_in(str(index_dir)):
            ix = whoosh_index.open_dir(str(index_dir))
            if ix.schema != schema:  # a new analyzer or field: start afresh
                ix = None
        if ix is None:
            ix = whoosh_index.create_in(str(index_dir), schema)
        options = {"limitmb": limitmb}
        if procs > 1:
            options.update(procs=procs, multisegment=True)
        writer = _writer(ix, **options)
        try:
            for document in _documents(session, None):
                for unit in document.units:
                    writer.add_document(**unit_fields(unit, document))
                    count += 1
            for fields in faq_index_entries(session):  # the published FAQ entries
                writer.add_document(**fields)
                count += 1
        except BaseException:
            writer.cancel()
            raise
        # CLEAR: the new segments replace every old one in a single new generation, so readers
        # go straight from the old index to the new one.
        writer.commit(mergetype=CLEAR)
    return count


def update_documents(index_dir: str | Path, session: Session, document_ids: Iterable[int]) -> int:
    """Replace the entries of ``document_ids`` (deleted documents are removed); return entries written."""
    document_ids = sorted(set(document_ids))
    if not document_ids:
        return 0
    count = 0
    documents = list(_documents(session, document_ids))
    entries = [unit_fields(unit, document) for document in documents for unit in document.units]
    with writer_lock(index_dir):
        writer = _writer(_open_or_create_locked(Path(index_dir)))
        try:
            for document_id in document_ids:
                writer.delete_by_term("document_id", str(document_id))
            for fields in entries:
                writer.add_document(**fields)
                count += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
    return count


def update_faq(index_dir: str | Path, session: Session, entry_ids: Iterable[int]) -> int:
    """Replace the entries of FAQ ``entry_ids`` (entries no longer published are removed)."""
    entry_ids = sorted(set(entry_ids))
    if not entry_ids:
        return 0
    entries = faq_index_entries(session, entry_ids)
    with writer_lock(index_dir):
        writer = _writer(_open_or_create_locked(Path(index_dir)))
        try:
            for entry_id in entry_ids:
                writer.delete_by_term("key", faq_key(entry_id))
            for fields in entries:
                writer.add_document(**fields)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
    return len(entries)
