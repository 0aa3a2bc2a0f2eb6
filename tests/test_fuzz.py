"""Bad input, generated (hypothesis, bounded): the parsers, the search query and the routing never crash.

- ``kb.library.parsing.parse_file``: any bytes under any supported suffix, and text built from the pieces
  real documents are made of (titles, 编章节, 第N条, tables, HTML tags) in UTF-8 or GB18030, give
  a parsed document or an ``ImportFailed`` with a message, never another exception;
- ``SearchIndex.search``: any query text with any filters returns a response;
- ``kb.hotline.routing.route``: any request text, category and tax type gives a decision; rule patterns
  either parse or raise ``RuleError``.
"""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.core.errors import ImportFailed
from kb.library.models import LEVELS, STATUSES
from kb.library.parsing import SUPPORTED_SUFFIXES, parse_file
from kb.hotline.routing import CATEGORIES, RuleError, match_pattern, parse_pattern, route
from tests.test_formats import make_docx

FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

PIECES = ["中华人民共和国税收征收管理法", "# ", "## ", "第一编", "第二章 税务管理", "第三节", "第一条", "第三十二条",
          "第一百零九条之一", "（一）", "1.", "一、", "| 税目 | 税率 |", "|---|---|", "<!-- INFO END -->",
          "<p>", "</p>", "<h2>", "<table><tr><td>", "国税发〔2009〕32号", "2015年4月24日", "附则", "附件：",
          "本法自公布之日起施行。", "\n", "\n\n", "\r\n", "\t", " ", "\u3000", "\ufeff", "\x00", "…", "——"]
fragments = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=40).map("".join)


def _parses_or_fails_clearly(name: str, data: bytes) -> None:
    try:
        parsed = parse_file(name, data)
    except ImportFailed as error:
        assert error.problem and name in str(error)
        return
    assert parsed.units


@FUZZ
@given(suffix=st.sampled_from(SUPPORTED_SUFFIXES), data=st.binary(max_size=4096))
def test_any_bytes_parse_or_fail_with_a_message(suffix, data):
    _parses_or_fails_clearly(f"文件{suffix}", data)


@FUZZ
@given(suffix=st.sampled_from(SUPPORTED_SUFFIXES), text=fragments, encoding=st.sampled_from(["utf-8", "gb18030"]))
def test_document_like_text_parses_or_fails_with_a_message(suffix, text, encoding):
    _parses_or_fails_clearly(f"文件{suffix}", text.encode(encoding, errors="replace"))


@pytest.fixture(scope="module")
def real_docx() -> bytes:
    return make_docx("发票管理办法(2023-07-20).md")


@FUZZ
@given(data=st.data())
def test_damaged_word_files_parse_or_fail_with_a_message(real_docx, data):
    start = data.draw(st.integers(0, len(real_docx) - 1))
    patch = data.draw(st.binary(min_size=1, max_size=64))
    cut = data.draw(st.booleans())
    damaged = real_docx[:start] + patch + (b"" if cut else real_docx[start + len(patch):])
    _parses_or_fails_clearly("通知.docx", damaged)


@pytest.fixture
def search_index(make_search_index):
    return make_search_index("税收征收管理法(2015-04-24).md", "增值税法(2024-12-25).md", "增值税暂行条例(2017-11-19).md")


QUERY_PIECES = ["征管法", "第32条", "第三十二条", "增值税", "AND", "OR", "NOT", "(", ")", '"', "*", "?", "~2", "^3",
                ":", "title:", "[", "]", "{", "}", "《", "》", "〔2009〕", "号", "-", "+", "\\", " ", "滞纳金", "发漂"]
queries = st.one_of(st.text(max_size=80), st.lists(st.sampled_from(QUERY_PIECES), max_size=12).map("".join))
dates = st.one_of(st.none(), st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))


@FUZZ
@given(query=queries, limit=st.integers(1, 50), include_old=st.booleans(), as_of=dates,
       tax_type=st.one_of(st.none(), st.text(max_size=10)), level=st.one_of(st.none(), st.sampled_from(LEVELS)),
       status=st.one_of(st.none(), st.sampled_from(STATUSES)), date_from=dates, date_to=dates)
def test_any_query_searches_without_error(search_index, query, limit, include_old, as_of, tax_type, level, status,
                                          date_from, date_to):
    response = search_index.search(query, limit=limit, include_old=include_old, as_of=as_of, tax_type=tax_type,
                                   level=level, status=status, date_from=date_from, date_to=date_to)
    assert len(response.results) <= limit
    for result in response.results:
        assert result.to_dict()["citation"]


@FUZZ
@given(text=st.one_of(st.text(max_size=300), fragments),
       category=st.one_of(st.none(), st.sampled_from(CATEGORIES), st.text(max_size=6)),
       tax_type=st.one_of(st.none(), st.text(max_size=8), st.sampled_from(["增值税", "个人所得税", ""])))
def test_any_request_is_routed(text, category, tax_type):
    decision = route(text, category, tax_type)
    assert decision.department and decision.reason


@FUZZ
@given(pattern=st.text(max_size=40), text=st.text(max_size=80))
def test_rule_patterns_parse_or_are_refused(pattern, text):
    try:
        parse_pattern(pattern)
    except RuleError as error:
        assert str(error)
        return
    matched = match_pattern(text, pattern)
    assert matched is None or all(isinstance(word, str) for word in matched)
