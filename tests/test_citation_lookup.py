"""Citation lookup: a document name and an article number go straight to that article."""
from __future__ import annotations

import pytest


TODAY = "2026-11-27"


@pytest.fixture
def index(make_search_index):
    return make_search_index("税收征收管理法(2015-04-24).md", "税收征收管理法实施细则(2016-02-06).md", "增值税法(2024-12-25).md",
               "增值税暂行条例(2017-11-19).md", "个人所得税法(2018-08-31).md", "发票管理办法(2023-07-20).md",
               "发票管理办法(2019-03-02).md", "个人所得税法实施条例(2018-12-18).md", "环境保护税法(2018-10-26).md",
               "环境保护税法实施条例(2017-12-25).md", "城市维护建设税法(2020-08-11).md",
               "土地增值税暂行条例(2011-01-08).md", "车辆购置税法(2018-12-29).md")


@pytest.mark.parametrize("query, title, label", [
    ("征管法第32条", "中华人民共和国税收征收管理法", "第三十二条"),
    ("征管法三十二条", "中华人民共和国税收征收管理法", "第三十二条"),
    ("税收征管法 第三十二条", "中华人民共和国税收征收管理法", "第三十二条"),
    ("增值税法 9条", "中华人民共和国增值税法", "第九条"),
    ("《个人所得税法》第六条", "中华人民共和国个人所得税法", "第六条"),
    ("个税法第6条", "中华人民共和国个人所得税法", "第六条"),
    ("征管法实施细则第七十七条", "中华人民共和国税收征收管理法实施细则", "第七十七条"),
    # Short names derived by rule from every title (kb.library.titles), not listed per law:
    ("征管法细则第三十二条", "中华人民共和国税收征收管理法实施细则", "第三十二条"),
    ("个税法实施条例第6条", "中华人民共和国个人所得税法实施条例", "第六条"),
    ("个税条例 第十八条", "中华人民共和国个人所得税法实施条例", "第十八条"),
    ("发票办法第二十二条", "中华人民共和国发票管理办法", "第二十二条"),
    ("环保税法第十三条", "中华人民共和国环境保护税法", "第十三条"),
    ("环保税法实施条例第11条", "中华人民共和国环境保护税法实施条例", "第十一条"),
    ("城建税法第四条", "中华人民共和国城市维护建设税法", "第四条"),
    ("土增税条例第七条", "中华人民共和国土地增值税暂行条例", "第七条"),
    ("车购税法第十条", "中华人民共和国车辆购置税法", "第十条"),
    # 《…》第N条 with N in any numeral form:
    ("《征管法》第34条", "中华人民共和国税收征收管理法", "第三十四条"),
    ("《征管法》第三十四条", "中华人民共和国税收征收管理法", "第三十四条"),
    ("《税收征收管理法》第３４条", "中华人民共和国税收征收管理法", "第三十四条"),
    ("征管法34", "中华人民共和国税收征收管理法", "第三十四条"),
])
def test_citation_goes_straight_to_the_article(index, query, title, label):
    first = index.search(query, today_override=TODAY).results[0]
    assert (first.doc_title, first.unit, first.match) == (title, label, "citation")
    assert first.citation == f"《{title}》{label}"


def test_citation_of_an_article_numbered_with_zhi(make_search_index):
    index = make_search_index("刑法.md")
    for query in ("《刑法》第二百零五条之一", "刑法第205条之1", "中华人民共和国刑法 第205条之一"):
        first = index.search(query, today_override=TODAY).results[0]
        assert (first.citation, first.match) == ("《中华人民共和国刑法》第二百零五条之一", "citation"), query


def test_citation_of_a_revised_document_gives_the_version_in_force(index):
    results = index.search("发票管理办法第三条", today_override=TODAY).results
    assert results[0].source == "发票管理办法(2023-07-20).md"
    assert all(r.source != "发票管理办法(2019-03-02).md" for r in results)
    with_old = index.search("发票管理办法第三条", include_old=True, today_override=TODAY).results
    assert [r.source for r in with_old[:2]] == ["发票管理办法(2023-07-20).md", "发票管理办法(2019-03-02).md"]
    assert with_old[1].outdated and with_old[1].validity == "outdated"


def test_citation_of_a_repealed_document_named_explicitly_is_shown_and_marked(index):
    first = index.search("增值税暂行条例第十一条", today_override=TODAY).results[0]
    assert (first.source, first.unit, first.outdated) == ("增值税暂行条例(2017-11-19).md", "第十一条", True)
    assert first.superseded_by == "中华人民共和国增值税法"


def test_number_without_a_document_name_is_not_a_citation(index):
    results = index.search("第三十二条 滞纳金", today_override=TODAY).results
    assert results and all(r.match == "text" for r in results)


@pytest.mark.parametrize("query, notice", [
    ("征管法第999条", "《中华人民共和国税收征收管理法》没有第九百九十九条，请核对条号"),
    ("《征管法》第三十四条之一", "《中华人民共和国税收征收管理法》没有第三十四条之一，请核对条号"),
    ("车购税法第九十条", "《中华人民共和国车辆购置税法》没有第九十条，请核对条号"),
])
def test_citation_of_an_article_that_does_not_exist_says_so(index, query, notice):
    response = index.search(query, today_override=TODAY)
    assert response.notices == [notice]
    assert all(r.match != "citation" for r in response.results)
    assert response.to_dict()["notices"] == [notice]


def test_an_existing_article_or_a_bare_number_has_no_notice(index):
    assert index.search("征管法第九十四条", today_override=TODAY).notices == []
    assert index.search("车购税法 2019", today_override=TODAY).notices == []  # a year, perhaps: no notice
