"""The public portal 法规库 (/portal/): no login, laws with versions and validity, published FAQ with
their legal basis, the same search; never 内部制度, drafts, 需复核 entries, names, query logs or calls;
cacheable, rate-limited, no cookie; and the static export (real documents, real index)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from kb.hotline.calls import NewCall, record_call
from kb.core.db import transaction
from kb.faq.operations import FaqData, create_entry, documents_changed, publish_entry, submit_entry
from kb.library.importing import import_paths, load_catalog
from kb.library.operations import find_document_by_name, mark_repealed
from kb.reports.querylog import QueryLog
from kb.accounts.users import find_user
from tests.conftest import POLICIES
from tests.web_helpers import add_user

TODAY = "2026-11-27"
INVOICE_2019 = "发票管理办法(2019-03-02).md"
INVOICE_2023 = "发票管理办法(2023-07-20).md"
COLLECTION = "税收征收管理法(2015-04-24).md"
VEHICLE = "车船税法(2019-04-23).md"
OWNER = "王晓燕"  # the FAQ owner's display name: staff, never on the portal
CALLER = "李秋菊"


@pytest.fixture
def portal_app(app):
    app.config["KB_TODAY"] = TODAY
    return app


@pytest.fixture
def site(portal_app, import_tax, session_factory):
    """The tax files above and the hotline's own rules, with FAQ entries in every state, indexed."""
    from webapp.search_index import rebuild

    import_tax(INVOICE_2019, INVOICE_2023, COLLECTION, VEHICLE)
    hotline = POLICIES / "hotline"
    report = import_paths(session_factory, [hotline], load_catalog(hotline / "catalog.csv"))
    assert report.ok
    add_user(portal_app, "owner", "policy", display_name=OWNER)
    add_user(portal_app, "agent", "agent", display_name="张小明")
    add_user(portal_app, "director", "director", display_name="赵主任")
    ids = {}
    with transaction(session_factory) as session:
        owner, director = find_user(session, "owner"), find_user(session, "director")

        def entry(key, question, citations, publish=True, answer="可以。"):
            made = create_entry(session, owner, FaqData(question=question, answer=answer, citations=citations,
                                                        tax_types=["征收管理"], owner_id=owner.id))
            if publish:
                submit_entry(session, owner, made)
                publish_entry(session, director, made)
            ids[key] = made.id

        entry("public", "不能按期申报，可以申请延期申报吗？", ["《中华人民共和国税收征收管理法》第二十七条"],
              answer="可以。经税务机关核准，可以延期申报。")
        entry("draft", "草稿：纳税人可以分期缴纳滞纳金吗？", ["《中华人民共和国税收征收管理法》第三十二条"], publish=False)
        entry("internal", "咨询服务员接听电话要报工号吗？", ["《成都市国家税务局12366税收服务热线管理办法》第三条"])
        entry("flagged", "车船税的纳税义务发生时间是什么时候？", ["《中华人民共和国车船税法》第八条"],
              answer="为取得车船所有权或者管理权的当月。")
        # As kb.library.uploads does: the library repeals, then tells the FAQ what changed.
        documents_changed(session, mark_repealed(session, find_document_by_name(session, "车船税法")))
        agent = find_user(session, "agent")
        record_call(session, agent, NewCall(question="发票丢了怎么办", answer="登报声明", caller_name=CALLER,
                                            caller_phone="13800000000"))
    rebuild(portal_app)
    return ids


@pytest.fixture
def visitor(portal_app):
    return portal_app.test_client()


def _document_id(session_factory, title_part: str, level: str | None = None) -> int:
    from kb.library.models import Document

    with session_factory() as session:
        return session.scalars(select(Document.id).where(Document.title.contains(title_part))
                               .order_by(Document.id)).first()


def test_pages_answer_without_login_and_set_no_cookie(site, visitor, session_factory):
    document_id = _document_id(session_factory, "税收征收管理法")
    for url in ("/portal/", "/portal/faq", f"/portal/faq/{site['public']}", f"/portal/documents/{document_id}",
                "/portal/search?q=延期申报", "/portal/search"):
        page = visitor.get(url)
        assert page.status_code == 200, url
        assert "Set-Cookie" not in page.headers, url
        assert 'lang="zh-CN"' in page.text and 'name="viewport"' in page.text
    missing = visitor.get("/portal/faq/999999")
    assert missing.status_code == 404 and "Set-Cookie" not in missing.headers
    assert "问答 999999 不存在" in missing.text and 'href="/portal/"' in missing.text and "/login" not in missing.text


def test_laws_are_listed_with_versions_and_validity(site, visitor, session_factory):
    home = visitor.get("/portal/").text
    assert "中华人民共和国税收征收管理法" in home and "中华人民共和国发票管理办法" in home
    old_id = _document_id(session_factory, "发票管理办法")
    page = visitor.get(f"/portal/documents/{old_id}").text
    assert 'id="versions"' in page and "已修订" in page and "现行版本" in page
    assert page.count("/portal/documents/") >= 2  # the other version is linked


def test_published_faq_shows_its_answer_and_legal_basis(site, visitor):
    page = visitor.get(f"/portal/faq/{site['public']}").text
    assert "经税务机关核准，可以延期申报" in page
    assert "《中华人民共和国税收征收管理法》第二十七条" in page and "#第二十七条" in page


@pytest.mark.parametrize("key", ["draft", "internal", "flagged"])
def test_drafts_internal_and_flagged_faq_are_never_shown(site, visitor, key):
    assert visitor.get(f"/portal/faq/{site[key]}").status_code == 404
    listing = visitor.get("/portal/faq").text
    assert f"/portal/faq/{site[key]}\"" not in listing
    assert f"/portal/faq/{site['public']}\"" in listing


def test_internal_rules_are_neither_listed_nor_readable_nor_found(site, visitor, session_factory):
    internal_id = _document_id(session_factory, "12366税收服务热线管理办法")
    assert internal_id is not None
    assert visitor.get(f"/portal/documents/{internal_id}").status_code == 404
    assert "热线管理办法" not in visitor.get("/portal/").text
    # The agents' search finds the internal rule for this question; the portal's does not.
    from webapp.search_index import search

    with visitor.application.app_context():
        inside = search(visitor.application, "咨询服务员 报工号 服务承诺", limit=40)
    assert any(r.get("level") == "内部制度" for r in inside)
    page = visitor.get("/portal/search?q=咨询服务员 报工号 服务承诺").text
    assert "内部制度" not in page and "热线管理办法" not in page and "咨询服务员工作细则" not in page


def test_search_shows_public_faq_and_articles_but_no_draft(site, visitor):
    page = visitor.get("/portal/search?q=不能按期申报可以延期吗").text
    assert f"/portal/faq/{site['public']}" in page and "第二十七条" in page
    drafts = visitor.get("/portal/search?q=分期缴纳滞纳金").text
    assert "草稿" not in drafts
    flagged = visitor.get("/portal/search?q=车船税纳税义务发生时间").text
    assert f"/portal/faq/{site['flagged']}" not in flagged
    from webapp.search_index import search

    with visitor.application.app_context():  # the agents' search gives the internal entry's card …
        cards = [r["faq_id"] for r in search(visitor.application, "咨询服务员接听电话要报工号吗") if r["type"] == "faq"]
    assert cards == [site["internal"]]
    internal = visitor.get("/portal/search?q=咨询服务员接听电话要报工号吗").text  # … the portal's does not
    assert f"/portal/faq/{site['internal']}" not in internal


def test_the_one_query_filter_agrees_with_the_predicate(site, session_factory):
    from kb.faq.models import FaqEntry
    from kb.channels.portal_content import is_public_faq, public_faq_ids

    with session_factory() as session:
        entries = session.scalars(select(FaqEntry)).all()
        assert public_faq_ids(session) == {e.id for e in entries if is_public_faq(e)} == {site["public"]}


def test_no_names_calls_or_query_logs_and_searches_are_not_logged(site, visitor, session_factory):
    with session_factory() as session:
        logged_before = session.scalar(select(func.count(QueryLog.id)))
    pages = [visitor.get(url).text for url in ("/portal/", "/portal/faq", f"/portal/faq/{site['public']}",
                                               "/portal/search?q=发票丢了怎么办")]
    for text in pages:
        assert OWNER not in text and "张小明" not in text and "赵主任" not in text and CALLER not in text and "13800000000" not in text
        assert "owner" not in text
    with session_factory() as session:
        assert session.scalar(select(func.count(QueryLog.id))) == logged_before
    for url in ("/portal/calls", "/portal/querylog", "/portal/../calls"):
        assert visitor.get(url).status_code in (302, 404)


def test_responses_are_cacheable_with_an_etag(site, visitor):
    first = visitor.get("/portal/search?q=延期申报")
    assert "public" in first.headers["Cache-Control"] and "max-age" in first.headers["Cache-Control"]
    etag = first.headers["ETag"]
    again = visitor.get("/portal/search?q=延期申报", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data


def test_a_client_is_limited_and_told_when_to_come_back(site, portal_app):
    from webapp.portal_limits import ClientLimiter

    portal_app.extensions["kb_portal_limiter"] = ClientLimiter(3)
    client = portal_app.test_client()
    codes = [client.get("/portal/faq").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.get("/portal/faq")
    assert "访问过于频繁" in refused.text and int(refused.headers["Retry-After"]) > 0
    assert refused.headers["Cache-Control"] == "no-store"
    other = portal_app.test_client()
    assert other.get("/portal/faq", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200


def test_limiter_window_slides():
    from webapp.portal_limits import ClientLimiter

    limiter = ClientLimiter(2)
    assert limiter.allow("a", 0.0)[0] and limiter.allow("a", 1.0)[0]
    assert not limiter.allow("a", 2.0)[0]
    assert limiter.allow("a", 60.5)[0]  # the first hit left the window


def test_pages_are_accessible_by_markup(site, visitor):
    page = visitor.get("/portal/search?q=延期申报").text
    assert 'class="skip" href="#main"' in page and 'id="main"' in page
    assert '<label for="q">' in page and 'id="q"' in page
    assert 'role="status"' in page and 'aria-label="主导航"' in page
    assert "<script" not in page  # the live pages work without script


def test_static_export_has_the_same_content_with_relative_links(site, runner, tmp_path, session_factory):
    out = tmp_path / "site"
    result = runner.invoke(args=["portal-export", "-o", str(out)])
    assert result.exit_code == 0, result.output
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "中华人民共和国税收征收管理法" in index and "热线管理办法" not in index
    links = re.findall(r'(?:href|src)="([^"]+)"', "".join(p.read_text(encoding="utf-8") for p in out.glob("*.html")))
    assert links and all(not link.startswith("/") and "://" not in link for link in links)
    targets = {link.split("#")[0] for link in links if link.split("#")[0]}
    assert all((out / target).exists() for target in targets), targets - {p.name for p in out.iterdir()}
    assert (out / f"faq-{site['public']}.html").exists()
    for key in ("draft", "internal", "flagged"):
        assert not (out / f"faq-{key}.html").exists() and not (out / f"faq-{site[key]}.html").exists()
    data = (out / "search-data.js").read_text(encoding="utf-8")
    assert "经税务机关核准" in data and "热线管理办法" not in data and OWNER not in data


def test_portal_content_never_offers_an_unknown_level():
    from kb.channels.portal_content import is_public_level

    assert is_public_level("法律") and is_public_level("党内法规/行政法规") and is_public_level("规范性文件")
    assert not is_public_level("内部制度") and not is_public_level(None) and not is_public_level("")
    assert not is_public_level("会议纪要")
