"""Alembic migrations: replaying them builds exactly the models' schema, and they go back down."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from kb.core import schema_migrations
from kb.core.db import Base, create_schema, make_engine, register_models


def _differences(connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, Base.metadata)


def test_upgrade_head_builds_the_models_schema_and_downgrade_base_removes_it(database_url):
    register_models()
    engine = make_engine(database_url)
    try:
        schema_migrations.upgrade(engine, "head")
        with engine.connect() as connection:
            # A model changed without a migration shows up here.
            assert _differences(connection) == []
            assert schema_migrations.current_revision(connection) == schema_migrations.head_revision()
            assert set(schema_migrations.our_tables(connection)) == set(Base.metadata.tables)
        schema_migrations.downgrade(engine, "base")
        with engine.connect() as connection:
            assert schema_migrations.our_tables(connection) == []
            assert schema_migrations.current_revision(connection) is None
    finally:
        engine.dispose()


def test_create_schema_creates_then_leaves_a_current_database_alone(database_url):
    engine = make_engine(database_url)
    try:
        assert create_schema(engine) == "created"
        assert create_schema(engine) == "current"
        with engine.connect() as connection:
            assert _differences(connection) == []
            assert schema_migrations.current_revision(connection) == schema_migrations.head_revision()
    finally:
        engine.dispose()


def test_create_schema_adopts_a_database_made_before_migrations(database_url):
    register_models()
    engine = make_engine(database_url)
    try:
        # Before migrations existed every start ran create_all: the schema of the first revision, no version.
        schema_migrations.upgrade(engine, schema_migrations.base_revision())
        with engine.begin() as connection:
            connection.execute(text(f"DELETE FROM {schema_migrations.VERSION_TABLE}"))
        assert create_schema(engine) == "adopted"
        with engine.connect() as connection:
            assert schema_migrations.current_revision(connection) == schema_migrations.head_revision()
            assert _differences(connection) == []
    finally:
        engine.dispose()


def test_upgrading_a_library_keeps_and_completes_its_rows(database_url, session_factory, import_tax):
    """Data written at the first revision's schema survives every later revision (and comes back down)."""
    import_tax("税收征收管理法(2015-04-24).md")
    engine = make_engine(database_url)
    try:
        count = "SELECT count(*) FROM units"
        with engine.connect() as connection:
            before = connection.execute(text(count)).scalar()
        assert before > 0
        schema_migrations.downgrade(engine, schema_migrations.base_revision())
        with engine.connect() as connection:
            assert connection.execute(text(count)).scalar() == before
        schema_migrations.upgrade(engine, "head")
        with engine.connect() as connection:
            assert connection.execute(text(count)).scalar() == before
            assert _differences(connection) == []
            keys = connection.execute(text("SELECT title, title_key FROM documents")).all()
        assert keys and all(key for _title, key in keys)
    finally:
        engine.dispose()


def test_migration_commands(app, runner):
    result = runner.invoke(args=["db-current"])
    assert result.exit_code == 0, result.output
    head = schema_migrations.head_revision()
    assert f"数据库结构版本：{head}" in result.output and "已是最新" in result.output

    result = runner.invoke(args=["db-downgrade", "base", "--yes"])
    assert result.exit_code == 0, result.output
    assert f"{head} → 无（空库）" in result.output
    engine = app.extensions["kb_storage"].engine
    assert [t for t in inspect(engine).get_table_names() if t != schema_migrations.VERSION_TABLE] == []

    result = runner.invoke(args=["db-upgrade"])
    assert result.exit_code == 0, result.output
    assert f"无（空库） → {head}" in result.output
    with engine.connect() as connection:
        assert _differences(connection) == []
