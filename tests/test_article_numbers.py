"""One article-number pattern (``kb.core.numerals.ARTICLE_NUMBER``: 第N条之M, Chinese or Arabic numerals,
half or full width, spaces between the parts) behind the parser, the cross-references, the FAQ
citations, the tokenizer and the citation look-up. The cases below are where the six copies it
replaced disagreed (Arabic digits after 之, full-width digits, spaces)."""
from __future__ import annotations

import re

import pytest

from indexer.analysis import find_exact_spans
from kb.faq.citations import resolve_citation
from kb.core.numerals import ARTICLE_NUMBER, canonical_articles, parse_number
from kb.library.parsing import parse_file
from kb.library.references import find_references


@pytest.mark.parametrize("text, number, sub", [
    ("第三十二条", 32, None), ("第32条", 32, None), ("第３２条", 32, None), ("第三十二条之一", 32, 1),
    ("第32条之1", 32, 1), ("第三十二条之1", 32, 1), ("第 32 条 之 1", 32, 1), ("第\u3000三十二\u3000条", 32, None),
    ("第二百零五条之一", 205, 1),
])
def test_the_pattern_reads_every_way_an_article_number_is_written(text, number, sub):
    match = re.fullmatch(ARTICLE_NUMBER, text)
    assert match and parse_number(match.group(1)) == number
    assert (parse_number(match.group(2)) if match.group(2) else None) == sub


def test_no_line_break_inside_an_article_number():
    assert re.search(ARTICLE_NUMBER, "第\n三十二条") is None


def test_canonical_labels():
    assert canonical_articles("第205条之1第二款") == "第二百零五条之一第二款"
    assert canonical_articles("第 3 条") == "第三条"


def test_cross_references_read_arabic_sub_numbers_full_width_digits_and_spaces():
    found = find_references([{"text": "依照《中华人民共和国刑法》第205条之1和本法第３２条、本法第 8 条第二款处理。",
                              "items": []}])
    labels = [(r.target_title, r.target_label, r.target_paragraph) for r in found if r.kind == "article"]
    assert labels == [("中华人民共和国刑法", "第二百零五条之一", None), (None, "第三十二条", None),
                      (None, "第八条", 2)]


def test_the_parser_reads_an_article_numbered_with_an_arabic_sub_number():
    text = "# 某某办法\n\n第一条 为了规范管理，制定本办法。\n\n第一条之1 本办法所称纳税人另有规定。\n\n第二条 本办法自发布之日起施行。\n"
    parsed = parse_file("某某办法.md", text.encode("utf-8"))
    assert [u.label for u in parsed.units if u.kind == "article"] == ["第一条", "第一条之一", "第二条"]


def test_a_faq_citation_with_an_arabic_sub_number_finds_the_article(import_tax, session):
    import_tax("刑法.md")
    for text in ("《中华人民共和国刑法》第205条之1", "《中华人民共和国刑法》第二百零五条之1", "刑法第205条之一"):
        assert resolve_citation(session, text).unit.label == "第二百零五条之一", text


def test_the_tokenizer_and_the_look_up_read_the_same_forms():
    tokens = [token for *_span, token, kind in find_exact_spans("第 32 条 之 1、第３２条、第三十二条之一") if kind == "article"]
    assert tokens == ["第32条之1", "第32条", "第32条之1"]
