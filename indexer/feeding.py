"""Feeding the index from the database: full builds and incremental updates.

- ``build_index`` writes a fresh index into a new generation from the database;
  ``update_documents`` replaces the entries of the given documents (deletes by ``document_id``);
  ``update_faq`` those of FAQ entries. Each holds ``indexer.writing.writer_lock``.
- This module loads SQLAlchemy and the ORM models; a process that only searches never imports it
  (``SearchIndex`` does on its first write), which keeps its start-up short.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from whoosh import index as whoosh_index
from whoosh.writing import CLEAR

from kb.library.models import Document
from indexer.faq_entries import faq_key
from indexer.faq_index_entries import faq_index_entries
from indexer.pairs import FILE_NAME as PAIRS_FILE
from indexer.pairs import PairCounter
from indexer.schema import make_schema
from indexer.unit_entries import unit_fields
from indexer.vectors import Progress, VectorStore, entry_of
from indexer.writing import open_or_create_locked, take_writer, writer_lock

BATCH = 500  # documents loaded from the database at a time


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
                limitmb: int = 1024, progress: Progress | None = None) -> int:
    """Rebuild the whole index from the database; return the number of entries written.

    ``limitmb``: postings each indexing process sorts in memory before spilling a run to disk.
    On the full laws corpus (147k units, procs=2) 1024 builds in 60 s against 80 s with 256.
    Then the documents' sentence vectors (``indexer.vectors``; ``progress`` is told how many are done).
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
        writer = take_writer(ix, **options)
        pairs = PairCounter()  # character pairs' document frequencies, for the second stage
        meanings = []  # (document id, key, text) of each unit, for its sentence vector
        try:
            for document in _documents(session, None):
                for unit in document.units:
                    fields = unit_fields(unit, document)
                    writer.add_document(**fields)
                    pairs.add(fields.get("text", ""))
                    meanings.append(entry_of(fields))
                    count += 1
            for fields in faq_index_entries(session):  # the published FAQ entries
                writer.add_document(**fields)
                pairs.add(fields.get("text", ""))
                count += 1
        except BaseException:
            writer.cancel()
            raise
        # CLEAR: the new segments replace every old one in a single new generation, so readers
        # go straight from the old index to the new one.
        writer.commit(mergetype=CLEAR)
        pairs.frequencies().save(index_dir / PAIRS_FILE)
    VectorStore(index_dir).sync(meanings, procs=procs, progress=progress)
    return count


def update_documents(index_dir: str | Path, session: Session, document_ids: Iterable[int]) -> int:
    """Replace the entries of ``document_ids`` (deleted documents are removed); return entries written."""
    document_ids = sorted(set(document_ids))
    if not document_ids:
        return 0
    # Each entry is made while its document is still in the session: ``_documents`` expunges a
    # batch once it has been consumed, and a successor chain may need a lazy load.
    entries = [unit_fields(unit, document) for document in _documents(session, document_ids)
               for unit in document.units]
    written = _replace(index_dir, [("document_id", str(i)) for i in document_ids], entries)
    VectorStore(index_dir).sync([entry_of(fields) for fields in entries], document_ids)
    return written


def update_faq(index_dir: str | Path, session: Session, entry_ids: Iterable[int]) -> int:
    """Replace the entries of FAQ ``entry_ids`` (entries no longer published are removed)."""
    entry_ids = sorted(set(entry_ids))
    if not entry_ids:
        return 0
    entries = faq_index_entries(session, entry_ids)
    return _replace(index_dir, [("key", faq_key(i)) for i in entry_ids], entries)


def _replace(index_dir: str | Path, deletions: list[tuple[str, str]], entries: list[dict]) -> int:
    """Delete the entries matching ``deletions`` (field, term) and add ``entries``, in one commit."""
    with writer_lock(index_dir):
        writer = take_writer(open_or_create_locked(Path(index_dir)))
        try:
            for fieldname, term in deletions:
                writer.delete_by_term(fieldname, term)
            for fields in entries:
                writer.add_document(**fields)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
    return len(entries)
