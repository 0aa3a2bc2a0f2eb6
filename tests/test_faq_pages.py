"""FAQ pages: who may open what, the editor's lifecycle, the answer card on the search page, usage
counts and the 需复核 warning (real documents; the index is refreshed after each commit)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from kb.core.actors import SYSTEM
from kb.core.db import transaction
from kb.faq.models import FaqEntry
from kb.library.operations import find_document_by_name
from kb.library.uploads import repeal_document
from tests.web_helpers import client_as, csrf_token, post_form  # noqa: F401  (fixture)

QUESTION = "不能按期申报，可以申请延期申报吗？"
FORM = {
    "question": QUESTION,
    "phrasings": "来不及报税了怎么办\n申报期内报不了税能延期吗",
    "answer": "可以。经税务机关**核准**，可以延期申报。\n\n<script>alert(1)</script>",
    "citations": "《中华人民共和国税收征收管理法》第二十七条\n《中华人民共和国税收征收管理法实施细则》第三十七条",
    "tax_types": "征收管理",
    "review_by": "2027-06-30",
}


@pytest.fixture
def library(app, import_tax):
    from webapp import search_index

    import_tax("税收征收管理法(2015-04-24).md", "税收征收管理法实施细则(2016-02-06).md")
    search_index.rebuild(app)


def _entry(app, entry_id=None) -> FaqEntry:
    with app.extensions["kb_storage"].session_factory() as session:
        query = select(FaqEntry) if entry_id is None else select(FaqEntry).where(FaqEntry.id == entry_id)
        entry = session.scalars(query.order_by(FaqEntry.id.desc())).first()
        session.expunge_all()
        return entry


def _step(client, entry_id, status):
    return post_form(client, f"/faq/{entry_id}/status", {"status": status}, f"/faq/{entry_id}")


def _published(app, client_as) -> tuple[int, object]:
    """An entry written by the policy office and published by the director; returns (id, director)."""
    policy = client_as("policy")
    response = post_form(policy, "/faq/new", FORM)
    assert response.status_code == 302, response.text
    entry_id = _entry(app).id
    assert _step(policy, entry_id, "in_review").status_code == 302
    director = client_as("director")
    assert _step(director, entry_id, "published").status_code == 302
    return entry_id, director


ROUTES = ["/faq", "/faq/new", "/faq/{id}", "/faq/review", "/faq/gaps", "/faq/usage"]
ALLOWED = {
    "agent": set(),
    "department": set(),
    "policy": {"/faq", "/faq/new", "/faq/{id}", "/faq/gaps", "/faq/usage"},
    "director": set(ROUTES),
    "admin": set(ROUTES),
}


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_who_may_open_the_faq_pages(app, client_as, library, role):
    from kb.faq.operations import FaqData, create_entry

    with transaction(app.extensions["kb_storage"].session_factory) as session:
        entry_id = create_entry(session, SYSTEM, FaqData(question="草稿问题", answer="草稿")).id
    client = client_as(role)
    for route in ROUTES:
        status = client.get(route.format(id=entry_id)).status_code
        assert status == (200 if route in ALLOWED[role] else 403), (role, route, status)
    assert app.test_client().get("/faq").status_code == 302  # not logged in: the login page


def test_the_editor_walks_an_entry_from_draft_to_published(app, client_as, library):
    policy = client_as("policy")
    page = policy.get("/faq/new")
    assert 'id="picker-form"' in page.text and "检索法律依据" in page.text
    assert post_form(policy, "/faq/new", {**FORM, "citations": "《不存在的法》第一条"}).status_code == 400
    assert _entry(app) is None  # nothing saved
    assert post_form(policy, "/faq/new", FORM).status_code == 302
    entry = _entry(app)
    assert entry.status == "draft" and entry.phrasings == ["来不及报税了怎么办", "申报期内报不了税能延期吗"]
    page = policy.get(f"/faq/{entry.id}")
    assert "<strong>核准</strong>" in page.text and "<script>alert" not in page.text  # sanitised preview
    assert 'id="step-in_review"' in page.text and 'id="step-published"' not in page.text
    _step(policy, entry.id, "in_review")
    page = policy.get(f"/faq/{entry.id}")
    assert 'id="step-published"' not in page.text  # only the director or an admin publishes
    refused = _step(policy, entry.id, "published")
    assert refused.status_code == 400 and "只有中心主任或管理员可以发布" in refused.text
    director = client_as("director")
    assert 'id="step-published"' in director.get(f"/faq/{entry.id}").text
    _step(director, entry.id, "published")
    assert _entry(app, entry.id).status == "published"
    edited = post_form(director, f"/faq/{entry.id}", {**FORM, "answer": "可以。经税务机关核准，可以延期申报。"})
    assert edited.status_code == 302
    history = director.get(f"/faq/{entry.id}").text
    assert "版本记录" in history and "发布" in history and 'class="del">-答案：' in history


@pytest.mark.parametrize("bad, message", [
    ({"question": "   "}, "问题不能为空"),
    ({"question": "延" * 501}, "问题不能超过 500 字"),
    ({"review_by": "2027-13-45"}, "复核日期：不是有效的日期值"),
    ({"owner_id": "999999"}, "负责人：不是有效的选择"),
])
def test_bad_editor_input_is_explained_in_chinese_and_nothing_is_saved(app, client_as, bad, message):
    policy = client_as("policy")
    response = post_form(policy, "/faq/new", {**FORM, **bad}, page_url="/faq/new")
    assert response.status_code == 400
    assert message in response.text and 'id="faq-error"' in response.text
    assert FORM["answer"].split("<")[0].split("\n")[0][:8] in response.text  # the typed answer is kept
    assert _entry(app) is None


def test_unresolved_without_a_query_is_refused_in_chinese(app, client_as):
    agent = client_as("agent")
    token = csrf_token(agent.get("/").text)
    response = agent.post("/faq/unresolved", data={"q": "  ", "count": "3", "csrf_token": token})
    assert response.status_code == 400 and response.get_json()["error"] == "请先输入检索内容"


def test_the_answer_card_appears_for_a_paraphrase_after_publishing(app, client_as, library):
    agent = client_as("agent")
    paraphrase = "报税来不及了，可以延期申报吗"
    assert 'id="faq-card"' not in agent.get("/search", query_string={"q": paraphrase}).text
    entry_id, _director = _published(app, client_as)
    page = agent.get("/search", query_string={"q": paraphrase}).text
    assert 'id="faq-card"' in page and QUESTION in page
    assert 'href="/units/' in page and "《中华人民共和国税收征收管理法》第二十七条" in page
    assert "需复核" not in page
    data = agent.get("/search.json", query_string={"q": "来不及报税了怎么办"}).get_json()
    card = data["results"][0]
    assert card["type"] == "faq" and card["faq_id"] == entry_id and card["citations"][0]["status"] == "有效"
    assert card["citations"][0]["url"].startswith("/units/")
    assert all(r["type"] == "article" for r in data["results"][1:])


def test_usage_is_counted_from_the_card(app, client_as, library):
    entry_id, director = _published(app, client_as)
    agent = client_as("agent")
    page = agent.get("/search", query_string={"q": "来不及报税了怎么办"}).text
    token = csrf_token(page)
    for event in ("shown", "copied", "helpful", "not_helpful", "helpful"):
        response = agent.post(f"/faq/{entry_id}/usage", data={"event": event, "csrf_token": token})
        assert response.status_code == 200
    assert agent.post(f"/faq/{entry_id}/usage", data={"event": "liked", "csrf_token": token}).status_code == 400
    entry = _entry(app, entry_id)
    assert (entry.shown_count, entry.copied_count, entry.helpful_count, entry.not_helpful_count) == (1, 1, 2, 1)
    usage = director.get("/faq/usage").text
    assert QUESTION in usage
    _step(director, entry_id, "retired")
    assert agent.post(f"/faq/{entry_id}/usage", data={"event": "shown", "csrf_token": token}).status_code == 404


def test_retired_entries_vanish_from_search(app, client_as, library):
    entry_id, director = _published(app, client_as)
    agent = client_as("agent")
    assert 'id="faq-card"' in agent.get("/search", query_string={"q": "来不及报税了怎么办"}).text
    assert _step(director, entry_id, "retired").status_code == 302
    assert 'id="faq-card"' not in agent.get("/search", query_string={"q": "来不及报税了怎么办"}).text
    data = agent.get("/search.json", query_string={"q": QUESTION}).get_json()
    assert all(r["type"] == "article" for r in data["results"])


def test_a_flagged_entry_shows_the_warning_until_reviewed(app, client_as, library):
    from webapp import search_index

    entry_id, director = _published(app, client_as)
    with transaction(app.extensions["kb_storage"].session_factory) as session:
        document = find_document_by_name(session, "税收征收管理法实施细则")
        changed = repeal_document(session, SYSTEM, document.id)
    search_index.index_documents(app, changed)  # as every import path does after its commit
    agent = client_as("agent")
    page = agent.get("/search", query_string={"q": "来不及报税了怎么办"}).text
    assert 'class="faq-card flagged"' in page and "需复核" in page and "失效" in page
    queue = director.get("/faq/review").text
    assert QUESTION in queue and "需复核" in queue
    editor = director.get(f"/faq/{entry_id}").text
    assert 'id="review-banner"' in editor
    form = {**FORM, "citations": "《中华人民共和国税收征收管理法》第二十七条"}
    assert post_form(director, f"/faq/{entry_id}", form).status_code == 302
    reviewed = post_form(director, f"/faq/{entry_id}/review", {"note": "已改引现行条文"}, f"/faq/{entry_id}")
    assert reviewed.status_code == 302 and not _entry(app, entry_id).needs_review
    page = agent.get("/search", query_string={"q": "来不及报税了怎么办"}).text
    assert 'id="faq-card"' in page and "faq-card flagged" not in page


def test_markdown_preview_is_sanitised(app, client_as):
    policy = client_as("policy")
    token = csrf_token(policy.get("/faq/new").text)
    html = policy.post("/faq/preview", data={"answer": "**要点**\n\n<img src=x onerror=alert(1)>",
                                             "csrf_token": token}).get_json()["html"]
    assert "<strong>要点</strong>" in html and "onerror" not in html



def test_times_are_shown_in_beijing_time(app, client_as, library):
    entry_id, director = _published(app, client_as)
    with transaction(app.extensions["kb_storage"].session_factory) as session:
        entry = session.get(FaqEntry, entry_id)
        entry.published_at = dt.datetime(2025, 3, 31, 16, 30, tzinfo=dt.timezone.utc)  # stored in UTC: 1 April 00:30 in Beijing
        for version in entry.versions:
            version.changed_at = dt.datetime(2025, 3, 31, 16, 30, tzinfo=dt.timezone.utc)
    page = director.get(f"/faq/{entry_id}").text
    assert "发布于 2025-04-01 00:30" in page and "2025-03-31 16:30" not in page
    assert '<span class="when">2025-04-01 00:30</span>' in page  # the version history
