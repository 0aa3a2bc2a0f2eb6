"""Fixtures: a fresh database per test (SQLite, or PostgreSQL when KB_TEST_DATABASE_URL is set),
builders that import real documents from the shipped policy library, and a Flask app."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from kb.core.db import Base, create_schema, make_engine, make_session_factory
from kb.library.importing import import_paths, load_catalog

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
TAX = POLICIES / "tax"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def database_url(tmp_path):
    url = os.environ.get("KB_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    engine = make_engine(url)
    from kb.core.db import register_models

    register_models()

    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(connection)
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    create_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine):
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory):
    with session_factory() as session:
        yield session


@pytest.fixture
def tax_catalog():
    return load_catalog(TAX / "catalog.csv")


@pytest.fixture
def import_tax(session_factory, tax_catalog):
    """Builder: import the named files of policies/tax (all of them when none are named)."""

    def build(*names: str):
        paths = [TAX / name for name in names] if names else [TAX]
        catalog = {k: v for k, v in tax_catalog.items() if not names or k in names}
        report = import_paths(session_factory, paths, catalog)
        assert report.ok, report.failed or report.errors
        return report

    return build


@pytest.fixture
def make_search_index(session_factory, import_tax, tmp_path):
    """Builder: import the named files of policies/tax and build a search index over them."""
    from indexer import SearchIndex

    indexes = []

    def build(*names: str):
        import_tax(*names)
        index = SearchIndex(tmp_path / "index", tmp_path)
        indexes.append(index)
        with session_factory() as session:
            index.rebuild(session)
        return index

    yield build
    for index in indexes:
        index.close()


@pytest.fixture
def app(database_url, tmp_path):
    from webapp import create_app

    app = create_app({
        "TESTING": True,
        "KB_DATA_DIR": str(tmp_path / "data"),
        "KB_DATABASE_URL": database_url,
        "KB_LOAD_SAMPLE": "0",
        "KB_SECRET_KEY": "test",
    })
    yield app
    app.extensions["kb_storage"].engine.dispose()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
