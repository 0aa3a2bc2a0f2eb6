"""The numpy scorer ranks exactly as Whoosh does (same scores), on real documents, with filters,
masks, deleted entries and several segments."""
from __future__ import annotations

import pytest
from whoosh.query import And, NumericRange, Or, Term

from indexer.scoring import FastScorer, FastSearcher

FILES = ("增值税法(2024-12-25).md", "增值税暂行条例(2017-11-19).md", "发票管理办法(2023-07-20).md",
         "发票管理办法(2019-03-02).md", "税收征收管理法(2015-04-24).md", "个人所得税法(2018-08-31).md")
QUERIES = ("发票丢了怎么办", "逾期申报 罚款 多少", "个税 专项附加扣除", "小规模纳税人的标准",
           "复义 可以打电话口头申请吗", "征管法 滞纳金 财税〔2019〕13号 第32条")
OLD = Or([Term("status", "失效"), Term("status", "已修订")])


@pytest.fixture
def index(make_search_index):
    return make_search_index(*FILES)


def _same_as_whoosh(searcher, query, limit=30, **options):
    expected = [(hit.docnum, hit.score) for hit in searcher.search(query, limit=limit, **options)]
    got = FastScorer(searcher).top(query, limit, allow=options.get("filter"), exclude=options.get("mask"))
    assert [d for d, _ in got] == [d for d, _ in expected]
    assert [s for _, s in got] == pytest.approx([s for _, s in expected], rel=1e-9)
    return got


def test_scores_and_order_are_whooshs(index):
    searcher = index.searcher()
    for text in QUERIES:
        query = index.parse(text, searcher).query
        assert _same_as_whoosh(searcher, query)


def test_filters_and_masks_are_applied(index):
    searcher = index.searcher()
    query = index.parse("纳税人 申报 发票", searcher).query
    _same_as_whoosh(searcher, query, mask=OLD)
    _same_as_whoosh(searcher, query, filter=Term("tax_types", "增值税"))
    _same_as_whoosh(searcher, query, filter=And([Term("status", "有效"), NumericRange("published", 20150101, None)]))


def test_deleted_entries_and_new_segments_count_like_whoosh(index, session_factory):
    with session_factory() as session:
        index.update_documents(session, {1, 2})  # deletes their entries, writes a new segment
    searcher = index.searcher()
    assert len(list(searcher.reader().leaf_readers())) > 1
    for text in QUERIES[:3]:
        _same_as_whoosh(searcher, index.parse(text, searcher).query, mask=OLD)


def test_other_queries_and_options_go_to_whoosh(index):
    searcher = index.searcher()
    fast = FastSearcher(FastScorer(searcher))
    query = index.parse("发票", searcher).query
    hits = fast.search(query, limit=5, terms=True)  # an option the scorer does not handle
    assert [h.docnum for h in hits] == [h.docnum for h in searcher.search(query, limit=5)]
    assert [h.docnum for h in fast.search(query, limit=5)] == [h.docnum for h in hits]


def test_what_the_scorer_remembers_is_what_the_reader_says(index):
    searcher = index.searcher()
    reader = searcher.reader()
    scorer = FastScorer(searcher)
    for docnum in range(0, searcher.doc_count_all(), 37):
        assert scorer.stored_fields(docnum) == searcher.stored_fields(docnum)
        assert scorer.stored_fields(docnum) is scorer.stored_fields(docnum)  # read once
    for word in ("纳税人", "发票", "滞纳金", "没有这个词"):
        assert scorer.doc_frequency("text", word) == reader.doc_frequency("text", word)
    assert scorer.doc_count() == reader.doc_count()


def test_remembered_fields_are_bounded(index, monkeypatch):
    import indexer.scoring

    monkeypatch.setattr(indexer.scoring, "CACHE_FIELDS", 3)
    searcher = index.searcher()
    scorer = FastScorer(searcher)
    first = scorer.stored_fields(0)
    for docnum in (1, 2, 3):
        scorer.stored_fields(docnum)
    assert scorer.stored_fields(0) is not first and scorer.stored_fields(0) == first  # read again
    assert scorer.stored_fields(3) is scorer.stored_fields(3)
