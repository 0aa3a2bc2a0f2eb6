"""Opening the index, and the writer lock: one writer at a time across processes.

- ``writer_lock`` is an ``fcntl.flock`` on ``<index>/.kb-writer.lock``: the kernel drops it when the
  holding process dies, so a crash never leaves a stale lock. Whoosh's own ``MAIN_WRITELOCK`` is
  taken inside it; if Whoosh still reports it locked while we hold ours (a lock file left by a
  writer that was never closed, or a file system without flock), it is stale and is cleared.
- Readers never see a half-written index: Whoosh publishes a new generation (TOC file) only when
  a commit is complete; ``indexer.search`` reopens its searcher when the generation changes.
- What is written comes from the database through ``indexer.feeding`` (``build_index``,
  ``update_documents``, ``update_faq``), which takes this lock.
"""
from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError

from indexer.schema import make_schema

LOCK_NAME = ".kb-writer.lock"
WHOOSH_LOCK = "MAIN_WRITELOCK"


@contextmanager
def file_lock(path: str | Path, wait: bool = True) -> Iterator[bool]:
    """Hold an exclusive ``flock`` on ``path`` (created if missing), waiting until it is free; yield
    True. With ``wait=False``, yield False at once (without the lock) when another holds it.
    The kernel releases it when the process dies: a crash never leaves it held."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def writer_lock(index_dir: str | Path):
    """Hold the cross-process writer lock on ``index_dir`` (blocks until it is free)."""
    return file_lock(Path(index_dir) / LOCK_NAME)


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
        return open_or_create_locked(index_dir, schema)


def _storage(index_dir: Path) -> FileStorage:
    return FileStorage(str(index_dir), supports_mmap=False)


def open_or_create_locked(index_dir: Path, schema=None):
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


def take_writer(ix, **options):
    """Whoosh's writer, taken while our flock is held: a Whoosh lock still set then is stale."""
    try:
        return ix.writer(**options)
    except LockError:
        stale = Path(ix.storage.folder) / WHOOSH_LOCK
        stale.unlink(missing_ok=True)
        return ix.writer(**options)
