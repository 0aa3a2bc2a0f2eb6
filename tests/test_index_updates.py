"""Incremental updates, rebuilds, stale locks and concurrent writers on real documents."""
from __future__ import annotations

import multiprocessing
import os

import pytest
from sqlalchemy import func, select

from indexer import SearchIndex
from kb.core.db import make_engine, make_session_factory
from kb.library.operations import find_document_by_name, mark_repealed
from kb.library.models import Unit

TODAY = "2026-11-27"


@pytest.fixture
def index(make_search_index):
    return make_search_index("契税法(2020-08-11).md", "车船税法(2019-04-23).md")


def _entry_count(index) -> int:
    return index.searcher().doc_count()


def test_imported_document_is_searchable_without_rebuild(index, import_tax, session_factory):
    assert not index.search("烟叶税", today_override=TODAY).results
    before = _entry_count(index)
    report = import_tax("烟叶税法(2017-12-27).md")
    with session_factory() as session:
        index.update_documents(session, report.changed_document_ids)
        units = session.scalar(select(func.count(Unit.id)).where(Unit.document_id.in_(report.changed_document_ids)))
    first = index.search("烟叶税 税率", today_override=TODAY).results[0]
    assert first.doc_title == "中华人民共和国烟叶税法"
    assert _entry_count(index) == before + units


def test_reindexing_a_document_replaces_its_entries(index, session_factory):
    before = _entry_count(index)
    with session_factory() as session:
        document = find_document_by_name(session, "契税法")
        index.update_documents(session, {document.id})
        index.update_documents(session, {document.id})
    assert _entry_count(index) == before


def test_metadata_edit_is_reflected(index, session_factory):
    """Even where a search before the edit read (and remembered) the entries' stored fields."""
    before = index.search("车船税", include_old=True, today_override=TODAY).results
    assert before[0].source == "车船税法(2019-04-23).md" and before[0].status == "有效"
    with session_factory() as session:
        document = find_document_by_name(session, "车船税法")
        changed = mark_repealed(session, document)
        session.commit()
        index.update_documents(session, changed)
    assert all(r.source != "车船税法(2019-04-23).md" for r in index.search("车船税", today_override=TODAY).results)
    old = index.search("车船税", include_old=True, today_override=TODAY).results
    assert old and old[0].outdated and old[0].status == "失效"


def _crash_while_writing(index_dir: str) -> None:
    from whoosh import index as whoosh_index

    from indexer.writing import writer_lock

    with writer_lock(index_dir):
        writer = whoosh_index.open_dir(index_dir).writer()
        writer.add_document(key="article:0", type="article", document_id="0", text="写了一半")
        os._exit(9)  # killed mid-write: no commit, no cleanup


def test_a_writer_that_crashed_leaves_no_stale_lock(index, session_factory, tmp_path):
    crashed = multiprocessing.get_context("fork").Process(target=_crash_while_writing, args=(str(tmp_path / "index"),))
    crashed.start()
    crashed.join(60)
    assert crashed.exitcode == 9
    before = _entry_count(index)
    with session_factory() as session:
        document = find_document_by_name(session, "契税法")
        assert index.update_documents(session, {document.id}) > 0
    assert _entry_count(index) == before
    assert index.search("契税", today_override=TODAY).results


def test_rebuild_keeps_the_same_results(index, session_factory):
    before = index.search("契税 计税依据", today_override=TODAY).results
    with session_factory() as session:
        index.rebuild(session)
    after = index.search("契税 计税依据", today_override=TODAY).results
    assert after[0].key == before[0].key and {r.key for r in after} == {r.key for r in before}


def _write_repeatedly(url: str, index_dir: str, data_dir: str, document_id: int, rounds: int) -> None:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    index = SearchIndex(index_dir, data_dir)
    for _ in range(rounds):
        with factory() as session:
            index.update_documents(session, {document_id})
    engine.dispose()
    index.close()
    os._exit(0)  # skip finalizers of the parent's database connections inherited by fork


def test_concurrent_writers_from_two_processes_do_not_corrupt_the_index(index, session_factory, database_url,
                                                                        tmp_path):
    with session_factory() as session:
        ids = [find_document_by_name(session, name).id for name in ("契税法", "车船税法")]
    expected = _entry_count(index)
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_write_repeatedly,
                               args=(database_url, str(tmp_path / "index"), str(tmp_path), document_id, 5))
               for document_id in ids]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [w.exitcode for w in workers] == [0, 0]
    fresh = SearchIndex(tmp_path / "index", tmp_path)
    try:
        assert _entry_count(fresh) == expected
        keys = [r.key for r in fresh.search("契税 车船税 纳税人", limit=200, today_override=TODAY).results]
        assert len(keys) == len(set(keys))
    finally:
        fresh.close()


def test_a_search_answers_when_another_writer_commits_while_it_runs(index, session_factory, monkeypatch):
    """Another writer on the folder (the applier thread, a second process) commits right after each look the
    search takes at the newest generation, deleting the generation it saw: the search answers from the
    generation its searcher holds open, and the next search reads the new one."""
    from whoosh.index import TOC

    with session_factory() as session:
        document_id = find_document_by_name(session, "契税法").id

    def keys() -> list[str]:
        return [r.key for r in index.search("契税 土地", today_override=TODAY).results]

    before = keys()  # the searcher is open
    generation = index.searcher().reader().generation()
    listed = TOC._latest_generation
    committing = False

    def list_then_commit(cls, storage, indexname):
        nonlocal committing
        newest = listed(storage, indexname)
        if not committing:  # not the writer's own looks
            committing = True
            try:
                with session_factory() as session:
                    index.update_documents(session, {document_id})
            finally:
                committing = False
        return newest

    with monkeypatch.context() as patch:
        patch.setattr(TOC, "_latest_generation", classmethod(list_then_commit))
        assert keys() == before  # the index as it was
    assert keys() == before  # the same entries, written again
    assert index.searcher().reader().generation() > generation


def test_updating_a_document_whose_successor_was_revised_again(make_search_index, session_factory, tmp_path):
    """A chain of three versions: re-indexing the oldest alone follows successor → successor's
    successor, which the batch did not load (was: DetachedInstanceError at the end of an import)."""
    from kb.library.importing import import_paths

    index = make_search_index("发票管理办法(2019-03-02).md", "发票管理办法(2023-07-20).md")
    from tests.conftest import TAX

    later = tmp_path / "发票管理办法(2030-01-01).md"
    later.write_text((TAX / "发票管理办法(2023-07-20).md").read_text(encoding="utf-8")
                     + "\n第九十九条 本办法的新条文。\n", encoding="utf-8")
    report = import_paths(session_factory, [later])
    assert report.ok, report.failed
    with session_factory() as session:
        oldest = find_document_by_name(session, "发票管理办法(2019-03-02).md")
        assert oldest.superseded_by.superseded_by is not None  # a chain of three
        oldest_id = oldest.id
    with session_factory() as session:
        assert index.update_documents(session, {oldest_id}) > 0
    stored = [hit for hit in index.searcher().documents(document_id=str(oldest_id))]
    assert stored and all(len(hit["meta"]["successor_ids"]) == 2 for hit in stored)
