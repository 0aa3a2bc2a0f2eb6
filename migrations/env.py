"""Alembic's environment: the schema is ``kb.core.db.Base.metadata`` (every model module registered).

Which database:
- a connection handed over by the caller (``kb.core.schema_migrations``, the ``flask db-*`` commands):
  ``config.attributes["connection"]``; the caller owns its transaction;
- otherwise ``-x url=...``, then ``sqlalchemy.url`` in the ini file, then ``KB_DATABASE_URL``,
  then the default SQLite file ``kb.sqlite3`` in ``KB_DATA_DIR`` (Flask's ``instance/``).

SQLite cannot alter most things in place, so migrations are rendered and run in batch mode.
"""
from __future__ import annotations

import os
from pathlib import Path

from alembic import context

from kb.core.db import Base, make_engine, register_models, sqlite_url

register_models()
config = context.config
target_metadata = Base.metadata
ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    return url or os.environ.get("KB_DATABASE_URL") or sqlite_url(os.environ.get("KB_DATA_DIR") or ROOT / "instance")


def configure(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True,
                      render_as_batch=connection.dialect.name == "sqlite")


def run_offline() -> None:
    url = database_url()
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True, compare_type=True,
                      render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(database_url())
    try:
        with engine.connect() as connection:
            configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
