"""Importing the real tax corpus gives exactly the articles, headings, tables and metadata it has."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from kb.library.models import Document, Unit
from tests.conftest import TAX

ARTICLE_LINE = re.compile(r"^第[零一二三四五六七八九十百千]+条(之[一二三四五六七八九十]+)?[ \u3000]")
HEADING_LINE = re.compile(r"^#+ (第[零一二三四五六七八九十百千]+[编章节].*)$")


def _body(path):
    return path.read_text(encoding="utf-8").split("<!-- INFO END -->", 1)[1]


def _expected_articles(path) -> list[str]:
    return [ARTICLE_LINE.match(line).group(0).strip() for line in _body(path).splitlines() if ARTICLE_LINE.match(line)]


def test_every_file_has_exactly_its_articles(import_tax, session):
    import_tax()
    for path in sorted(TAX.glob("*.md")):
        document = session.scalars(select(Document).where(Document.source_name == path.name)).one()
        labels = [u.label for u in document.units if u.kind == "article"]
        assert labels == _expected_articles(path), path.name


def test_article_suffix_numbers_are_kept(import_tax, session):
    import_tax("刑法.md")
    labels = session.scalars(select(Unit.label).where(Unit.kind == "article")).all()
    assert "第十七条之一" in labels
    assert len(labels) == len(set(labels)) == 505


def test_headings_are_attached_to_their_articles(import_tax, session):
    import_tax()
    for path in sorted(TAX.glob("*.md")):
        document = session.scalars(select(Document).where(Document.source_name == path.name)).one()
        stored = {h for u in document.units for h in (u.book, u.chapter, u.section) if h}
        expected = {re.sub(r"\s+", " ", m.group(1)).strip() for m in map(HEADING_LINE.match, _body(path).splitlines()) if m}
        assert {re.sub(r"\s+", " ", h) for h in stored} == expected, path.name


def test_criminal_law_articles_know_book_chapter_and_section(import_tax, session):
    import_tax("刑法.md")
    unit = session.scalars(select(Unit).where(Unit.label == "第二百零一条")).one()
    assert unit.book.startswith("第二编")
    assert unit.chapter.startswith("第三章")
    assert unit.section == "第六节 危害税收征管罪"


def test_stamp_duty_rate_table_rows_are_units(import_tax, session):
    import_tax("印花税法(2021-06-10).md")
    rows = session.scalars(select(Unit).where(Unit.kind == "table_row").order_by(Unit.seq)).all()
    assert len(rows) == 17
    assert {r.label for r in rows} == {"印花税税目税率表"}
    loan = rows[0]
    assert "借款合同" in loan.text and "万分之零点五" in loan.text and "合同（指书面合同）" in loan.text
    securities = rows[-1]
    assert "证券交易" in securities.text and "千分之一" in securities.text


def test_catalog_status_and_successor_on_every_document(import_tax, session, tax_catalog):
    import_tax()
    from kb.library.operations import find_document_by_name

    for name, meta in tax_catalog.items():
        document = session.scalars(select(Document).where(Document.source_name == name)).one()
        assert document.status == meta.status, name
        assert document.title == meta.title
        assert document.effective_on == meta.effective_on
        assert document.tax_types == meta.tax_types
        if meta.superseded_by:
            assert document.superseded_by is not None, name
            assert document.superseded_by == find_document_by_name(session, meta.superseded_by)
        else:
            assert document.superseded_by is None, name


def test_paragraphs_and_items_are_split(import_tax, session):
    import_tax("税收征收管理法(2015-04-24).md")
    article = session.scalars(select(Unit).where(Unit.label == "第四条")).one()
    assert len(article.paragraphs) == 3
    article = session.scalars(select(Unit).where(Unit.label == "第三十八条")).one()
    items = article.paragraphs[0]["items"]
    assert [i["label"] for i in items][:2] == ["（一）", "（二）"]


@pytest.mark.parametrize("name", ["个人所得税法(2018-08-31).md", "车船税法(2019-04-23).md"])
def test_attached_tables_are_not_swallowed_by_the_last_article(import_tax, session, name):
    import_tax(name)
    last = session.scalars(select(Unit).where(Unit.kind == "article").order_by(Unit.seq.desc())).first()
    assert "|" not in last.text and "税率表" not in last.text and "税额表" not in last.text
    assert session.scalars(select(Unit).where(Unit.kind == "table_row")).first() is not None
