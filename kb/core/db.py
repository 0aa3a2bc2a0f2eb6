"""Storage plumbing: the declarative base, engines and sessions.

Domain operations take a ``Session`` and never commit; the caller (the end of a web request,
or a CLI command) owns the single commit point. A SQLite file holds callers' identities and
password hashes: it is made readable by its owner only (0600), and so are its ``-wal`` and
``-shm`` files, which SQLite creates with the database file's permissions.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Iterator, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from kb.core.errors import NotFound

T = TypeVar("T")


class Base(DeclarativeBase):
    pass


def sqlite_url(data_dir: str | Path) -> str:
    return f"sqlite:///{Path(data_dir) / 'kb.sqlite3'}"


PRIVATE_MODE = 0o600


def make_private(path: str | Path) -> None:
    """Create ``path`` when missing, readable and writable by its owner only (0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_MODE)
    try:
        os.fchmod(fd, PRIVATE_MODE)
    finally:
        os.close(fd)


def _private_sqlite_files(database: str | None) -> None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.is_dir():
        return
    make_private(path)  # an empty file is an empty SQLite database
    for companion in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if companion.exists():
            os.chmod(companion, PRIVATE_MODE)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        _private_sqlite_files(engine.url.database)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


# Each feature package of kb (``kb.<feature>``) may hold, by name:
MODELS = "models"  # its tables (a module, or a package that imports its modules)
SESSION_EVENTS = "session_events"  # ``watch(factory) -> factory``: listeners for every session of the application


def feature_modules(name: str) -> list[ModuleType]:
    """``kb.<feature>.<name>`` for every feature package of kb that has one, imported: found, not listed,
    so that a new feature needs no edit here."""
    import kb

    found = []
    for package in pkgutil.iter_modules(kb.__path__):
        if package.ispkg and importlib.util.find_spec(f"kb.{package.name}.{name}") is not None:
            found.append(importlib.import_module(f"kb.{package.name}.{name}"))
    return found


def register_models() -> None:
    """Import every feature's ``models``, which registers its tables on ``Base.metadata``."""
    feature_modules(MODELS)


def create_schema(engine: Engine) -> str:
    """Bring the database to the current schema (see ``kb.core.schema_migrations`` for the rule)."""
    from kb.core.schema_migrations import bring_up_to_date

    register_models()
    return bring_up_to_date(engine, Base.metadata)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on ``engine``, watched by every feature's ``session_events`` (``kb.search.session_events``:
    each session writes the search index's outbox in the transaction that changes the library)."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    for module in feature_modules(SESSION_EVENTS):
        factory = module.watch(factory)
    return factory


def get_or_not_found(session: Session, model: type[T], ident, what: str) -> T:
    """The row of ``model`` with primary key ``ident``, or ``NotFound`` saying "{what} {ident} 不存在"
    (or "未指明{what}" when ``ident`` is None)."""
    if ident is None:
        raise NotFound(f"未指明{what}")
    row = session.get(model, ident)
    if row is None:
        raise NotFound(f"{what} {ident} 不存在")
    return row


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
