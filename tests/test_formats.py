""".docx, saved HTML pages and plain text (UTF-8, GBK, with and without BOM) give the same
structure as the Markdown original of the same law. Each file is built here from corpus text."""
from __future__ import annotations

import html
import io
import re

import docx
import pytest
from sqlalchemy import select

from kb.library.importing import import_one
from kb.library.models import Document
from kb.library.parsing import parse_file
from tests.conftest import TAX

LAWS = ["税收征收管理法(2015-04-24).md", "印花税法(2021-06-10).md", "个人所得税法(2018-08-31).md", "刑法.md"]


# -- corpus text in neutral form ------------------------------------------------------------

def corpus_parts(name: str) -> tuple[str, list[str], list[tuple]]:
    """(title, history lines, body items) of a corpus law; items are ("heading"|"text", line) or ("table", rows)."""
    text = (TAX / name).read_text(encoding="utf-8")
    header, body = text.split("<!-- INFO END -->", 1)
    title = re.search(r"^# (.+)$", header, re.MULTILINE).group(1).strip()
    history = [line.strip() for line in header.splitlines() if line.strip() and not line.startswith("#")]
    items: list[tuple] = []
    table: list[list[str]] = []
    for line in body.splitlines():
        line = line.strip()
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if not all(re.fullmatch(r":?-{3,}:?", cell) for cell in cells):
                table.append(cells)
            continue
        if table:
            items.append(("table", table))
            table = []
        if line.startswith("#"):
            items.append(("heading", line.lstrip("#").strip()))
        elif line:
            items.append(("text", line))
    if table:
        items.append(("table", table))
    return title, history, items


def make_docx(name: str, styled_headings: bool = True) -> bytes:
    """A .docx as an office would write it: title, history, headings and articles as paragraphs, tables."""
    title, history, items = corpus_parts(name)
    document = docx.Document()
    document.add_paragraph(title, style="Title")
    for line in history:
        document.add_paragraph(line)
    for kind, content in items:
        if kind == "heading":
            if styled_headings:
                document.add_heading(content, level=2)
            else:
                document.add_paragraph(content).runs[0].bold = True
        elif kind == "text":
            document.add_paragraph(content)
        else:
            table = document.add_table(rows=len(content), cols=max(len(row) for row in content))
            for row, cells in zip(table.rows, content):
                for cell, value in zip(row.cells, cells):
                    cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


SCRIPT = "var hot = ['第九十九条 这是脚本里的假条文'];document.write('<p>第一百条 脚本写入</p>');"


def make_html(name: str) -> str:
    """A page saved from a tax bureau site: nav, breadcrumbs, sidebar, footer, scripts around the body."""
    title, history, items = corpus_parts(name)
    body: list[str] = []
    for kind, content in items:
        if kind == "heading":
            body.append(f'<p align="center"><strong>{html.escape(content)}</strong></p>')
        elif kind == "text":
            body.append(f"<p>　　{html.escape(content)}</p>")
        else:
            rows = "".join(
                "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in content
            )
            body.append(f'<table border="1" cellspacing="0">{rows}</table>')
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}_国家税务总局四川省税务局</title>
<script src="/js/jquery.min.js"></script><script>{SCRIPT}</script>
<style>.nav {{ color: red }}</style></head>
<body>
<div class="header"><img src="logo.png" alt="国家税务总局四川省税务局"><div class="search"><input name="q"></div></div>
<div id="nav"><ul><li><a href="/">首页</a></li><li><a href="/zcfg/">政策法规</a></li><li><a href="/nsfw/">纳税服务</a></li></ul></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zcfg/">政策法规</a> &gt; 法律</div>
<div class="main">
  <div class="sidebar"><h3>相关链接</h3><ul><li><a href="/a">第一条 相关链接里的条文</a></li><li><a href="/b">个人所得税APP下载</a></li></ul></div>
  <div class="article">
    <h1>{html.escape(title)}</h1>
    <div class="info">发布时间：2021-06-10　来源：国家税务总局　【字体：大 中 小】</div>
    <div id="zoom" class="TRS_Editor">
      {"".join(f"<p>{html.escape(line)}</p>" for line in history)}
      {"".join(body)}
    </div>
    <div class="share">分享到：微信 微博</div>
  </div>
</div>
<div class="footer"><p>版权所有：国家税务总局四川省税务局　网站标识码：1300000000</p><p>第一条 页脚里的文字</p></div>
<script>{SCRIPT}</script>
</body></html>"""


def make_text(name: str) -> str:
    title, history, items = corpus_parts(name)
    lines = [title, *history]
    for kind, content in items:
        lines.extend("\t".join(row) for row in content) if kind == "table" else lines.append(content)
    return "\r\n".join(lines) + "\r\n"


# -- comparison -----------------------------------------------------------------------------

def structure(parsed) -> list[tuple]:
    return [(u.kind, u.label, u.book, u.chapter, u.section, u.text) for u in parsed.units]


def markdown_original(name: str):
    return parse_file(name, (TAX / name).read_bytes())


def assert_same_as_markdown(parsed, name: str) -> None:
    original = markdown_original(name)
    assert parsed.title == original.title
    assert [u.label for u in parsed.articles] == [u.label for u in original.articles]
    assert parsed.headings == original.headings
    assert structure(parsed) == structure(original)
    assert parsed.history == original.history
    assert parsed.published_on == original.published_on


@pytest.mark.parametrize("name", LAWS)
def test_docx_gives_the_markdown_structure(name):
    parsed = parse_file(name.replace(".md", ".docx"), make_docx(name))
    assert parsed.format == "docx"
    assert_same_as_markdown(parsed, name)


def test_docx_headings_typed_as_plain_paragraphs_are_still_headings():
    name = "税收征收管理法(2015-04-24).md"
    parsed = parse_file("征管法.docx", make_docx(name, styled_headings=False))
    assert parsed.headings[:2] == ["第一章 总则", "第二章 税务管理"]
    assert [u.label for u in parsed.articles] == [u.label for u in markdown_original(name).articles]


@pytest.mark.parametrize("name", LAWS)
def test_saved_html_page_gives_only_the_body(name):
    parsed = parse_file(name.replace(".md", ".html"), make_html(name).encode("utf-8"))
    assert parsed.format == "html"
    assert_same_as_markdown(parsed, name)
    everything = "\n".join([parsed.title, *parsed.history] + [u.text for u in parsed.units])
    for junk in ("脚本", "document.write", "首页", "当前位置", "相关链接", "版权所有", "分享到", "字体", "页脚"):
        assert junk not in everything


def test_saved_html_page_in_gbk_is_read():
    name = "税收征收管理法(2015-04-24).md"
    page = make_html(name).replace('charset="utf-8"', 'charset="gbk"')
    parsed = parse_file("征管法.htm", page.encode("gbk"))
    assert [u.label for u in parsed.articles] == [u.label for u in markdown_original(name).articles]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
@pytest.mark.parametrize("name", ["税收征收管理法(2015-04-24).md", "个人所得税法(2018-08-31).md", "刑法.md"])
def test_plain_text_in_any_chinese_encoding(name, encoding):
    data = make_text(name).encode(encoding)
    if encoding == "gbk":
        assert not data.startswith(b"\xef\xbb\xbf")
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
    parsed = parse_file(name.replace(".md", ".txt"), data)
    assert parsed.format == "text"
    assert_same_as_markdown(parsed, name)


def test_formats_import_into_the_library(session_factory, session):
    name = "印花税法(2021-06-10).md"
    files = {
        "印花税法(2021-06-10).docx": make_docx(name),
        "印花税法.html": make_html(name).encode("utf-8"),
        "印花税法(GBK).txt": make_text(name).encode("gbk"),
    }
    for file_name, data in files.items():
        result, _ = import_one(session_factory, file_name, data)
        assert result.error is None and result.articles == 20, file_name
    # Same title and date: one document, the last file's text replacing the previous one.
    documents = session.scalars(select(Document)).all()
    assert len(documents) == 1
    assert documents[0].source_name == "印花税法(GBK).txt"
    assert sum(u.kind == "table_row" for u in documents[0].units) == 17
