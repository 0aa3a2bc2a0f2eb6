"""The second stage (``indexer.ranking``): coverage of the question and the rule asked for, on the tax library."""
from __future__ import annotations

import pytest

from indexer import nearest, ranking, semantic

TODAY = "2026-11-27"


@pytest.fixture
def index(make_search_index):
    return make_search_index("车辆购置税法(2018-12-29).md", "税收征收管理法(2015-04-24).md",
                             "税收征收管理法实施细则(2016-02-06).md", "船舶吨税法(2018-10-26).md",
                             "发票管理办法(2023-07-20).md", "个人所得税法(2018-08-31).md")


def _first(index, text: str) -> str:
    return index.search(text, today_override=TODAY).results[0].citation


def test_asks(monkeypatch):
    assert [name for name, _ in ranking.asks("车辆购置税 多少天内申报")] == ["time_limit"]
    assert [name for name, _ in ranking.asks("资源税 税率")] == ["rate"]
    assert [name for name, _ in ranking.asks("应扣未扣 罚多少")] == ["penalty"]
    assert ranking.asks("纳税人") == []


def test_a_time_limit_question_finds_the_article_that_sets_the_limit(index, monkeypatch):
    # 第十一条 (where to file) says 车辆购置税 and 申报 as often; 第十二条 states the sixty days.
    text = "车辆购置税什么时候申报"
    assert _first(index, text) == "《中华人民共和国车辆购置税法》第十二条"
    monkeypatch.setattr(ranking, "ASK_BOOST", 0.0)
    monkeypatch.setattr(ranking, "DOCUMENT_POWER", 0.0)
    monkeypatch.setattr(semantic, "MEANING_POWER", 0.0)  # the sentence's meaning finds it too
    assert _first(index, text) != "《中华人民共和国车辆购置税法》第十二条"


def test_an_article_holding_all_of_the_question_beats_one_repeating_part_of_it(index, monkeypatch):
    # 细则第十五条/第十六条 hold 注销 and the settling of taxes; 第七十六条 (欠税公告) only says 欠税 more often.
    text = "注销前要把欠的税交清吗"
    settling = {f"《中华人民共和国税收征收管理法实施细则》{n}" for n in ("第十五条", "第十六条")}
    assert _first(index, text) in settling
    monkeypatch.setattr(ranking, "COVERAGE_POWER", 0.0)
    monkeypatch.setattr(ranking, "DOCUMENT_POWER", 0.0)
    monkeypatch.setattr(ranking, "PAIR_POWER", 0.0)  # the coverage of the question's character pairs does it too
    monkeypatch.setattr(semantic, "MEANING_POWER", 0.0)  # and so does the sentence's meaning
    assert _first(index, text) not in settling


def test_a_question_of_single_characters_still_finds_articles(index):
    results = index.search("免吨税的船", today_override=TODAY).results
    assert results and results[0].doc_title == "中华人民共和国船舶吨税法"


def test_a_word_of_a_title_does_not_lift_every_article_of_that_law(make_search_index, monkeypatch):
    # 处罚 is in the title of 行政处罚法: each of its articles matched it two or three times over (the title
    # field holds the title in several forms), above the article of 征管法 that sets the penalty for 偷税.
    from indexer import query

    index = make_search_index("税收征收管理法(2015-04-24).md", "税收征收管理法实施细则(2016-02-06).md",
                              "发票管理办法(2023-07-20).md", "个人所得税法(2018-08-31).md", "车辆购置税法(2018-12-29).md",
                              "船舶吨税法(2018-10-26).md", "行政处罚法(2021-01-22).md")
    assert _first(index, "偷税了会被怎么处罚") == "《中华人民共和国税收征收管理法》第六十三条"
    monkeypatch.setattr(query, "FIELD_WEIGHT", {"title": 1.0})
    monkeypatch.setattr(nearest, "CANDIDATES", 0)  # the candidates by meaning bring 第六十三条 back as well
    assert _first(index, "偷税了会被怎么处罚") != "《中华人民共和国税收征收管理法》第六十三条"


def test_a_lone_character_among_words_is_searched(index):
    # 船, 车, 房 carry a question as much as its words do (dropping them lost on held-out questions).
    from whoosh.query import Term

    parsed = index.parse("船停在港口要交吨税吗")
    terms = {(q.fieldname, q.text) for q in parsed.query.subqueries if isinstance(q, Term)}
    assert ("text", "船") in terms
    assert index.search("船停在港口要交吨税吗", today_override=TODAY).results[0].doc_title == "中华人民共和国船舶吨税法"


def test_character_pairs_lift_the_article_whose_words_jieba_cut_otherwise(make_search_index, monkeypatch):
    # A caller's run-together wording: the judicial interpretation repeats 虚开发票 and wins on words; the pairs of
    # the question (开发, 发票 ...) are held whole by 发票管理办法第二十一条 (开具发票 … 一次性如实开具) and its title.
    index = make_search_index("发票管理办法(2023-07-20).md", "税收征收管理法(2015-04-24).md",
                              "最高人民法院、最高人民检察院关于办理危害税收征管刑事案件适用法律若干问题的解释(2024-03-15).md")
    text = "开发票的时候能不能拆开开"
    assert _first(index, text) == "《中华人民共和国发票管理办法》第二十一条"
    monkeypatch.setattr(ranking, "PAIR_POWER", 0.0)
    monkeypatch.setattr(semantic, "MEANING_POWER", 0.0)  # the sentence's meaning finds it too
    assert _first(index, text) != "《中华人民共和国发票管理办法》第二十一条"


def test_pair_frequencies_saved_by_the_build_are_those_of_the_stored_texts(index):
    from indexer.pairs import FILE_NAME, PairFrequencies

    saved = PairFrequencies.load(index.index_dir / FILE_NAME)
    counted = PairFrequencies.of_reader(index.searcher().reader())
    assert saved.entries == counted.entries == index.searcher().doc_count()
    assert (saved.keys == counted.keys).all() and (saved.counts == counted.counts).all()
    assert saved.frequency("纳税") > saved.frequency("吨税") > 0
    assert saved.idf("吨税") > saved.idf("纳税") and saved.idf("𪚥𪚥") == 0.0


def test_pair_coverage_weighs_rare_pairs_and_skips_punctuation():
    from indexer.pairs import coverage, coverages, pairs_of

    assert pairs_of("吨税，船舶") == {"吨税", "船舶"}
    weights = {"吨税": 3.0, "纳税": 1.0}
    assert coverage(weights, "应纳税额") == 0.25
    assert coverage(weights, "船舶吨税") == 0.75
    assert coverage({}, "任何文字") == 1.0
    texts = ["应纳税额", "船舶吨税", "吨", "纳税吨税纳税", "纳\n税吨", "税吨税"]
    assert list(coverages(weights, texts)) == [coverage(weights, t) for t in texts] == [0.25, 0.75, 0, 1, 0, 0.75]


def test_an_index_built_without_the_pair_file_counts_and_saves_it_once(index):
    from indexer.pairs import FILE_NAME, PairFrequencies

    path = index.index_dir / FILE_NAME
    built = PairFrequencies.load(path)
    path.unlink()
    index._pairs = None
    index.search("车辆购置税什么时候申报", today_override=TODAY)
    assert path.exists()
    saved = PairFrequencies.load(path)
    assert (saved.keys == built.keys).all() and (saved.counts == built.counts).all()
