"""The agents' pages render real corpus content: search, articles, documents, versions, feed, phrases."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from kb.library.importing import import_paths, load_catalog
from kb.library.models import Document
from tests.conftest import POLICIES
from tests.web_helpers import client_as  # noqa: F401

INVOICE_2019 = "发票管理办法(2019-03-02).md"
INVOICE_2023 = "发票管理办法(2023-07-20).md"
COLLECTION = "税收征收管理法(2015-04-24).md"


@pytest.fixture
def library(app, import_tax):
    """Builder: import the named tax files and index them; return {file name: document id}."""
    from webapp.search_index import index_documents

    def build(*names):
        report = import_tax(*names)
        index_documents(app, report.changed_document_ids)
        return {f.name: f.document_id for f in report.files}

    return build


@pytest.fixture
def agent(client_as):
    return client_as("agent")


def _document(session, name) -> Document:
    return session.scalars(select(Document).where(Document.source_name == name)).one()


def test_search_page_renders_results_without_javascript(library, agent):
    library(INVOICE_2019, INVOICE_2023, COLLECTION)
    page = agent.get("/search?q=发票丢了怎么办")
    assert page.status_code == 200
    assert "《中华人民共和国发票管理办法》第" in page.text
    assert 'class="badge ok">有效<' in page.text
    assert "复制依据" in page.text and 'data-copy="《中华人民共和国发票管理办法》' in page.text
    assert 'value="发票丢了怎么办"' in page.text and "autofocus" in page.text
    assert "<script" in page.text and "search.js" in page.text


def test_search_json_gives_citations_snippets_and_the_text_to_copy(library, agent, session):
    library(INVOICE_2019, INVOICE_2023)
    data = agent.get("/search.json?q=发票丢失").get_json()
    assert data["query"] == "发票丢失" and data["results"]
    top = data["results"][0]
    assert top["citation"].startswith("《中华人民共和国发票管理办法》第")
    assert top["status"] == "有效" and top["status_class"] == "ok"
    assert top["url"] == f"/units/{top['unit_id']}"
    assert "发票" in top["tax_types"]
    assert re.search(r"<mark>|<b>", top["snippet_html"])
    unit_text = agent.get(top["url"]).text
    citation, _, body = top["copy_text"].partition("\n")
    assert citation == top["citation"] and body and body[:20] in unit_text


def test_snippets_are_sanitised(app, agent, monkeypatch):
    from webapp.present import clean_snippet

    dirty = '<mark>发票</mark><script>alert(1)</script><b onclick="x()">丢失</b><img src=x onerror=y>'
    assert str(clean_snippet(dirty)) == "<mark>发票</mark><b>丢失</b>"


def test_search_filters_and_old_versions(library, agent):
    library(INVOICE_2019, INVOICE_2023)
    current = agent.get("/search.json?q=发票保证金").get_json()["results"]
    assert all(r["status"] == "有效" for r in current)
    with_old = agent.get("/search.json?q=发票保证金&include_old=1").get_json()["results"]
    assert any(r["status"] == "已修订" and r["outdated"] for r in with_old)
    old_only = agent.get("/search.json?q=发票&status=已修订").get_json()["results"]
    assert old_only and all(r["status"] == "已修订" for r in old_only)
    page = agent.get("/search?q=发票保证金&include_old=1")
    assert "旧版本" in page.text and 'name="include_old" id="include_old" value="1" checked' in page.text


def test_search_as_of_date_and_bad_dates(library, agent):
    library(INVOICE_2019, INVOICE_2023)
    old_rules = agent.get("/search.json?q=发票保证金&as_of=2020-01-01").get_json()["results"]
    assert old_rules and old_rules[0]["citation"].startswith("《中华人民共和国发票管理办法》（2019年版")
    bad = agent.get("/search.json?q=发票&as_of=2020-13-45")
    assert bad.status_code == 400 and "格式不正确" in bad.get_json()["error"]
    assert "格式不正确" in agent.get("/search?q=发票&as_of=yesterday").text


def test_search_page_offers_tax_type_and_status_filters(library, agent):
    library(INVOICE_2023, COLLECTION)
    page = agent.get("/").text
    assert '<option value="发票"' in page and '<option value="已修订"' in page
    assert 'type="date" name="as_of"' in page


def test_article_page_shows_the_article_in_context(library, agent, session):
    ids = library(INVOICE_2023, COLLECTION)
    document = session.get(Document, ids[INVOICE_2023])
    unit = next(u for u in document.units if u.label == "第一条")
    page = agent.get(f"/units/{unit.id}").text
    assert "<h1 class=\"citation\">《中华人民共和国发票管理办法》第一条</h1>" in page
    assert "第一章 总 则" in page
    assert 'rel="next"' in page and "第二条 →" in page and 'rel="prev"' not in page
    assert f'href="/documents/{document.id}#u{unit.id}"' in page
    # the cross-reference to 征管法 is a link to that document
    assert f'<a class="xref" href="/documents/{ids[COLLECTION]}">《中华人民共和国税收征收管理法》</a>' in page
    assert 'data-copy="《中华人民共和国发票管理办法》第一条\n为了加强发票管理' in page


def test_document_page_has_chapter_navigation_and_anchors(library, agent, session):
    ids = library(INVOICE_2023)
    document = session.get(Document, ids[INVOICE_2023])
    page = agent.get(f"/documents/{document.id}").text
    chapters = re.findall(r'<li class="toc-level-1"><a href="#u\d+">([^<]+)</a>', page)
    assert chapters[0] == "第一章 总 则" and len(chapters) == len({u.chapter for u in document.units if u.chapter})
    assert page.count('class="unit kind-article"') == 43
    assert 'id="第三十一条"' in page
    assert "2023年7月20日" in page  # revision history lines


def test_revised_version_has_a_banner_linking_its_successor(library, agent):
    ids = library(INVOICE_2019, INVOICE_2023)
    page = agent.get(f"/documents/{ids[INVOICE_2019]}").text
    assert "已被" in page and f'<a href="/documents/{ids[INVOICE_2023]}">《中华人民共和国发票管理办法》' in page
    assert "取代" in page
    assert f"/documents/{ids[INVOICE_2019]}/compare?with={ids[INVOICE_2023]}" in page
    current = agent.get(f"/documents/{ids[INVOICE_2023]}").text
    assert 'class="banner"' not in current


def test_comparison_page_lists_what_changed(library, agent):
    ids = library(INVOICE_2019, INVOICE_2023)
    page = agent.get(f"/documents/{ids[INVOICE_2023]}/compare").text
    assert "删除 2 条" in page and "新增 0 条" in page
    assert re.search(r"条号变动 \d+ 条", page)
    assert "<del>" in page and "<ins>" in page
    assert '<tr class="kind-unchanged"' not in page
    everything = agent.get(f"/documents/{ids[INVOICE_2023]}/compare?with={ids[INVOICE_2019]}&all=1").text
    assert '<tr class="kind-unchanged"' in everything


def test_new_policies_feed_lists_latest_documents(library, agent):
    library(INVOICE_2023, COLLECTION)
    page = agent.get("/new").text
    assert "《中华人民共和国发票管理办法》" in page and "《中华人民共和国税收征收管理法》" in page


def test_service_phrases_come_from_the_hotline_rules(app, session_factory, agent):
    hotline = POLICIES / "hotline"
    report = import_paths(session_factory, [hotline], load_catalog(hotline / "catalog.csv"))
    assert report.ok, report.failed
    page = agent.get("/phrases").text
    assert "接听电话" in page and "请问您还有其他问题吗" in page and "请您讲普通话，好吗" in page.replace(",", "，")
    assert 'class="phrase" data-copy=' in page


def test_service_phrases_fall_back_to_the_shipped_list(agent):
    page = agent.get("/").text
    assert "服务用语" in page and "对不起,让您久等了。" in page and "您好,国税“12366”,请讲。" in page  # the rules' words
    assert "对方打错电话" in page


def test_unknown_pages_and_units_get_chinese_error_pages(agent):
    for path in ("/no-such-page", "/units/999999", "/documents/999999"):
        response = agent.get(path)
        assert response.status_code == 404
        assert "页面不存在" in response.text or "不存在" in response.text
        assert "Traceback" not in response.text


def test_errors_in_json_endpoints_are_json(agent):
    response = agent.get("/search.json?q=x&as_of=bad")
    assert response.status_code == 400 and json.loads(response.text)["error"]


def test_unexpected_errors_show_a_chinese_page_without_a_stack_trace(app, client_as):
    def broken():
        raise RuntimeError("secret internal detail")

    app.add_url_rule("/broken-for-test", "broken_for_test", broken)
    client = client_as("agent")
    response = client.get("/broken-for-test")
    assert response.status_code == 500
    assert "系统出错" in response.text
    assert "secret internal detail" not in response.text and "Traceback" not in response.text


def test_search_json_gives_the_matching_paragraph_for_the_call_record(library, agent):
    library(INVOICE_2023)
    data = agent.get("/search.json?q=丢失发票怎么处罚").get_json()
    article = next(r for r in data["results"] if r["citation"] == "《中华人民共和国发票管理办法》第三十四条")
    assert article["answer_text"] == "根据《中华人民共和国发票管理办法》第三十四条第二款：丢失发票或者擅自损毁发票的，依照前款规定处罚。"
    assert "空白发票" in article["copy_text"]  # the clipboard keeps the whole article


def test_the_library_list_is_searchable_and_laws_come_first(library, agent):
    library(INVOICE_2023, COLLECTION)
    page = agent.get("/documents").text
    assert page.index("中华人民共和国税收征收管理法") < page.index("中华人民共和国发票管理办法")
    assert 'class="nowrap">2023-07-20<' in page
    found = agent.get("/documents?q=征管法").text
    assert "中华人民共和国税收征收管理法" in found and "中华人民共和国发票管理办法" not in found


def test_a_question_outside_the_library_is_shown_as_low_confidence_with_a_referral(library, agent):
    library(INVOICE_2023, COLLECTION)
    data = agent.get("/search.json", query_string={"q": "灵活就业人员社保费怎么交"}).get_json()
    assert data["confidence"] == "low"
    page = agent.get("/search", query_string={"q": "灵活就业人员社保费怎么交"})
    low = re.search(r'<div id="low-confidence"[^>]*>(.*?)</div>', page.text, re.S)
    assert low and "hidden" not in low.group(0).split(">")[0]
    assert "低置信度：政策库中可能没有答案" in low.group(1) and ">转办</a>" in low.group(1)
    assert "仅供参考" in page.text and "找到 " not in page.text
    sure = agent.get("/search", query_string={"q": "征管法第三十二条"})
    assert agent.get("/search.json", query_string={"q": "征管法第三十二条"}).get_json()["confidence"] == "high"
    assert re.search(r'<div id="low-confidence"[^>]*hidden', sure.text)


def test_a_cited_article_that_does_not_exist_is_named_on_the_page(library, agent):
    library(COLLECTION)
    page = agent.get("/search", query_string={"q": "征管法第999条"})
    assert "《中华人民共和国税收征收管理法》没有第九百九十九条，请核对条号" in page.text
    data = agent.get("/search.json", query_string={"q": "征管法第999条"}).get_json()
    assert data["notices"] == ["《中华人民共和国税收征收管理法》没有第九百九十九条，请核对条号"]
