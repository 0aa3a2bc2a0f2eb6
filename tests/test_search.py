"""Search on real documents: validity-aware ranking, as-of dates, filters, snippets, did-you-mean."""
from __future__ import annotations

import pytest

from indexer import search

TODAY = "2026-11-27"
FILES = ("增值税法(2024-12-25).md", "增值税暂行条例(2017-11-19).md", "发票管理办法(2023-07-20).md",
         "发票管理办法(2019-03-02).md", "行政复议法(2023-09-01).md", "行政复议法(2017-09-01).md",
         "个人所得税法(2018-08-31).md", "个人所得税法实施条例(2018-12-18).md", "契税法(2020-08-11).md")


@pytest.fixture
def index(make_search_index):
    return make_search_index(*FILES)


def _sources(response):
    return [r.source for r in response.results]


def test_outdated_versions_are_left_out_unless_asked_for(index):
    response = search(index, "电子发票 纸质发票 同等法律效力", today_override=TODAY)
    assert response.results[0].source == "发票管理办法(2023-07-20).md"
    assert "发票管理办法(2019-03-02).md" not in _sources(response)
    assert all(not r.outdated for r in response.results)


def test_revised_version_never_ranks_above_the_version_in_force(index):
    response = search(index, "发票 发票管理办法 开具 领用", include_old=True, limit=50, today_override=TODAY)
    sources = _sources(response)
    assert "发票管理办法(2019-03-02).md" in sources
    assert sources.index("发票管理办法(2023-07-20).md") < sources.index("发票管理办法(2019-03-02).md")
    old = next(r for r in response.results if r.source == "发票管理办法(2019-03-02).md")
    assert old.outdated and old.status == "已修订" and old.superseded_by


def test_vat_law_ranks_first_today_and_the_old_regulation_as_of_2025(index):
    query = "小规模纳税人的标准"
    today = search(index, query, include_old=True, limit=30, today_override=TODAY)
    sources = _sources(today)
    assert sources[0] == "增值税法(2024-12-25).md"
    assert sources.index("增值税法(2024-12-25).md") < sources.index("增值税暂行条例(2017-11-19).md")
    then = search(index, query, as_of="2025-06-01", limit=30, today_override=TODAY)
    assert then.results[0].source == "增值税暂行条例(2017-11-19).md"
    assert then.results[0].validity == "in_force" and not then.results[0].outdated
    vat_law = next(r for r in then.results if r.source == "增值税法(2024-12-25).md")
    assert vat_law.validity == "pending"


def test_filters_by_tax_type_level_status_and_date(index):
    by_tax = search(index, "纳税人 申报", tax_type="个人所得税", today_override=TODAY)
    assert by_tax.results and all("个人所得税" in r.tax_types for r in by_tax.results)
    by_level = search(index, "纳税人 申报", level="行政法规", today_override=TODAY)
    assert by_level.results and all(r.level == "行政法规" for r in by_level.results)
    repealed = search(index, "小规模纳税人", status="失效", today_override=TODAY)
    assert repealed.results and all(r.status == "失效" for r in repealed.results)
    recent = search(index, "纳税人", date_from="2020-01-01", limit=50, today_override=TODAY)
    assert recent.results and {r.source for r in recent.results} <= {
        "增值税法(2024-12-25).md", "发票管理办法(2023-07-20).md", "行政复议法(2023-09-01).md", "契税法(2020-08-11).md"}


def test_snippets_highlight_the_matched_words(index):
    first = search(index, "专票", today_override=TODAY).results[0]
    assert "<mark>" in first.snippet and "增值税专用发票" in first.snippet


def test_did_you_mean_for_homophone_typos(index):
    response = search(index, "复义 口头申请", today_override=TODAY)
    assert response.suggestion == "复议 口头申请"
    assert response.results[0].doc_title == "中华人民共和国行政复议法"


def test_result_dict_has_the_cli_fields(index):
    record = search(index, "契税 税率", today_override=TODAY).results[0].to_dict()
    for key in ("type", "source", "doc_title", "unit", "status", "score", "snippet", "citation",
                "unit_id", "document_id", "chapter", "tax_types", "outdated", "superseded_by"):
        assert key in record
    assert record["type"] == "article" and record["source"] == "契税法(2020-08-11).md"
