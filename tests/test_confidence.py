"""Knowing when it does not know: each response says "high" or "low" (indexer.confidence)."""
from __future__ import annotations

import pytest

from indexer.confidence import ConfidenceRule, Signals, fit_rule, flag_rates
from indexer.learned import LearnedModel

TODAY = "2026-11-27"


@pytest.fixture
def index(make_search_index):
    return make_search_index()  # the whole tax library


def test_questions_outside_the_library_are_low_and_tax_questions_high(index):
    for query in ("年终奖", "灵活就业人员社保费", "个税APP怎么修改手机号", "办税服务厅中午休息吗", "医保报销比例是多少"):
        response = index.search(query, today_override=TODAY)
        assert response.confidence == "low", (query, response.signals)
        assert response.to_dict()["confidence"] == "low"
    for query in ("纳税人逾期不缴纳税款怎么办", "增值税税率", "资源税税率", "车船税法第三条"):
        assert index.search(query, today_override=TODAY).confidence == "high", query


def test_a_learned_rule_in_the_data_folder_replaces_the_shipped_one(index, tmp_path):
    assert index.search("增值税税率", today_override=TODAY).confidence == "high"
    strict = ConfidenceRule(weights=[0.0, 0.0, 0.0, 0.0], intercept=0.0, means=[0.0] * 4, scales=[1.0] * 4,
                            threshold=0.9)
    (tmp_path / "ranker.json").write_text(LearnedModel(confidence=strict).to_json(), encoding="utf-8")
    index.learned.model(force=True)
    assert index.search("增值税税率", today_override=TODAY).confidence == "low"
    assert index.search("增值税法第十六条", today_override=TODAY).confidence == "high"  # a citation stays high


def test_fitting_separates_what_the_signals_separate():
    rows = [(Signals(coverage=0.9 - i / 100, top_score=40.0 + i, articles=10), True) for i in range(20)]
    rows += [(Signals(coverage=0.1 + i / 100, unknown_share=0.6, top_score=10.0 + i / 2, articles=10), False)
             for i in range(20)]
    rule = fit_rule(rows)
    rates = flag_rates(rule, rows)
    assert rates["unanswerable_flagged"] >= 0.9 and rates["answerable_flagged"] <= 0.05
    assert ConfidenceRule.from_json(rule.to_json()).judge(rows[-1][0]) == "low"
    assert ConfidenceRule().judge(Signals(articles=0)) == "low"  # nothing found at all
