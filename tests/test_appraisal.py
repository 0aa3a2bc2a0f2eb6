"""The monthly appraisal (目标责任制考核表): items filled from the records, manual entries, the
self-score and the centre's score, ±5 yuan a point around 100, publishing."""
from __future__ import annotations

import datetime as dt

import pytest

from kb.appraisal import (
    ITEMS, AppraisalError, agents_for, appraise, appraise_all, pay_difference, publish_month, save_centre_entries,
    save_self_score,
)
from kb.periods import parse_month
from kb.permissions import Forbidden
from kb.users import User
from tests.report_records import MONTH, NOW, build_month


def scores(appraisal) -> dict[str, float]:
    return {i.item.code: i.computed for i in appraisal.items}


def test_the_table_has_seven_items_worth_100_points():
    assert [(i.name, i.points) for i in ITEMS] == [
        ("受话质量", 15), ("台帐登记", 15), ("转办催办", 15), ("工作态度", 25), ("岗位考勤", 15), ("遵守制度", 15),
        ("提供信息", 0)]
    assert sum(i.points for i in ITEMS) == 100


def test_pay_difference_is_five_yuan_a_point_around_100():
    assert pay_difference(100) == 0 and pay_difference(93) == -35 and pay_difference(104.5) == 22.5


def test_items_are_filled_from_the_records(session):
    records = build_month(session)
    by_agent = {a.agent.id: a for a in appraise_all(session, MONTH, NOW)}
    a, b = by_agent[records.agent_a.id], by_agent[records.agent_b.id]
    # A: 转接 without department (台帐 −3), late referral never reminded (转办催办 −2), an FAQ adopted (+5)
    assert scores(a) == {"quality": 15, "ledger": 12, "referrals": 13, "attitude": 25, "attendance": 15,
                         "discipline": 15, "information": 5}
    assert a.computed_total == 100 and a.pay_difference == 0
    # B: referral without a call record (−3); 转办单 never sent (−2); no feedback after the answer (−2).
    # The department's delay is not B's fault, and neither is the unanswered caller counted twice.
    assert scores(b)["ledger"] == 12 and scores(b)["referrals"] == 11
    assert b.computed_total == 93 and b.pay_difference == -35
    evidence = [r for i in b.items for adj in i.adjustments for r in adj.records]
    assert any(f"来电 #{records.calls['c9'].id}" in r for r in evidence)


def test_manual_entries_self_score_centre_score_and_publishing(session):
    records = build_month(session)
    a, director = records.agent_a, records.director
    save_centre_entries(session, director, {
        "agent_id": a.id, "month": MONTH.key, "note": "表现良好",
        "inputs": {"praise_letters": "1", "attendance_breaches": "2", "info_submitted": "1", "complaints": ""},
        "centre_scores": {"quality": "10"}})
    save_self_score(session, a, {"month": MONTH.key, "scores": {c.code: c.points for c in ITEMS}, "note": "自评"})
    result = appraise(session, a, MONTH, NOW)
    by_code = {i.item.code: i for i in result.items}
    assert by_code["attitude"].computed == 30          # 25 + 5 (来信表扬)
    assert by_code["attendance"].computed == 9         # 15 − 2 × 3
    assert by_code["information"].computed == 10       # FAQ adopted + information submitted
    assert result.computed_total == 104                # 15 + 12 + 13 + 30 + 9 + 15 + 10
    assert by_code["quality"].centre == 10 and result.centre_total == 99
    assert result.self_total == 100
    assert result.pay_difference == -5

    with pytest.raises(Forbidden):
        save_centre_entries(session, a, {"agent_id": a.id, "month": MONTH.key})
    with pytest.raises(Forbidden):
        publish_month(session, a, {"period": MONTH, "now": NOW})
    with pytest.raises(AppraisalError):
        save_self_score(session, a, {"month": MONTH.key, "scores": {"quality": "很好"}})

    published = {p.agent.id: p for p in publish_month(session, director, {"period": MONTH, "now": NOW})}
    assert published[a.id].published_total == 99 and published[records.agent_b.id].published_total == 93
    assert appraise(session, a, MONTH, NOW).pay_difference == -5
    with pytest.raises(AppraisalError):
        save_self_score(session, a, {"month": MONTH.key, "scores": {"quality": 15}})
    with pytest.raises(AppraisalError):
        save_centre_entries(session, director, {"agent_id": a.id, "month": MONTH.key, "inputs": {}})


def test_an_item_never_falls_below_zero(session):
    records = build_month(session)
    save_centre_entries(session, records.director, {
        "agent_id": records.agent_b.id, "month": MONTH.key, "inputs": {"rule_breaches": 5}})
    result = appraise(session, records.agent_b, MONTH, NOW)
    assert {i.item.code: i.computed for i in result.items}["discipline"] == 0


def test_an_agent_created_after_the_month_is_not_on_its_sheet(session):
    records = build_month(session)
    newcomer = User(username="newcomer", role="agent", staff_no="1099", password_hash="-",
                    created_at=dt.datetime(2024, 6, 3, 9, 0))  # joined in June, took no call in May
    session.add(newcomer)
    session.flush()
    in_may = agents_for(session, MONTH)
    assert newcomer not in in_may and {records.agent_a, records.agent_b} <= set(in_may)
    assert newcomer in agents_for(session, parse_month("2024-06"))
