"""One import at a time changes the library, whatever the database and however many processes.

Deciding whether a file is new, a revision, a correction or a part of a code reads the documents
of the same title, then writes: two imports of the same folder at once would both find nothing
and both insert. ``hold_library_lock`` is the first statement of an import's transaction and
holds until its commit or rollback: an ``UPDATE`` of the single row of ``library_locks`` (a row
lock on PostgreSQL; on SQLite the database's write lock, taken before anything is read, so the
reads that follow see every earlier import).
"""
from __future__ import annotations


from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kb.library.models import LibraryLock
from kb.core.timestamps import utc_now

LIBRARY = "library"




def hold_library_lock(session: Session) -> None:
    """Take the library's import lock for the rest of ``session``'s transaction (waits for it)."""
    taken = session.execute(
        update(LibraryLock).where(LibraryLock.name == LIBRARY).values(taken_at=utc_now())
    ).rowcount
    if taken:
        return
    # First import ever: create the row, in a savepoint so that a concurrent creator's row wins.
    try:
        with session.begin_nested():
            session.execute(insert(LibraryLock).values(name=LIBRARY, taken_at=utc_now()))
    except IntegrityError:
        pass
    session.execute(update(LibraryLock).where(LibraryLock.name == LIBRARY).values(taken_at=utc_now()))
