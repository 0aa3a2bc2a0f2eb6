"""The search index's outbox: rows written with the change, and indexes that follow them.

``kb.search.index_outbox`` writes one ``index_changes`` row per changed document or FAQ entry in the
transaction that changes it; ``indexer.following`` applies the rows after an index's watermark.
No Flask here except the last test (two apps, each with its own index folder, one database).
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from indexer import SearchIndex, following
from kb.core.actors import SYSTEM
from kb.core.db import transaction
from kb.faq.operations import FaqData, create_entry, publish_entry, record_usage, retire_entry, submit_entry
from kb.faq.models import FaqEntry
from kb.search.index_outbox import DOCUMENT, FAQ, KEEP_DAYS, change_span, changes_after, latest_change_id, prune_changes
from kb.library.operations import find_document_by_name, mark_repealed
from kb.library.models import Document
from kb.search.models import IndexChange
from kb.library.uploads import repeal_document
from kb.core.timestamps import utc_now
from tests.conftest import TAX

TODAY = "2026-11-27"
CTL = "税收征收管理法(2015-04-24).md"


def _rows(session_factory) -> list[tuple[str, int]]:
    with session_factory() as session:
        return [tuple(row) for row in session.execute(
            select(IndexChange.kind, IndexChange.target_id).order_by(IndexChange.id))]


def _latest(session_factory) -> int:
    with session_factory() as session:
        return latest_change_id(session)


def _titles(index: SearchIndex, query: str) -> list[str]:
    return [r.doc_title for r in index.search(query, limit=50, today_override=TODAY).results]


@pytest.fixture
def follower(session_factory, tmp_path):
    """Builder: a search index in its own folder, following the test database's outbox."""
    indexes = []

    def build(name: str = "index") -> SearchIndex:
        index = SearchIndex(tmp_path / name, tmp_path)
        indexes.append(index)
        return index

    yield build
    for index in indexes:
        index.close()


def _publish_question(session_factory, question: str) -> int:
    with transaction(session_factory) as session:
        entry = create_entry(session, SYSTEM, FaqData(
            question=question, answer="纳税人必须依照法律、行政法规规定的申报期限办理纳税申报。",
            citations=["《中华人民共和国税收征收管理法》第二十五条"]))
        submit_entry(session, SYSTEM, entry)
        publish_entry(session, SYSTEM, entry)
        return entry.id


# -- writing the rows ---------------------------------------------------------------------------

def test_an_import_writes_one_row_per_changed_document_with_its_commit(import_tax, session_factory):
    report = import_tax("增值税法(2024-12-25).md", "车船税法(2019-04-23).md")
    rows = _rows(session_factory)
    assert sorted(rows) == sorted((DOCUMENT, i) for i in report.changed_document_ids)
    assert len(rows) == 2  # one per document and transaction, not one per unit or flush


def test_the_rows_commit_with_the_change_and_not_before(session_factory, import_tax):
    import_tax("车船税法(2019-04-23).md")
    before = _rows(session_factory)
    with session_factory() as session:
        document = find_document_by_name(session, "车船税法")
        mark_repealed(session, document)
        session.flush()
        # Flushed but not committed: another connection sees no row yet.
        assert _rows(session_factory) == before
        session.commit()
        document_id = document.id
    assert _rows(session_factory) == before + [(DOCUMENT, document_id)]


def test_a_rolled_back_change_leaves_no_row_and_no_note_for_the_next_commit(session_factory, import_tax):
    import_tax("车船税法(2019-04-23).md")
    before = _rows(session_factory)
    with session_factory() as session:
        document = find_document_by_name(session, "车船税法")
        mark_repealed(session, document)
        session.flush()
        session.rollback()
        session.commit()  # nothing changed since the rollback: nothing to record
    with pytest.raises(RuntimeError):
        with transaction(session_factory) as session:
            session.add(Document(title="不会保存的文件", source_name="x.md", source_hash="0", source_format="md"))
            session.flush()
            raise RuntimeError("the request failed")
    assert _rows(session_factory) == before


def test_the_outbox_is_written_by_the_sessions_of_the_apps_factory_only(session_factory, engine, import_tax):
    """The listeners are registered by ``kb.core.db.make_session_factory`` on its factory, not on every
    ``Session`` of the process by importing ``kb.library.models``: a session made elsewhere writes nothing."""
    from sqlalchemy.orm import sessionmaker

    import_tax("车船税法(2019-04-23).md")
    mark = _latest(session_factory)
    with sessionmaker(bind=engine).begin() as session:
        find_document_by_name(session, "车船税法").units[0].text += "（另一个会话）"
    assert _latest(session_factory) == mark
    with transaction(session_factory) as session:
        document = find_document_by_name(session, "车船税法")
        document.units[0].text += "（应用的会话）"
        document_id = document.id
    assert _rows(session_factory)[-1] == (DOCUMENT, document_id) and _latest(session_factory) > mark


def test_faq_changes_are_recorded_and_usage_counts_are_not(session_factory, import_tax):
    import_tax(CTL)
    start = _latest(session_factory)
    entry_id = _publish_question(session_factory, "逾期申报怎么办？")
    with session_factory() as session:
        assert changes_after(session, start).faq_ids == {entry_id}
    mark = _latest(session_factory)
    with transaction(session_factory) as session:
        entry = session.get_one(FaqEntry, entry_id)
        record_usage(session, SYSTEM, entry, "shown")
        record_usage(session, SYSTEM, entry, "helpful")
    assert _latest(session_factory) == mark
    with transaction(session_factory) as session:
        retire_entry(session, SYSTEM, session.get_one(FaqEntry, entry_id))
    assert _rows(session_factory)[-1] == (FAQ, entry_id)


def test_a_change_the_index_does_not_show_writes_no_row(session_factory, import_tax):
    import_tax("车船税法(2019-04-23).md")
    mark = _latest(session_factory)
    with transaction(session_factory) as session:
        find_document_by_name(session, "车船税法").issuer = "全国人民代表大会常务委员会"
    assert _latest(session_factory) == mark
    with transaction(session_factory) as session:
        document = find_document_by_name(session, "车船税法")
        document.units[0].text += "（测试）"
        document_id = document.id
    assert _rows(session_factory)[-1] == (DOCUMENT, document_id)


def test_deleting_a_document_is_recorded(session_factory, import_tax):
    import_tax("车船税法(2019-04-23).md")
    with transaction(session_factory) as session:
        document = find_document_by_name(session, "车船税法")
        document_id = document.id
        session.delete(document)
    assert _rows(session_factory)[-1] == (DOCUMENT, document_id)


# -- following them -------------------------------------------------------------------------------

def test_an_index_applies_the_rows_after_its_watermark_once(session_factory, import_tax, follower):
    import_tax("契税法(2020-08-11).md")
    index = follower()
    entries, watermark = following.rebuild(index, session_factory)
    assert entries > 0 and following.read_watermark(index.index_dir) == watermark == _latest(session_factory)

    report = import_tax("增值税法(2024-12-25).md")
    assert "中华人民共和国增值税法" not in _titles(index, "增值税法 纳税人")
    applied = following.apply_changes(index, session_factory)
    assert applied.changes == 1 and applied.document_ids == report.changed_document_ids and applied.entries > 0
    assert applied.watermark == following.read_watermark(index.index_dir) == _latest(session_factory)
    assert "中华人民共和国增值税法" in _titles(index, "增值税法 纳税人")

    again = following.apply_changes(index, session_factory)
    assert again.changes == 0 and again.entries == 0 and again.watermark == applied.watermark


def test_applying_rows_again_is_harmless(session_factory, import_tax, follower):
    """A crash between the index commit and the watermark write: the rows are applied twice."""
    index = follower()
    following.rebuild(index, session_factory)
    import_tax("增值税法(2024-12-25).md", "车船税法(2019-04-23).md")
    following.apply_changes(index, session_factory)
    count, titles = index.searcher().doc_count(), _titles(index, "车船税 车辆")
    following.write_watermark(index.index_dir, 0)
    again = following.apply_changes(index, session_factory)
    assert again.changes == 2
    assert index.searcher().doc_count() == count and _titles(index, "车船税 车辆") == titles


def test_a_metadata_change_reaches_the_index_and_the_faq_cards_citing_it(session_factory, import_tax, follower):
    import_tax(CTL)
    entry_id = _publish_question(session_factory, "纳税申报期限是怎么规定的？")
    index = follower()
    following.rebuild(index, session_factory)
    card = index.search("纳税申报期限是怎么规定的", today_override=TODAY).results[0]
    assert card.type == "faq" and card.faq_id == entry_id and card.citations[0]["status"] == "有效"

    with transaction(session_factory) as session:  # the policy office's repeal (kb.library.uploads) flags the FAQ too
        repeal_document(session, SYSTEM, find_document_by_name(session, "税收征收管理法").id)
    applied = following.apply_changes(index, session_factory)
    assert entry_id in applied.faq_ids  # flagged 需复核, and citing the changed document
    card = index.search("纳税申报期限是怎么规定的", today_override=TODAY).results[0]
    assert card.needs_review and card.citations[0]["status"] == "失效"


def test_the_workers_of_one_host_apply_a_change_once(session_factory, import_tax, follower):
    first, second = follower("shared"), follower("shared")  # two processes' views of one folder
    following.rebuild(first, session_factory)
    import_tax("车船税法(2019-04-23).md")
    assert following.apply_changes(first, session_factory).changes == 1
    assert following.apply_changes(second, session_factory).changes == 0
    assert "中华人民共和国车船税法" in _titles(second, "车船税 车辆")
    with following.follow_lock(first.index_dir):  # another worker is applying: a search does not wait
        assert following.apply_changes(second, session_factory, wait=False).busy


def test_two_index_folders_follow_one_database(session_factory, import_tax, follower):
    here, there = follower("here"), follower("there")
    import_tax("车船税法(2019-04-23).md", CTL)
    for index in (here, there):
        following.apply_changes(index, session_factory)  # no watermark yet: from the first row on
        assert "中华人民共和国车船税法" in _titles(index, "车船税 车辆")
    _publish_question(session_factory, "逾期申报怎么办？")
    import_tax("烟叶税法(2017-12-27).md")
    for index in (here, there):
        assert following.apply_changes(index, session_factory).changes == 2
        assert "中华人民共和国烟叶税法" in _titles(index, "烟叶税 税率")


def test_old_rows_are_pruned_and_an_index_left_behind_is_rebuilt(session_factory, import_tax, follower):
    index = follower()
    import_tax("车船税法(2019-04-23).md", "契税法(2020-08-11).md")
    following.apply_changes(index, session_factory)  # the watermark: row 2
    import_tax("烟叶税法(2017-12-27).md", "增值税法(2024-12-25).md")
    with transaction(session_factory) as session:
        assert prune_changes(session) == 0  # nothing old yet
        # Every row but the newest is past the keeping period.
        assert prune_changes(session, now=utc_now() + dt.timedelta(days=KEEP_DAYS, minutes=1)) == 3
    with session_factory() as session:
        span = change_span(session)
        assert span.oldest == span.latest == 4 and not span.covers(2) and span.covers(3) and span.covers(4)
    applied = following.apply_changes(index, session_factory)
    assert applied.rebuilt and applied.watermark == 4
    assert "中华人民共和国烟叶税法" in _titles(index, "烟叶税 税率")


def test_an_index_that_followed_another_database_is_rebuilt(session_factory, import_tax, follower):
    index = follower()
    import_tax("车船税法(2019-04-23).md")
    following.write_watermark(index.index_dir, 99)  # ahead of this database's outbox
    applied = following.apply_changes(index, session_factory)
    assert applied.rebuilt and applied.watermark == 1
    assert "中华人民共和国车船税法" in _titles(index, "车船税 车辆")


def test_two_apps_with_their_own_index_folders_follow_each_other(database_url, tmp_path):
    """The web layer: what one app commits is applied by the other before its next search."""
    from webapp import create_app, search_index
    from kb.library.importing import import_paths

    apps = [create_app({"TESTING": True, "KB_DATA_DIR": str(tmp_path / name), "KB_DATABASE_URL": database_url,
                        "KB_LOAD_SAMPLE": "0", "KB_SECRET_KEY": "test"}) for name in ("a", "b")]
    a, b = apps
    try:
        assert a.config["KB_INDEX_DIR"] != b.config["KB_INDEX_DIR"]
        search_index.rebuild(b)
        report = import_paths(a.extensions["kb_storage"].session_factory, [TAX / "车船税法(2019-04-23).md"])
        search_index.index_documents(a, report.changed_document_ids)  # as an import does after its commit
        assert "中华人民共和国车船税法" in [r["doc_title"] for r in search_index.search(a, "车船税 车辆")]
        b.extensions["kb_index_follower"].checked_at = float("-inf")  # its next look is due
        assert search_index.search(b, "车船税 车辆") == []  # answered at once; b's applier is woken
        assert search_index.wait_until_applied(b, timeout=60)
        assert "中华人民共和国车船税法" in [r["doc_title"] for r in search_index.search(b, "车船税 车辆")]
        with b.extensions["kb_storage"].session_factory() as session:
            assert following.read_watermark(b.config["KB_INDEX_DIR"]) == latest_change_id(session)
    finally:
        for app in apps:
            app.extensions["kb_storage"].engine.dispose()


def test_the_directors_vocabulary_reaches_every_host(database_url, tmp_path):
    """A word added on one host (``flask dictionary add``) and a synonym saved there: the other host
    writes the same files into its data folder and re-indexes the documents containing the word."""
    from indexer import vocabulary, vocabulary_sharing
    from kb.library.importing import import_paths
    from webapp import create_app, search_index

    apps = [create_app({"TESTING": True, "KB_DATA_DIR": str(tmp_path / name), "KB_DATABASE_URL": database_url,
                        "KB_LOAD_SAMPLE": "0", "KB_SECRET_KEY": "test"}) for name in ("a", "b")]
    a, b = apps
    word = "税控装置"  # in 发票管理办法; jieba cuts it into 税控 + 装置
    try:
        factory = a.extensions["kb_storage"].session_factory
        import_paths(factory, [TAX / "发票管理办法(2023-07-20).md"])
        for app in apps:
            search_index.rebuild(app)
        result = a.test_cli_runner().invoke(args=["dictionary", "add", word])
        assert result.exit_code == 0, result.output
        assert "已重新索引" in result.output
        with transaction(factory) as session:  # a synonym saved on host a, as its page does
            vocabulary_sharing.pull(session, a.config["KB_DATA_DIR"], for_update=True)
            vocabulary.save_synonym(a.config["KB_DATA_DIR"], "钱袋子", ["税控装置"], "abbr")
            vocabulary_sharing.push(session, a.config["KB_DATA_DIR"], vocabulary.OVERRIDE_NAME)

        b.extensions["kb_index_follower"].checked_at = float("-inf")  # b's next look is due
        search_index.search(b, "钱袋子")  # wakes b's applier
        assert search_index.wait_until_applied(b, timeout=60)
        assert "中华人民共和国发票管理办法" in [r["doc_title"] for r in search_index.search(b, "钱袋子")]
        for name in (vocabulary.USER_DICT_NAME, vocabulary.OVERRIDE_NAME):
            there = (tmp_path / "b" / name).read_text(encoding="utf-8")
            assert there == (tmp_path / "a" / name).read_text(encoding="utf-8")
        assert word in (tmp_path / "b" / vocabulary.USER_DICT_NAME).read_text(encoding="utf-8")
        searcher = search_index.get_index(b).searcher()  # b's entries were cut with the word
        assert searcher.doc_frequency("text", word) > 0
    finally:
        for app in apps:
            app.extensions["kb_storage"].engine.dispose()
        vocabulary.remove_word(tmp_path / "a", word)  # the segmenter is one per process
        vocabulary.apply_now(tmp_path / "a")


def test_a_search_never_rebuilds_but_starts_a_rebuild_in_the_background(database_url, tmp_path):
    """An index further behind than the outbox reaches is rebuilt in a thread: the search that
    notices it answers at once from the index as it is."""
    from webapp import create_app, search_index
    from kb.library.importing import import_paths

    app = create_app({"TESTING": True, "KB_DATA_DIR": str(tmp_path / "a"), "KB_DATABASE_URL": database_url,
                      "KB_LOAD_SAMPLE": "0", "KB_SECRET_KEY": "test"})
    try:
        search_index.rebuild(app)
        factory = app.extensions["kb_storage"].session_factory
        import_paths(factory, [TAX / "车船税法(2019-04-23).md"])
        following.write_watermark(app.config["KB_INDEX_DIR"], 99)  # ahead of this database's outbox
        follower = app.extensions["kb_index_follower"]
        follower.checked_at = float("-inf")
        assert search_index.search(app, "车船税 车辆") == []  # answered from the index as it was
        assert search_index.wait_until_applied(app, timeout=60)
        assert "中华人民共和国车船税法" in [r["doc_title"] for r in search_index.search(app, "车船税 车辆")]
        with factory() as session:
            assert following.read_watermark(app.config["KB_INDEX_DIR"]) == latest_change_id(session)
    finally:
        app.extensions["kb_storage"].engine.dispose()


def test_rows_are_numbered_in_commit_order(session_factory, import_tax, database_url):
    """A follower reads "every row after my watermark": a row must not get a lower id than one
    already committed. The row is inserted at commit (under a lock on PostgreSQL), not at the flush."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one transaction write at a time: the second would wait for the first")
    import_tax("车船税法(2019-04-23).md", "契税法(2020-08-11).md")
    with session_factory() as first:
        early = find_document_by_name(first, "车船税法")
        early.status = "部分失效"
        first.flush()  # changed first ...
        with transaction(session_factory) as second:
            late = find_document_by_name(second, "契税法")
            late.status = "部分失效"
        first.commit()  # ... committed last
        with session_factory() as session:
            rows = session.execute(select(IndexChange.id, IndexChange.target_id).order_by(IndexChange.id)).all()
        assert [target for _id, target in rows[-2:]] == [late.id, early.id]


def test_a_request_that_changes_the_library_is_searchable_when_it_answers_without_asking(app, import_tax):
    """One after-commit hook hands what a request wrote to the outbox to the applier: a view that
    only calls a ``kb`` operation (and schedules nothing) answers with its change already indexed."""
    from webapp import search_index
    from webapp.storage import db_session

    import_tax(CTL)
    search_index.rebuild(app)
    factory = app.extensions["kb_storage"].session_factory
    with transaction(factory) as session:
        entry = create_entry(session, SYSTEM, FaqData(
            question="纳税人搬家后多久内要办理税务变更登记？", answer="自变更之日起三十日内。",
            citations=["《中华人民共和国税收征收管理法》第十六条"]))
        submit_entry(session, SYSTEM, entry)
        entry_id = entry.id

    @app.get("/test-publish/<int:entry_id>")  # GET: no CSRF token to fetch first
    def publish_view(entry_id):  # a view as the house style writes them: parse, call kb, answer
        session = db_session()
        publish_entry(session, SYSTEM, session.get(FaqEntry, entry_id))
        return "ok"

    app.extensions["kb_index_follower"].checked_at = float("inf")  # no look at the outbox before a search
    assert app.test_client().get(f"/test-publish/{entry_id}").status_code == 200
    results = search_index.search(app, "纳税人搬家后多久内要办理税务变更登记")
    assert results and results[0]["type"] == "faq" and results[0]["faq_id"] == entry_id
