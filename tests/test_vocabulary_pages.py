"""The 词典与同义词 page and ``flask dictionary``: who may use them, a word re-indexing the documents
it occurs in, a synonym line changing what a colloquial query finds, and bad input."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from whoosh.query import Term

from indexer.segmenter import USER_DICT_NAME, load_segmenter
from indexer.synonyms import OVERRIDE_NAME
from tests.web_helpers import client_as, post_form  # noqa: F401  (fixture)

COMPOUND = "税控装置"  # in 发票管理办法 and 税收征收管理法; jieba cuts it into 税控 + 装置 by default
PAGE = "/vocabulary"
NAMES = ("发票管理办法(2023-07-20).md", "税收征收管理法(2015-04-24).md", "契税法(2020-08-11).md")


@pytest.fixture
def data_dir(app):
    """The app's data folder; the shared segmenter forgets its words after the test."""
    folder = Path(app.config["KB_DATA_DIR"])
    load_segmenter(folder)
    yield folder
    (folder / USER_DICT_NAME).unlink(missing_ok=True)
    load_segmenter().refresh(force=True)


@pytest.fixture
def library(app, import_tax, data_dir):
    from webapp import search_index

    import_tax(*NAMES)
    search_index.rebuild(app)


def _entries_with(app, word: str) -> int:
    from webapp.search_index import get_index

    return len(get_index(app).searcher().search(Term("text", word), limit=None))


def _search(app, query: str) -> list[dict]:
    """What the search page gets (``webapp.search_index.search``)."""
    from webapp.search_index import search

    return search(app, query, today_override="2026-11-27")


@pytest.mark.parametrize("role,status", [("agent", 403), ("policy", 403), ("department", 403), ("director", 200),
                                         ("admin", 200)])
def test_who_may_open_and_change_the_vocabulary(app, client_as, data_dir, role, status):
    client = client_as(role)
    page = client.get(PAGE)
    assert page.status_code == status
    token_page = "/documents" if status == 403 else PAGE
    response = post_form(client, f"{PAGE}/words", {"word": COMPOUND}, token_page)
    assert response.status_code == (403 if status == 403 else 302)
    assert (data_dir / USER_DICT_NAME).exists() == (status == 200)
    if status == 200:
        assert "词典与同义词" in page.text and "个人所得税" in page.text  # the shipped synonym table


@pytest.mark.parametrize("path", [f"{PAGE}/words", f"{PAGE}/words/remove", f"{PAGE}/synonyms",
                                  f"{PAGE}/synonyms/remove", f"{PAGE}/synonyms/restore"])
def test_anonymous_visitors_are_sent_to_log_in(app, data_dir, path):
    client = app.test_client()
    assert client.get(PAGE).location.startswith("/login?next=")
    response = post_form(client, path, {"word": COMPOUND, "term": "专票", "expansions": "发票"}, "/login")
    assert response.status_code == 302 and response.location.startswith("/login?next=")
    assert not (data_dir / USER_DICT_NAME).exists() and not (data_dir / OVERRIDE_NAME).exists()


def test_the_navigation_links_the_page_for_the_director(app, client_as):
    assert f'href="{PAGE}"' in client_as("director").get("/").text
    assert f'href="{PAGE}"' not in client_as("agent").get("/").text


def test_an_added_word_reindexes_its_documents_and_removing_it_restores(app, client_as, library, data_dir):
    client = client_as("director")
    assert _entries_with(app, COMPOUND) == 0
    tryout = client.get(PAGE, query_string={"text": COMPOUND}).text
    assert '<span class="tag">税控</span><span class="tag">装置</span>' in tryout

    response = post_form(client, f"{PAGE}/words", {"word": COMPOUND, "freq": ""}, follow_redirects=True)
    assert response.status_code == 200
    assert f"已加入词语“{COMPOUND}”" in response.text
    assert f"已重新索引含“{COMPOUND}”的文件 2 篇" in response.text
    assert (data_dir / USER_DICT_NAME).read_text(encoding="utf-8").splitlines()[-1] == COMPOUND
    assert f'<span class="tag">{COMPOUND}</span>' in client.get(PAGE, query_string={"text": COMPOUND}).text
    assert _entries_with(app, COMPOUND) == 4  # the articles that contain it, cut anew
    first = _search(app, COMPOUND)[0]
    assert f"<mark>{COMPOUND}</mark>" in first["snippet"]
    assert first["source"] in NAMES[:2]

    response = post_form(client, f"{PAGE}/words/remove", {"word": COMPOUND}, PAGE, follow_redirects=True)
    assert f"已删除词语“{COMPOUND}”" in response.text and "已重新索引" in response.text
    assert _entries_with(app, COMPOUND) == 0
    assert '<span class="tag">税控</span><span class="tag">装置</span>' in client.get(
        PAGE, query_string={"text": COMPOUND}).text


def test_a_word_found_nowhere_needs_no_reindex(app, client_as, library):
    response = post_form(client_as("director"), f"{PAGE}/words", {"word": "钱袋子"}, PAGE, follow_redirects=True)
    assert "库中没有含“钱袋子”的文件，无需重新索引" in response.text


def test_a_synonym_line_makes_a_colloquial_query_find_the_article(app, client_as, library, data_dir):
    client = client_as("director")
    assert _search(app, "钱袋子") == []
    response = post_form(client, f"{PAGE}/synonyms", {"term": "钱袋子", "expansions": "滞纳金", "kind": "abbr"},
                         PAGE, follow_redirects=True)
    assert "已保存词条“钱袋子”" in response.text and "主任添加" in response.text
    results = _search(app, "钱袋子")
    assert results and results[0]["doc_title"] == "中华人民共和国税收征收管理法"

    post_form(client, f"{PAGE}/synonyms/remove", {"term": "钱袋子"}, PAGE)
    assert _search(app, "钱袋子") == []


def test_a_shipped_synonym_is_overridden_removed_and_restored(app, client_as, library, data_dir):
    client = client_as("director")
    edit = client.get(PAGE, query_string={"term": "专票"}).text
    assert 'value="增值税专用发票"' in edit and "readonly" in edit
    response = post_form(client, f"{PAGE}/synonyms", {"term": "专票", "expansions": "增值税专用发票|专用发票",
                                                      "kind": "abbr", "editing": "1"}, PAGE, follow_redirects=True)
    assert "内置·已修改" in response.text
    response = post_form(client, f"{PAGE}/synonyms/remove", {"term": "专票"}, PAGE, follow_redirects=True)
    assert "内置·已删除" in response.text
    assert all(r["source"] != "发票管理办法(2023-07-20).md" for r in _search(app, "专票")[:1])
    response = post_form(client, f"{PAGE}/synonyms/restore", {"term": "专票"}, PAGE, follow_redirects=True)
    assert "已恢复为内置内容" in response.text
    assert _search(app, "专票")[0]["doc_title"] == "中华人民共和国发票管理办法"
    assert "专票" not in (data_dir / OVERRIDE_NAME).read_text(encoding="utf-8")


@pytest.mark.parametrize("url,form,message", [
    ("/words", {"word": "税控 装置"}, "不能含空格、制表符或换行"),
    ("/words", {"word": "税"}, "须为 2～20 个字"),
    ("/words", {"word": COMPOUND, "freq": "很多"}, "词频须为"),
    ("/synonyms", {"term": "钱袋子", "expansions": "", "kind": "abbr"}, "至少一个展开词"),
    ("/synonyms", {"term": "钱袋子", "expansions": "滞纳金", "kind": "xx"}, "类型须为"),
    ("/synonyms", {"term": "个税", "expansions": "综合所得", "kind": "abbr"}, "词条“个税”已存在"),
    ("/synonyms/remove", {"term": "钱袋子"}, "同义词表中没有词条“钱袋子”"),
    ("/words/remove", {"word": "纳税人"}, "内置词语，不能删除"),
])
def test_bad_input_shows_a_chinese_error_and_writes_nothing(app, client_as, data_dir, url, form, message):
    response = post_form(client_as("director"), PAGE + url, form, PAGE)
    assert response.status_code == 400
    assert message in response.text and 'role="alert"' in response.text
    assert not (data_dir / USER_DICT_NAME).exists() and not (data_dir / OVERRIDE_NAME).exists()
    if url == "/words" and "word" in form:
        assert f'value="{form["word"]}"' in response.text  # the form keeps what was typed


def test_every_problem_of_a_form_is_named_at_once_and_nothing_is_written(app, client_as, data_dir):
    client = client_as("director")
    response = post_form(client, f"{PAGE}/words", {"word": "税", "freq": "很多"}, PAGE)
    assert response.status_code == 400
    assert "词语须为 2～20 个字" in response.text and "词频须为" in response.text
    response = post_form(client, f"{PAGE}/synonyms", {"term": " ", "expansions": "滞纳金", "kind": "xx"}, PAGE)
    assert response.status_code == 400
    assert "请填写词条" in response.text and "类型须为" in response.text
    assert 'value="滞纳金"' in response.text  # the form keeps what was typed
    assert not (data_dir / USER_DICT_NAME).exists() and not (data_dir / OVERRIDE_NAME).exists()


def test_changes_are_logged_with_the_user_id(app, client_as, data_dir, caplog):
    client = client_as("director")
    with caplog.at_level(logging.INFO, logger="webapp.vocabulary"):
        post_form(client, f"{PAGE}/synonyms", {"term": "钱袋子", "expansions": "滞纳金", "kind": "abbr"}, PAGE)
    fields = [r.fields for r in caplog.records if r.name == "webapp.vocabulary"]
    assert fields and fields[0]["action"] == "save_synonym" and fields[0]["term"] == "钱袋子"
    assert fields[0]["role"] == "director" and isinstance(fields[0]["user_id"], int)


def test_the_dictionary_command(app, library, data_dir):
    from webapp import vocabulary_cli

    vocabulary_cli.register(app)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["dictionary", "add", COMPOUND, "--freq", "3000"])
    assert result.exit_code == 0, result.output
    assert f"已加入词语“{COMPOUND}”（词频 3000）" in result.output and "文件 2 篇" in result.output
    assert _entries_with(app, COMPOUND) == 4
    listed = runner.invoke(args=["dictionary", "list", "--json"])
    assert [json.loads(line) for line in listed.output.splitlines()] == [
        {"word": COMPOUND, "freq": 3000, "source": "director", "shipped": False}]
    assert "纳税人\t3000\t内置" in runner.invoke(args=["dictionary", "list", "--all"]).output

    bad = runner.invoke(args=["dictionary", "add", "税 控"])
    assert bad.exit_code != 0 and "不能含空格" in bad.output
    result = runner.invoke(args=["dictionary", "remove", COMPOUND])
    assert result.exit_code == 0 and f"已删除词语“{COMPOUND}”" in result.output
    assert _entries_with(app, COMPOUND) == 0
