"""Knowing when it does not know: each response says "high" or "low" (indexer.confidence)."""
from __future__ import annotations

import pytest

from indexer.confidence import (
    LEGACY_FEATURES,
    WORDING,
    ConfidenceRule,
    Signals,
    fit_rule,
    flag_rates,
)
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


def test_subjects_the_library_does_not_hold_are_low_even_when_it_uses_their_words(index):
    """公积金, 养老金, 医保 and the 个税APP share words with the statutes (贷款, 领取, 个税): the question's wording
    tells them apart (the rule before it let the first three through as high)."""
    for query in ("公积金贷款最长能贷多少年", "养老金每个月几号发到卡上", "医保卡的密码忘了怎么重置",
                  "个税APP登录一直提示账号异常", "办税厅周末上不上班"):
        response = index.search(query, today_override=TODAY)
        assert response.confidence == "low", (query, response.signals)
    for query in ("企业所得税的税率是百分之几", "逾期不申报罚多少钱", "买房子交契税的税率多少", "车船税由谁代收代缴"):
        response = index.search(query, today_override=TODAY)
        assert response.confidence == "high", (query, response.signals)


def _worded(text: str, answerable: bool) -> tuple[Signals, bool]:
    return Signals(text=text, coverage=0.5, top_score=10.0, articles=10), answerable


def test_a_rule_on_the_wording_learns_it_round_trips_and_an_older_rule_still_loads():
    taxes = ("增值税", "消费税", "契税", "房产税", "车船税", "印花税", "资源税", "关税", "个人所得税", "企业所得税")
    rows = [_worded(f"{tax}的税率是多少", True) for tax in taxes] + [_worded(f"{tax}逾期申报怎么罚", True) for tax in taxes]
    outside = ("社保卡", "公积金", "医保卡", "护照", "驾驶证", "户口", "居住证", "营业执照", "银行卡", "港澳通行证")
    rows += [_worded(f"{thing}丢了去哪里补办", False) for thing in outside]
    rows += [_worded(f"{thing}要带什么材料办理", False) for thing in outside]
    rule = fit_rule(rows, names=(*LEGACY_FEATURES, WORDING), wording_c=10.0)
    outside_worded, tax_worded = _worded("社保卡怎么办理", False)[0], _worded("土地增值税的税率是多少", True)[0]
    assert rule.wording.decision(outside_worded.text) < 0 < rule.wording.decision(tax_worded.text)
    rule.threshold = 0.5  # same signals, only the wording differs
    assert (rule.judge(outside_worded), rule.judge(tax_worded)) == ("low", "high")
    again = ConfidenceRule.from_json(rule.to_json())
    for signals, _ in rows:
        assert again.probability(signals) == pytest.approx(rule.probability(signals))
    older = {"weights": [1.0, -1.0, 2.0, 0.0], "intercept": 0.5, "means": [0.5, 0.3, 3.0, 0.3],
             "scales": [0.3, 0.3, 1.0, 0.2], "threshold": 0.3}  # saved before the inputs were named
    assert ConfidenceRule.from_dict(older).features == list(LEGACY_FEATURES)
    with pytest.raises(ValueError):
        ConfidenceRule.from_dict(dict(older, weights=[1.0] * 5, means=[0.0] * 5, scales=[1.0] * 5,
                                      features=[*LEGACY_FEATURES, WORDING]))  # the wording model is missing
