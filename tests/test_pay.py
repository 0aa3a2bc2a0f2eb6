"""绩效工资考核制度: 100 points a month, ±5 yuan a point, with the amounts the rules write; attendance
and leave with their slips; 辞退 at the second 旷工; the amounts as versioned data."""
from __future__ import annotations

import datetime as dt

import pytest

from kb.core.actors import SYSTEM
from kb.reports.appraisal import appraise
from kb.reports.appraisal_sheets import publish_month, record_summary
from kb.reports.appraisal_rules import PAY, TARGET, RulesError, deadline, rule_versions, rules_for, set_rules
from kb.reports.pay import DISMISSAL, PayError, import_events, pay_sheets, record_event
from kb.core.periods import parse_month
from kb.core.permissions import Forbidden
from tests.report_records import MONTH, NOW, build_month
from kb.core.timestamps import BEIJING


def sheet_of(session, agent, month=MONTH, now=NOW):
    return pay_sheets(session, month, now, [agent])[0]


def enter(session, records, event, amount=1, day="2024-05-20", agent=None, **fields):
    return record_event(session, records.director, {"agent_id": (agent or records.agent_a).id, "day": day,
                                                    "event": event, "amount": amount, **fields})


@pytest.mark.parametrize("event, amount, fields, points, absences", [
    ("迟到早退脱岗", 1, {"minutes": 20}, -2, 0),                 # within half an hour: −2 each
    ("迟到早退脱岗", 2, {"minutes": 30}, -4, 0),
    ("迟到早退脱岗", 1, {"minutes": 45, "slip": "before"}, -6, 0),  # beyond: 事假 (half a day, −12 a day)
    ("迟到早退脱岗", 1, {"minutes": 45}, -20, 1),                # beyond, no slip: 旷工
    ("旷工", 1, {}, -20, 1),
    ("事假", 3, {"slip": "before"}, -36, 0),                     # −12 a day, slip approved beforehand
    ("事假", 1, {"slip": "after"}, -12, 0),                      # or a written account afterwards
    ("事假", 2, {}, -40, 2),                                     # neither: each day is a 旷工
    ("病假", 2, {"slip": "hospital"}, -10, 0),                   # −5 a day with the hospital slip
    ("病假", 1, {"slip": "after"}, -20, 1),                      # a written account is not a hospital slip
    ("病假", 1.5, {"slip": "none"}, -40, 2),                     # a day begun counts
    ("月报迟交", 1, {}, -4, 0), ("投诉查实", 1, {}, -4, 0), ("私事占线", 1, {}, -10, 0),
    ("来信表扬", 1, {}, 4, 0), ("媒体表扬", 1, {}, 10, 0), ("单据迟发", 1, {}, -2, 0), ("归档迟", 1, {}, -2, 0),
    ("信息批示", 1, {}, 4, 0), ("建议采纳", 2, {}, 8, 0), ("违反制度", 1, {}, -4, 0),
])
def test_each_entry_counts_as_the_rules_write(session, event, amount, fields, points, absences):
    records = build_month(session)
    before = sheet_of(session, records.agent_a).points
    enter(session, records, event, amount, **fields)
    sheet = sheet_of(session, records.agent_a)
    assert sheet.points - before == points
    assert sheet.absences == absences
    assert sheet.pay_yuan == (sheet.points - 100) * 5


def test_the_issues_figures_complaint_leave_and_two_absences(session):
    records = build_month(session)
    a, b = records.agent_a, records.agent_b
    enter(session, records, "投诉查实")
    assert sheet_of(session, a).pay_yuan == -20                  # not 25 (the 目标 table's −5)
    assert appraise(session, a, MONTH, NOW).items[3].computed == 25  # 目标 工作态度 untouched by pay entries
    enter(session, records, "事假", 3, slip="before", agent=b, day="2024-05-21")
    assert sheet_of(session, b).pay_yuan == -190                 # 3 × 12 × 5 = 180, and b's unsent 转办单: 10
    enter(session, records, "旷工", 2, day="2024-05-22")
    sheet = sheet_of(session, a)
    assert sheet.pay_yuan == -20 - 200 and DISMISSAL in sheet.flags


def test_the_second_absence_across_months_flags_dismissal(session):
    records = build_month(session)
    enter(session, records, "旷工", day="2024-04-10")
    april = sheet_of(session, records.agent_a, parse_month("2024-04"))
    assert april.points == 80 and april.flags == []
    assert sheet_of(session, records.agent_a).flags == []         # no 旷工 in May: nothing to flag
    enter(session, records, "事假", 1, day="2024-05-10")          # leave without a slip is a 旷工
    may = sheet_of(session, records.agent_a)
    assert may.flags == [DISMISSAL] and may.prior_absences == 1


def test_automatic_entries_show_their_record_and_none_for_the_systems_reminders(session):
    records = build_month(session)
    a, b = (sheet_of(session, agent) for agent in (records.agent_a, records.agent_b))
    assert a.points == 100 and a.lines == []                      # A's unreminded referral: send-reminders' duty
    assert b.points == 98                                         # c9: 转办单 never sent
    [line] = b.lines
    assert line.source == "记录核查" and f"来电 #{records.calls['c9'].id}" in line.records[0]


def test_deadlines_follow_the_official_calendar():
    assert deadline("2024-05", 5) == dt.date(2024, 6, 5)          # a Wednesday
    assert deadline("2024-09", 5) == dt.date(2024, 10, 8)         # National Day: 5–7 October off
    assert deadline("2024-09", 6) == dt.date(2024, 10, 8)
    assert deadline("2024-02", 6) == dt.date(2024, 3, 6)


def test_a_late_hand_in_of_the_statistics_costs_points_in_both_schemes(session):
    records = build_month(session)
    a, b = records.agent_a, records.agent_b
    record_summary(session, a, {"month": MONTH.key, "at": dt.datetime(2024, 6, 5, 17, 0, tzinfo=BEIJING)})
    record_summary(session, records.director, {"agent_id": b.id, "month": MONTH.key,
                                               "at": dt.datetime(2024, 6, 7, 9, 0, tzinfo=BEIJING)})
    assert sheet_of(session, a).points == 100
    late = sheet_of(session, b)
    assert late.points == 98 - 4 and "截止 2024-06-05" in late.lines[-1].records[0]
    target = appraise(session, b, MONTH, NOW)
    assert {i.item.code: i.computed for i in target.items}["ledger"] == 12 - 5
    with pytest.raises(Exception, match="月末之后"):
        record_summary(session, a, {"month": MONTH.key, "at": dt.datetime(2024, 5, 30, tzinfo=BEIJING)})


def test_bad_entries_are_refused_in_chinese(session):
    records = build_month(session)
    for fields, message in (({"event": "迟到"}, "不存在"), ({"event": "事假", "amount": "0.3"}, "半天"),
                            ({"event": "旷工", "amount": "两次"}, "不是数字"), ({"event": "旷工", "day": "5月3日"}, "格式"),
                            ({"event": "病假", "slip": "maybe"}, "无效"), ({"event": "旷工", "amount": "1.5"}, "整数")):
        data = {"agent_id": records.agent_a.id, "day": "2024-05-20", **fields}
        with pytest.raises(PayError, match=message):
            record_event(session, records.director, data)
    with pytest.raises(Forbidden):
        record_event(session, records.agent_a, {"agent_id": records.agent_a.id, "day": "2024-05-20", "event": "来信表扬"})
    assert sheet_of(session, records.agent_a).lines == []


def test_import_loads_good_rows_and_reports_bad_ones_by_line(session):
    records = build_month(session)
    text = ("staff_no,date,event,amount,note\n"
            "1001,2024-05-06,事假,2,slip=yes\n"
            "1001,2024-05-08,病假,1,slip=no；忘带病假条\n"
            "1002,2024-05-09,迟到早退脱岗,1,minutes=50;slip=yes\n"
            "9999,2024-05-09,旷工,1,\n"
            "1002,2024-05-10,请客吃饭,1,\n"
            "1002,2024-05-11,来信表扬,1,表扬热情\n")
    report = import_events(session, SYSTEM, text)
    assert report.loaded == 4
    assert [line for line, _ in report.errors] == [5, 6]
    assert "9999" in report.errors[0][1] and "请客吃饭" in report.errors[1][1]
    a, b = sheet_of(session, records.agent_a), sheet_of(session, records.agent_b)
    assert a.points == 100 - 24 - 20 and a.absences == 1 and "忘带病假条" in a.lines[1].label
    assert b.points == 98 - 6 + 4
    assert import_events(session, SYSTEM, "工号,日期\n1001,2024-05-06\n").errors[0][0] == 1


def test_publishing_freezes_the_pay_and_later_rules_apply_from_their_month(session):
    records = build_month(session)
    a = records.agent_a
    enter(session, records, "投诉查实")
    publish_month(session, records.director, {"period": MONTH, "now": NOW})
    with pytest.raises(PayError, match="已公布"):
        enter(session, records, "来信表扬")
    with pytest.raises(RulesError, match="已公布"):
        set_rules(session, records.director, {"scheme": PAY, "effective_month": "2024-05", "amounts": {"complaint": -8}})
    with pytest.raises(RulesError, match="扣分"):
        set_rules(session, records.director, {"scheme": PAY, "effective_month": "2024-06", "amounts": {"complaint": 8}})
    with pytest.raises(Forbidden):
        set_rules(session, a, {"scheme": PAY, "effective_month": "2024-06", "amounts": {"complaint": -8}})
    set_rules(session, records.director, {"scheme": PAY, "effective_month": "2024-06", "amounts": {"complaint": "-8"},
                                          "note": "投诉扣分加倍"})
    assert sheet_of(session, a).points == 96 and sheet_of(session, a).published
    enter(session, records, "投诉查实", day="2024-06-03")
    june = sheet_of(session, a, parse_month("2024-06"), dt.datetime(2024, 7, 10, tzinfo=BEIJING))
    assert june.points == 92 and june.rules.effective_month == "2024-06"
    assert rules_for(session, PAY, "2024-05")["complaint"] == -4 and rules_for(session, PAY, "2030-01")["complaint"] == -8
    assert [v.effective_month for v in rule_versions(session, PAY)] == ["2005-06", "2024-06"]
    assert rules_for(session, TARGET, "2024-06")["complaint"] == -5   # the other scheme keeps its own amounts
