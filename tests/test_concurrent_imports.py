"""Two imports of the same folder at the same time leave what one import leaves (no document
stored twice), on SQLite and PostgreSQL: ``kb.library.import_lock`` serialises them."""
from __future__ import annotations

import multiprocessing
import os

from sqlalchemy import func, select

from kb.core.db import make_engine, make_session_factory
from kb.library.importing import import_paths
from kb.library.models import Document, Unit
from tests.conftest import ROOT, TAX

FILES = sorted(TAX.glob("*.md"))[:12] + sorted((ROOT / "tests" / "data" / "民法典").glob("*.md"))


def _import(database_url: str, barrier) -> None:
    engine = make_engine(database_url)
    barrier.wait()
    report = import_paths(make_session_factory(engine), FILES)
    engine.dispose()
    os._exit(0 if report.ok else 3)


def test_two_imports_at_once_store_each_document_once(session_factory, database_url, engine):
    with session_factory() as session:  # the schema exists before the racing processes start
        assert session.scalar(select(func.count(Document.id))) == 0
    engine.dispose()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2)
    workers = [context.Process(target=_import, args=(database_url, barrier)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(300)
    assert [w.exitcode for w in workers] == [0, 0]
    with session_factory() as session:
        versions = session.execute(select(Document.title, Document.published_on)).all()
        assert len(versions) == len(set(versions)) == 12 + 1  # twelve files of laws and the Civil Code
        assert session.scalar(select(func.count(Unit.id)).where(Unit.kind == "article",
                                                                Unit.source_name.is_not(None))) == 1260
