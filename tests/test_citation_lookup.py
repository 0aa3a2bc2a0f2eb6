"""Citation lookup: a document name and an article number go straight to that article."""
from __future__ import annotations

import pytest


TODAY = "2026-11-27"


@pytest.fixture
def index(make_search_index):
    return make_search_index("税收征收管理法(2015-04-24).md", "税收征收管理法实施细则(2016-02-06).md", "增值税法(2024-12-25).md",
               "增值税暂行条例(2017-11-19).md", "个人所得税法(2018-08-31).md", "发票管理办法(2023-07-20).md",
               "发票管理办法(2019-03-02).md")


@pytest.mark.parametrize("query, title, label", [
    ("征管法第32条", "中华人民共和国税收征收管理法", "第三十二条"),
    ("征管法三十二条", "中华人民共和国税收征收管理法", "第三十二条"),
    ("税收征管法 第三十二条", "中华人民共和国税收征收管理法", "第三十二条"),
    ("增值税法 9条", "中华人民共和国增值税法", "第九条"),
    ("《个人所得税法》第六条", "中华人民共和国个人所得税法", "第六条"),
    ("个税法第6条", "中华人民共和国个人所得税法", "第六条"),
    ("征管法实施细则第七十七条", "中华人民共和国税收征收管理法实施细则", "第七十七条"),
])
def test_citation_goes_straight_to_the_article(index, query, title, label):
    first = index.search(query, today_override=TODAY).results[0]
    assert (first.doc_title, first.unit, first.match) == (title, label, "citation")
    assert first.citation == f"《{title}》{label}"


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
