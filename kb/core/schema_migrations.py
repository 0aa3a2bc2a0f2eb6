"""Bringing a database to the current schema: Alembic revisions under ``migrations/``.

The rule ``create_schema`` applies on every start (app factory, CLI, tests), under a lock so
that several workers starting at once do one thing:

- no table of ours yet (a new database): ``create_all`` from the models, then stamp ``head``:
  one quick step, and the same schema as replaying every revision (``tests/test_migrations.py``);
- a versioned database behind ``head``: ``upgrade head``;
- tables but no Alembic version (made by ``create_all`` before migrations existed, which is the
  schema of the first revision): stamp that first revision, then ``upgrade head``.

No Flask here: the ``flask db-*`` commands (``webapp.migrate_cli``) call these functions.
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
VERSION_TABLE = "alembic_version"
_LOCK_KEY = 12366_0001  # PostgreSQL advisory lock taken while the schema changes


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    return _scripts().get_current_head()


def base_revision() -> str:
    return _scripts().get_base()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def our_tables(connection: Connection) -> list[str]:
    return [name for name in inspect(connection).get_table_names() if name != VERSION_TABLE]


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction, holding the schema lock of the rule above.

    SQLite: foreign keys are off meanwhile (as Alembic advises): a batch migration copies a table and
    drops the old one, and with foreign keys on that drop would delete the rows that refer to it.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                if sqlite:
                    connection.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock, until commit
                else:
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
                yield connection
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def bring_up_to_date(engine: Engine, metadata) -> str:
    """Apply the rule above; return what was done: ``created``, ``upgraded``, ``adopted`` or ``current``."""
    with _migrating(engine) as connection:
        current = current_revision(connection)
        if current == head_revision():
            return "current"
        if current is None:
            if not our_tables(connection):
                metadata.create_all(connection)
                MigrationContext.configure(connection).stamp(_scripts(), "head")
                return "created"
            MigrationContext.configure(connection).stamp(_scripts(), base_revision())
            command.upgrade(alembic_config(connection), "head")
            return "adopted"
        command.upgrade(alembic_config(connection), "head")
        return "upgraded"


def upgrade(engine: Engine, revision: str = "head") -> None:
    with _migrating(engine) as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    with _migrating(engine) as connection:
        command.downgrade(alembic_config(connection), revision)
