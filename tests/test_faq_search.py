"""FAQ entries in the search index: the answer card for a paraphrased question, retired entries gone,
flagged entries with their warning, rebuild and check, the CLI's JSON (real documents, real index)."""
from __future__ import annotations

import json

import pytest

from indexer import SearchIndex
from indexer.faq_entries import gap_key
from indexer.faq_index_entries import entries_citing
from kb.core.actors import SYSTEM
from kb.core.db import transaction
from kb.faq.operations import FaqData, create_entry, get_entry, publish_entry, retire_entry, submit_entry
from kb.faq.models import NEEDS_REVIEW_WARNING
from kb.library.operations import find_document_by_name
from kb.library.uploads import repeal_document

TODAY = "2026-11-27"
QUESTION = "不能按期申报，可以申请延期申报吗？"
PHRASINGS = ["来不及报税了怎么办", "申报期内报不了税能延期吗"]
BASIS = "《中华人民共和国税收征收管理法》第二十七条"


@pytest.fixture
def library(import_tax):
    import_tax("税收征收管理法(2015-04-24).md", "税收征收管理法实施细则(2016-02-06).md", "车船税法(2019-04-23).md")


@pytest.fixture
def make_published(session_factory):
    """Builder: a published FAQ entry citing real articles; returns its id."""

    def build(question=QUESTION, phrasings=PHRASINGS, citations=(BASIS,), answer="可以。经税务机关核准，可以延期申报。"):
        with transaction(session_factory) as session:
            entry = create_entry(session, SYSTEM, FaqData(question=question, phrasings=list(phrasings), answer=answer,
                                                        citations=list(citations), tax_types=["征收管理"]))
            submit_entry(session, SYSTEM, entry)
            publish_entry(session, SYSTEM, entry)
            return entry.id

    return build


@pytest.fixture
def index(tmp_path):
    index = SearchIndex(tmp_path / "index", tmp_path)
    yield index
    index.close()


def _rebuild(index, session_factory):
    with session_factory() as session:
        return index.rebuild(session)


def _card(index, query):
    results = index.search(query, today_override=TODAY).results
    return results[0] if results and results[0].type == "faq" else None


def test_a_published_entry_answers_its_phrasings_and_a_paraphrase(library, make_published, index, session_factory):
    entry_id = make_published()
    _rebuild(index, session_factory)
    for query in (QUESTION, PHRASINGS[0], "报税来不及了，可以延期申报吗"):
        card = _card(index, query)
        assert card is not None, query
        assert card.faq_id == entry_id and card.question == QUESTION
    data = _card(index, PHRASINGS[1]).to_dict()
    assert data["type"] == "faq" and data["faq_id"] == entry_id and data["needs_review"] is False
    assert data["citations"][0]["citation"] == BASIS and data["citations"][0]["status"] == "有效"
    assert "延期申报" in data["answer_html"] and data["answer_html"].startswith("<p>")
    article = index.search("延期申报 核准", today_override=TODAY).results[-1].to_dict()
    assert set(article) <= set(data)  # the same display fields as an article
    # The articles follow the card; the FAQ entry is never listed among them.
    results = index.search(PHRASINGS[0], today_override=TODAY).results
    assert [r.type for r in results[1:]] == ["article"] * (len(results) - 1)


def test_the_card_lists_first_the_basis_that_matches_the_question(library, make_published, index, session_factory):
    """The director lists the rule first and its detailed rules after; a question about the
    detail reads the detailed article first. Citations not among the results keep their order."""
    rule = "《中华人民共和国税收征收管理法》第二十七条"  # 延期申报: 经税务机关核定
    detail = "《中华人民共和国税收征收管理法实施细则》第三十七条"  # 不可抗力 …… 书面延期申请
    other = "《中华人民共和国车船税法》第一条"
    make_published(citations=(rule, other, detail), phrasings=PHRASINGS + ["遇到不可抗力来不及申报，怎么申请延期"])
    _rebuild(index, session_factory)
    card = _card(index, "遇到不可抗力来不及申报，怎么申请延期")
    assert card is not None
    order = [c["citation"] for c in card.citations]
    assert order.index(detail) < order.index(rule) and order[-1] == other
    assert card.unit_id == card.citations[0]["unit_id"]
    # A question about the rule itself reads the rule first (QUESTION says 申请延期, the detail's 延期申请:
    # with the character pairs counted, it reads the detail first, which states how to apply).
    card = _card(index, PHRASINGS[1])
    assert [c["citation"] for c in card.citations][0] == rule


def test_no_card_for_a_question_it_does_not_answer(library, make_published, index, session_factory):
    make_published()
    _rebuild(index, session_factory)
    for query in ("车船税 税额", "征管法第27条", "纳税人 账簿 保存 期限"):
        assert _card(index, query) is None, query


def test_drafts_and_retired_entries_are_not_in_search(library, make_published, index, session_factory):
    entry_id = make_published()
    with transaction(session_factory) as session:
        draft = create_entry(session, SYSTEM, FaqData(question="车船税在哪里交？", answer="…", citations=[]))
    _rebuild(index, session_factory)
    assert _card(index, "车船税在哪里交") is None
    assert _card(index, PHRASINGS[0]).faq_id == entry_id
    with transaction(session_factory) as session:
        retire_entry(session, SYSTEM, get_entry(session, entry_id))
    with session_factory() as session:
        index.update_faq(session, {entry_id, draft.id})
    assert _card(index, PHRASINGS[0]) is None
    assert all(r.type == "article" for r in index.search(QUESTION, today_override=TODAY).results)


def test_an_entry_flagged_by_a_repeal_shows_the_warning(library, make_published, index, session_factory):
    entry_id = make_published(citations=(BASIS, "《中华人民共和国税收征收管理法实施细则》第三十七条"))
    _rebuild(index, session_factory)
    assert not _card(index, PHRASINGS[0]).needs_review
    with transaction(session_factory) as session:
        document = find_document_by_name(session, "税收征收管理法实施细则")
        changed = repeal_document(session, SYSTEM, document.id)
    with session_factory() as session:
        index.update_documents(session, changed)
        index.update_faq(session, entries_citing(session, changed))
    card = _card(index, PHRASINGS[0])
    assert card.faq_id == entry_id and card.needs_review and card.warning == NEEDS_REVIEW_WARNING
    assert [c["status"] for c in card.to_dict()["citations"]] == ["有效", "失效"]


def test_the_gap_key_groups_wordings_by_their_words_after_synonyms(index):
    key = gap_key(index)
    assert key("发票丢了怎么办") == key("发票 丢失 怎么办？") == key("丢失发票")
    assert key("个税专项扣除怎么填") == key("个人所得税 专项扣除 怎么填")
    assert key("发票丢了怎么办") != key("车船税在哪里交")


def test_rebuild_check_and_cli_include_published_entries(app, runner, import_tax):
    from kb.faq.import_export import import_faq
    from webapp import index_check, search_index
    from tests.conftest import POLICIES

    factory = app.extensions["kb_storage"].session_factory
    import_tax("税收征收管理法(2015-04-24).md", "税收征收管理法实施细则(2016-02-06).md")
    with transaction(factory) as session:
        rows = [row for row in json.loads((POLICIES / "faq" / "starter.json").read_text(encoding="utf-8"))
                if all("税收征收管理法" in c for c in row["citations"])]
        report = import_faq(session, SYSTEM, list(enumerate(rows, 1)))
    assert report.ok and report.entry_ids
    with app.app_context():
        search_index.rebuild(app)
        assert index_check.inspect_index(app).ok
        with transaction(factory) as session:
            extra = create_entry(session, SYSTEM, FaqData(
                question="税务人员上门检查，要出示什么证件？", answer="应当出示税务检查证和税务检查通知书。",
                citations=["《中华人民共和国税收征收管理法》第五十九条"]))
            submit_entry(session, SYSTEM, extra)
            publish_entry(session, SYSTEM, extra)
        report = index_check.inspect_index(app)
        assert report.missing_faq == {extra.id} and not report.ok
        index_check.repair_index(app, report)
        assert index_check.inspect_index(app).ok
    result = runner.invoke(args=["search", "--json", "税务人员上门检查要出示证件吗"])
    record = json.loads(result.output)
    first = record["results"][0]
    assert first["type"] == "faq" and first["faq_id"] == extra.id
    assert first["citations"] == [{"citation": "《中华人民共和国税收征收管理法》第五十九条",
                                   "unit_id": first["citations"][0]["unit_id"], "status": "有效"}]


def test_every_front_end_logs_the_top_article_not_the_answer_card(app, runner, library, make_published):
    """The page's /search.json, the API and the CLI run one ``search_and_log``: the query log's top hit
    is the first article, even when an FAQ answer card is shown above it."""
    from sqlalchemy import select

    from kb.reports.models import QueryLog
    from tests.api_helpers import add_token_user
    from tests.web_helpers import add_user, login
    from webapp import search_index

    make_published()
    with app.app_context():
        search_index.rebuild(app)
    cli = json.loads(runner.invoke(args=["search", "--json", PHRASINGS[0]]).output)
    assert cli["results"][0]["type"] == "faq"
    article = next(r for r in cli["results"] if r["type"] == "article")
    headers = add_token_user(app, "api-agent", "agent")
    api = app.test_client().get("/api/v1/search", query_string={"q": PHRASINGS[0]}, headers=headers)
    assert api.status_code == 200 and api.get_json()["results"][0]["type"] == "faq"
    page = app.test_client()
    add_user(app, "page-agent", "agent")
    login(page, "page-agent")
    assert page.get("/search.json", query_string={"q": PHRASINGS[0], "log": "1"}).get_json()["results"]
    with app.extensions["kb_storage"].session_factory() as session:
        rows = session.scalars(select(QueryLog).order_by(QueryLog.id)).all()
    assert [row.query for row in rows] == [PHRASINGS[0]] * 3
    assert {(row.top_hit, row.top_unit_id) for row in rows} == {(article["citation"], article["unit_id"])}
    assert rows[0].user_id is None and rows[1].user_id and rows[2].user_id
