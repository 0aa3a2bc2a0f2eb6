"""Following the outbox: an index applies the library's changes, whichever process or host made them.

The database records every change to what the index shows in ``index_changes`` (``kb.search.index_outbox``).
An index folder keeps, beside the index, the id of the last row whose change it holds: its
watermark (the file ``outbox-watermark``). ``apply_changes`` re-indexes the documents and FAQ
entries named by the rows after the watermark, then moves it.

- One applier per index folder at a time: ``follow_lock`` (an ``fcntl.flock`` on ``.kb-follow.lock``)
  is held from reading the watermark to writing it, so the workers of one host apply a change once:
  the second finds the watermark already past it. The index writes inside take
  ``indexer.writing.writer_lock`` as always.
- The watermark is written after the index commit, atomically (a temporary file renamed over the
  old one). A crash between the two applies the rows again, which writes the same entries again.
- A document's change also refreshes the FAQ cards citing it and the entries of the documents it
  replaced (they show its title and its dates).
- A ``files`` row (the director changed the dictionary or the synonyms, ``kb.core.shared_files``) first
  writes the files as the database holds them into this host's data folder, so that the documents
  of the same edit are cut with the new dictionary.
- An index whose watermark the outbox no longer covers (rows pruned meanwhile, or another database)
  is rebuilt. ``rebuild`` sets the watermark to the latest row id read before it starts reading.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kb.search.index_outbox import change_span, changes_after, latest_change_id
from kb.library.models import Document
from indexer import vocabulary_sharing
from indexer.writing import file_lock

WATERMARK_NAME = "outbox-watermark"
LOCK_NAME = ".kb-follow.lock"


@dataclass
class Applied:
    """What one ``apply_changes`` did."""

    changes: int = 0  # outbox rows applied
    document_ids: set[int] = field(default_factory=set)
    faq_ids: set[int] = field(default_factory=set)
    entries: int = 0  # index entries written
    rebuilt: bool = False  # the outbox did not cover the watermark: the whole index was rebuilt
    needs_rebuild: bool = False  # it did not, and the caller asked not to rebuild (``rebuild=False``)
    watermark: int | None = None  # after applying; None when nothing was done (``busy``)
    busy: bool = False  # another process was applying; nothing done


def read_watermark(index_dir: str | Path) -> int | None:
    """The id of the last outbox row the index holds; None when it has never followed the outbox."""
    try:
        return int((Path(index_dir) / WATERMARK_NAME).read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def write_watermark(index_dir: str | Path, value: int) -> None:
    path = Path(index_dir) / WATERMARK_NAME
    temporary = path.with_name(f".{WATERMARK_NAME}.{os.getpid()}")
    with open(temporary, "w") as out:
        out.write(f"{value}\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def follow_lock(index_dir: str | Path, wait: bool = True):
    """Hold the applier's lock on ``index_dir``; yields False (without it) when ``wait`` is false and
    another process or thread holds it."""
    return file_lock(Path(index_dir) / LOCK_NAME, wait)


def _pull_vocabulary(index, session: Session) -> None:
    """The director's dictionary and synonyms as the database holds them, into this host's data folder."""
    if vocabulary_sharing.pull(session, index.data_dir):
        index.synonyms.refresh(force=True)


def documents_replaced_by(session: Session, document_ids: Iterable[int]) -> set[int]:
    """Ids of the documents whose successor is one of ``document_ids``."""
    ids = sorted(set(document_ids))
    if not ids:
        return set()
    return set(session.scalars(select(Document.id).where(Document.superseded_by_id.in_(ids))))


def apply_changes(index, session_factory: sessionmaker[Session], *, document_ids: Iterable[int] = (),
                  faq_ids: Iterable[int] = (), limit: int | None = None, wait: bool = True,
                  rebuild: bool = True) -> Applied:
    """Apply the outbox rows after the watermark of ``index`` (a ``SearchIndex``; at most ``limit``
    rows), together with ``document_ids`` and ``faq_ids`` given by the caller; move the watermark.
    ``wait=False``: return at once (``busy``) when another process is applying. ``rebuild=False``:
    when only a full rebuild can catch up, do nothing and say so (``needs_rebuild``)."""
    from indexer.faq_index_entries import entries_citing

    with follow_lock(index.index_dir, wait) as held:
        if not held:
            return Applied(busy=True)
        with session_factory() as session:
            watermark = read_watermark(index.index_dir) or 0
            span = change_span(session)
            if not span.covers(watermark):
                if not rebuild:
                    return Applied(needs_rebuild=True, watermark=watermark)
                latest = span.latest or 0
                _pull_vocabulary(index, session)
                entries = index.rebuild(session)
                write_watermark(index.index_dir, latest)
                return Applied(entries=entries, rebuilt=True, watermark=latest)
            batch = changes_after(session, watermark, limit)
            if batch.files:  # the director's vocabulary first: the documents below are cut with it
                _pull_vocabulary(index, session)
            documents = batch.document_ids | set(document_ids)
            faq = batch.faq_ids | set(faq_ids)
            applied = Applied(changes=batch.rows, document_ids=set(documents), faq_ids=set(faq))
            if documents:
                documents |= documents_replaced_by(session, documents)
                applied.entries += index.update_documents(session, documents)
                faq |= entries_citing(session, documents)
            if faq:
                applied.entries += index.update_faq(session, faq)
        if batch.last_id is not None:
            write_watermark(index.index_dir, batch.last_id)
        applied.watermark = batch.last_id if batch.last_id is not None else watermark
        return applied


def rebuild(index, session_factory: sessionmaker[Session], procs: int = 1, progress=None) -> tuple[int, int]:
    """Rebuild ``index`` from the database; the watermark becomes the latest outbox row id read
    before the rebuild reads the library. Return (entries written, watermark). ``progress``: told
    (documents done, documents in all) as the sentence vectors are encoded (``indexer.vectors``)."""
    with follow_lock(index.index_dir):
        with session_factory() as session:
            latest = latest_change_id(session)
            _pull_vocabulary(index, session)
            entries = index.rebuild(session, procs=procs, progress=progress)
        write_watermark(index.index_dir, latest)
    return entries, latest
