"""Synonyms and abbreviations: the shipped table, the director's override, and their effect on search."""
from __future__ import annotations

import os
import time

import pytest

from indexer.synonyms import SynonymTable

TODAY = "2026-11-27"


def test_shipped_abbreviations_expand():
    table = SynonymTable()
    assert table.expansions("个税") == ["个人所得税"]
    assert table.expansions("专票") == ["增值税专用发票"]
    assert table.expansions("征管法") == ["税收征收管理法"]
    assert table.expansions("小规模") == ["小规模纳税人"]
    assert table.expansions("汇缴") == ["汇算清缴"]


def test_synonym_groups_work_both_ways():
    table = SynonymTable()
    assert "罚金" in table.expansions("罚款") and "罚款" in table.expansions("罚金")
    assert "退还税款" in table.expansions("退税") and "退税" in table.expansions("退还税款")


def test_terms_spanning_several_words_are_found():
    table = SynonymTable()
    assert table.find(["发票", "丢", "了"]) == [(0, 3, table.expansions("发票丢了"))]


def test_director_override_adds_replaces_and_removes(tmp_path):
    override = tmp_path / "synonyms.tsv"
    override.write_text("term\texpansions\tkind\n个税\t个人所得税|综合所得\tabbr\n专票\t\tabbr\n留抵\t留抵税额\tabbr\n",
                        encoding="utf-8")
    table = SynonymTable(override)
    assert table.expansions("个税") == ["个人所得税", "综合所得"]
    assert table.expansions("专票") == []
    assert table.expansions("留抵") == ["留抵税额"]
    override.write_text("term\texpansions\tkind\n", encoding="utf-8")
    os.utime(override, (time.time() + 5, time.time() + 5))
    table.refresh(force=True)
    assert table.expansions("专票") == ["增值税专用发票"]


@pytest.fixture
def index(make_search_index):
    return make_search_index("个人所得税法(2018-08-31).md", "个人所得税法实施条例(2018-12-18).md", "发票管理办法(2023-07-20).md",
               "税收征收管理法(2015-04-24).md")


def test_abbreviations_find_the_full_term(index):
    first = index.search("个税 汇缴 时间", today_override=TODAY).results[0]
    assert first.doc_title.startswith("中华人民共和国个人所得税法")
    assert "<mark>汇算清缴</mark>" in first.snippet
    assert index.search("专票", today_override=TODAY).results[0].doc_title == "中华人民共和国发票管理办法"


def test_director_override_applies_at_query_time(index, tmp_path):
    assert not index.search("钱袋子", today_override=TODAY).results
    (tmp_path / "synonyms.tsv").write_text("钱袋子\t滞纳金\tabbr\n", encoding="utf-8")
    index.synonyms.refresh(force=True)
    assert index.search("钱袋子", today_override=TODAY).results[0].doc_title == "中华人民共和国税收征收管理法"


def test_every_shipped_line_says_which_group_it_belongs_to():
    from indexer.synonyms import SHIPPED_TABLE, read_groups, read_rows

    groups = read_groups(SHIPPED_TABLE)
    assert {term for term, _, _ in read_rows(SHIPPED_TABLE)} == set(groups)
    assert set(groups.values()) == {"abbreviation", "statute", "everyday"}


def test_a_table_of_some_groups_leaves_the_others_out():
    table = SynonymTable(groups={"abbreviation"})
    assert table.expansions("个税") == ["个人所得税"]
    assert table.expansions("房子") == [] and table.expansions("免税") == []
    assert SynonymTable(groups={"everyday"}).expansions("房子")
