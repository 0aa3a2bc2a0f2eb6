"""Citation text and Chinese numerals, on real articles."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from kb.library.citations import unit_citation
from kb.library.models import Document, Unit
from kb.core.numerals import article_label, parse_number, to_chinese_number


@pytest.mark.parametrize("value,text", [
    (1, "一"), (10, "十"), (11, "十一"), (20, "二十"), (32, "三十二"), (100, "一百"), (105, "一百零五"),
    (110, "一百一十"), (204, "二百零四"), (452, "四百五十二"),
])
def test_chinese_numerals_round_trip(value, text):
    assert to_chinese_number(value) == text
    assert parse_number(text) == value


def test_arabic_and_full_width_numerals_parse():
    assert parse_number("32") == 32
    assert parse_number("３２") == 32
    assert article_label(17, 1) == "第十七条之一"


def test_article_citation_names_the_full_title(import_tax, session):
    import_tax("税收征收管理法(2015-04-24).md")
    unit = session.scalars(select(Unit).where(Unit.label == "第三十二条")).one()
    assert unit_citation(unit) == "《中华人民共和国税收征收管理法》第三十二条"
    second = session.scalars(select(Unit).where(Unit.label == "第四条")).one()
    assert unit_citation(second, paragraph=2) == "《中华人民共和国税收征收管理法》第四条第二款"


def test_outdated_version_citation_says_so(import_tax, session):
    import_tax("发票管理办法(2019-03-02).md", "发票管理办法(2023-07-20).md")
    old = session.scalars(select(Document).where(Document.source_name == "发票管理办法(2019-03-02).md")).one()
    citation = unit_citation(old.units[0])
    assert citation.startswith("《中华人民共和国发票管理办法》（2019年版，已修订）")


def test_table_row_citation_names_the_row(import_tax, session):
    import_tax("印花税法(2021-06-10).md")
    row = session.scalars(select(Unit).where(Unit.kind == "table_row").order_by(Unit.seq)).first()
    assert unit_citation(row) == "《中华人民共和国印花税法》附《印花税税目税率表》（借款合同）"


def test_export_json_lines_cover_every_unit(app, runner):
    result = runner.invoke(args=["import-policies", "policies/tax/印花税法(2021-06-10).md", "--catalog",
                                 "policies/tax/catalog.csv"])
    assert "条文 20 条" in result.output
    lines = runner.invoke(args=["export", "--json"]).output.splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 20 + 17
    first = records[0]
    assert {"source", "doc_title", "status", "unit", "chapter", "text"} <= first.keys()
    assert first["source"] == "印花税法(2021-06-10).md"
    assert first["doc_title"] == "中华人民共和国印花税法"
    assert first["status"] == "有效"
    assert first["unit"] == "第一条"
    assert records[-1]["unit"] == "印花税税目税率表"
