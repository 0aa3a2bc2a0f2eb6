"""The search index's outbox: every change to what the index shows, recorded in the same transaction.

Each host keeps its own copy of the search index; the database is the record. A committed change to
a document (its metadata or units) or to an FAQ entry (its wording, status, flag or citations) leaves
a row in ``index_changes`` (``kb.search.models.IndexChange``): ``kind`` "document" or "faq", the target's
id, ``created_at``. Every index applies the rows after the last one it applied (``indexer.following``).

How the rows are written, without any caller's help:

The listeners below are registered on each session factory by ``watch`` (``kb.core.db.make_session_factory``
calls it through ``kb.search.session_events``), so every session of the application writes the outbox and nothing else in the process is touched.

- ``after_flush`` (a session event) notes which documents and FAQ entries the
  flush changed, from the ORM's own bookkeeping: new, changed and deleted ``Document``, ``Unit``,
  ``FaqEntry`` and ``FaqCitation`` rows. Changes the index does not carry are ignored (usage counters,
  timestamps, the import history; ``IGNORED``).
- ``before_commit`` flushes what is pending and inserts one row per target noted in the transaction,
  just before the commit: the rows commit or roll back with the change. A rollback forgets the notes.
- Ids are handed out in commit order, so that "every row after my watermark" never skips a row that
  commits late: on PostgreSQL the insert and the commit hold a transaction-level advisory lock (a
  few milliseconds, after every other write of the transaction); SQLite has one writer at a time
  anyway. ``sqlite_autoincrement`` keeps SQLite from reusing the ids of pruned rows.

After the commit, ``take_committed(session)`` tells what the session's transactions wrote: the web
application's one after-commit hook hands it to this host's index applier.

Bulk statements (``session.execute(update(...))``) bypass the ORM's bookkeeping and are not seen:
the only one on these tables counts FAQ usage, which the index does not carry.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Iterable

from sqlalchemy import delete, event, func, insert, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from kb.library.models import Document, Unit
from kb.search.models import IndexChange
from kb.core.timestamps import utc_now

DOCUMENT = "document"
FAQ = "faq"
FILES = "files"  # the director's vocabulary files changed (``kb.core.shared_files``); target id 0
KINDS = (DOCUMENT, FAQ, FILES)
# Rows older than this are pruned; an index further behind is rebuilt. Longer than any closure of the
# hotline (the Spring Festival week): a node idle meanwhile catches up row by row, without a rebuild.
KEEP_DAYS = 30
_LOCK_KEY = 12366_0002  # PostgreSQL advisory lock held from the insert to the commit
_NOTES = "kb_index_changes"  # session.info key: {(kind, target id)} noted in this transaction
_RECORDED = "kb_index_recorded"  # session.info key: {(kind, target id)} written to the outbox in this transaction
_WATCHED = "_kb_index_outbox_watched"  # attribute marking a factory whose sessions write the outbox
_COMMITTED = "kb_index_committed"  # session.info key: what committed transactions wrote, until taken

# Attributes whose changes do not reach the index.
IGNORED = {
    "Document": {"imported_at", "updated_at", "history", "warnings", "source_hash", "source_format", "issuer"},
    "FaqEntry": {"shown_count", "copied_count", "helpful_count", "not_helpful_count", "created_at", "updated_at",
                 "published_at", "owner_id", "review_by", "review_reason", "flagged_at", "versions"},
}


@functools.cache
def _watched() -> dict[type, tuple[str, str]]:
    """Model → (kind, attribute naming the target). The FAQ models build on this module's, so late."""
    from kb.faq.models import FaqCitation, FaqEntry

    return {Document: (DOCUMENT, "id"), Unit: (DOCUMENT, "document_id"),
            FaqEntry: (FAQ, "id"), FaqCitation: (FAQ, "entry_id")}


def _value(state, key: str):
    """An attribute's value without loading anything (a deleted row's value from before the flush)."""
    if key in state.dict:
        return state.dict[key]
    history = state.attrs[key].history
    return (history.deleted or history.unchanged or (None,))[0]


def _changed(state, ignored: set[str]) -> bool:
    return any(attr.key not in ignored and attr.history.has_changes() for attr in state.attrs)


def _note_changes(session: Session, _context) -> None:
    watched = _watched()
    notes: set[tuple[str, int]] = session.info.setdefault(_NOTES, set())
    for objects, check in ((session.new, False), (session.deleted, False), (session.dirty, True)):
        for obj in objects:
            spec = watched.get(type(obj))
            if spec is None:
                continue
            state = inspect(obj)
            if check and not _changed(state, IGNORED.get(type(obj).__name__, set())):
                continue
            kind, key = spec
            target = _value(state, key)
            if target is not None:
                notes.add((kind, int(target)))


def _write_changes(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outer commit writes
    session.flush()
    notes = session.info.pop(_NOTES, None)
    if notes:
        record_changes(session, notes)


def _keep_committed(session: Session) -> None:
    recorded = session.info.pop(_RECORDED, None)
    if recorded:
        session.info.setdefault(_COMMITTED, set()).update(recorded)


def _forget_changes(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_NOTES, None)
        session.info.pop(_RECORDED, None)  # rolled back (a commit moved them to _COMMITTED first)


def take_committed(session: Session) -> ChangeBatch:
    """What the session's committed transactions wrote to the outbox since the last call: the one
    after-commit hook (``webapp.storage``) hands it to the index applier, so that no view schedules
    an index refresh by hand."""
    batch = ChangeBatch()
    for kind, target in session.info.pop(_COMMITTED, ()):
        if kind == FILES:
            batch.files = True
        else:
            (batch.document_ids if kind == DOCUMENT else batch.faq_ids).add(target)
        batch.rows += 1
    return batch


_LISTENERS = (("after_flush", _note_changes), ("before_commit", _write_changes), ("after_commit", _keep_committed),
              ("after_transaction_end", _forget_changes))


def watch(factory: sessionmaker) -> sessionmaker:
    """Write the outbox for every session ``factory`` makes (``kb.core.db.make_session_factory`` calls this
    through ``kb.search.session_events``): the listeners are registered on that factory, not on every
    ``Session`` of the process."""
    # A mark on the factory itself, not ``event.contains``: SQLAlchemy's event registry keys targets by
    # ``id()``, so a factory made where a collected one lived could look already watched.
    if not getattr(factory, _WATCHED, False):
        for name, listener in _LISTENERS:
            event.listen(factory, name, listener)
        setattr(factory, _WATCHED, True)
    return factory


def record_changes(session: Session, targets: Iterable[tuple[str, int]]) -> None:
    """Insert outbox rows for ``targets`` ((kind, id) pairs) in the session's transaction, in commit
    order (see the module docstring). The session events call this; so may a bulk change."""
    rows = [{"kind": kind, "target_id": target, "created_at": utc_now()} for kind, target in sorted(set(targets))]
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    connection.execute(insert(IndexChange.__table__), rows)
    session.info.setdefault(_RECORDED, set()).update((row["kind"], row["target_id"]) for row in rows)


# -- reading ------------------------------------------------------------------------------------

@dataclass
class ChangeSpan:
    """The ids held in the outbox: ``oldest`` and ``latest`` (None when it is empty)."""

    oldest: int | None
    latest: int | None

    def covers(self, watermark: int) -> bool:
        """Whether every change after ``watermark`` is still here: not pruned, and the same database
        (a watermark beyond the latest row belongs to another database, or one restored from backup)."""
        latest = self.latest or 0
        if watermark > latest:
            return False
        return self.oldest is None or watermark >= self.oldest - 1


@dataclass
class ChangeBatch:
    document_ids: set[int] = field(default_factory=set)
    faq_ids: set[int] = field(default_factory=set)
    files: bool = False  # the shared data files changed (``kb.core.shared_files``)
    last_id: int | None = None  # the last row read; None when there was none
    rows: int = 0


def latest_change_id(session: Session) -> int:
    """The id of the newest row (0 when there is none): one indexed look-up, cheap to poll."""
    return session.scalar(select(func.max(IndexChange.id))) or 0


def change_span(session: Session) -> ChangeSpan:
    oldest, latest = session.execute(select(func.min(IndexChange.id), func.max(IndexChange.id))).one()
    return ChangeSpan(oldest, latest)


def changes_after(session: Session, watermark: int, limit: int | None = None) -> ChangeBatch:
    """The documents and FAQ entries changed by the rows after ``watermark`` (at most ``limit`` rows)."""
    query = select(IndexChange.id, IndexChange.kind, IndexChange.target_id).where(
        IndexChange.id > watermark).order_by(IndexChange.id)
    if limit is not None:
        query = query.limit(limit)
    batch = ChangeBatch()
    for row_id, kind, target in session.execute(query):
        if kind == FILES:
            batch.files = True
        else:
            (batch.document_ids if kind == DOCUMENT else batch.faq_ids).add(target)
        batch.last_id = row_id
        batch.rows += 1
    return batch


def prune_changes(session: Session, keep_days: int = KEEP_DAYS, now: dt.datetime | None = None) -> int:
    """Delete rows older than ``keep_days`` (the newest row always stays, so that ids are never
    reused and ``ChangeSpan.covers`` can tell a pruned gap); return how many went."""
    cutoff = (now or utc_now()) - dt.timedelta(days=keep_days)
    latest = latest_change_id(session)
    result = session.execute(delete(IndexChange).where(IndexChange.created_at < cutoff, IndexChange.id < latest))
    return result.rowcount or 0
