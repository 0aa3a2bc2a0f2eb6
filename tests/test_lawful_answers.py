"""依法答复: an on-the-spot answer to a policy question with no citation is flagged for the director."""
from __future__ import annotations

import pytest

from kb.hotline.calls import NewCall, record_call
from kb.hotline.lawful_answers import ReviewError, review_answer, unsupported_answers
from kb.core.permissions import Forbidden
from kb.reports.promises import STAFF_NO, check_promises
from tests.report_records import MONTH, NOW, at, build_month
from tests.web_helpers import csrf_token, login


def test_policy_answers_without_a_citation_are_flagged(session):
    records = build_month(session)
    cited = record_call(session, records.agent_a, NewCall(
        question="小规模纳税人月销售额10万以下免征增值税吗？", answer="免征。", at=at(29, 10),
        citations=["财政部 税务总局公告2023年第19号 第一条"]))
    complaint = record_call(session, records.agent_a, NewCall(
        question="办税服务厅排队太久", category="投诉", answer="已记录并致歉。", at=at(29, 11)))
    flagged = unsupported_answers(session, records.director, MONTH)
    ids = [row.call_id for row in flagged]
    assert records.calls["c1"].id in ids and records.calls["c4"].id in ids
    assert cited.id not in ids and complaint.id not in ids
    assert records.calls["c7"].id not in ids                    # referred, not answered on the spot
    assert flagged[0].staff_no == "1001" and flagged[0].verdict_label == "待核查"
    with pytest.raises(Forbidden):
        unsupported_answers(session, records.agent_a, MONTH)
    with pytest.raises(Forbidden):
        review_answer(session, records.agent_a, {"call_id": records.calls["c1"].id, "verdict": "ok"})
    with pytest.raises(ReviewError, match="核查结论"):
        review_answer(session, records.director, {"call_id": records.calls["c1"].id, "verdict": "好"})
    with pytest.raises(ReviewError, match="不是需核查"):
        review_answer(session, records.director, {"call_id": cited.id, "verdict": "ok"})
    review_answer(session, records.director, {"call_id": records.calls["c1"].id, "verdict": "error",
                                              "note": "起征点说成每月3500元"})
    review_answer(session, records.director, {"call_id": records.calls["c1"].id, "verdict": "error",
                                              "note": "起征点说成每月3500元，已纠正"})
    again = {row.call_id: row for row in unsupported_answers(session, records.director, MONTH)}
    assert again[records.calls["c1"].id].verdict_label == "差错" and "已纠正" in again[records.calls["c1"].id].note


def test_the_staff_number_rule_says_what_the_record_cannot_prove(session):
    build_month(session)
    promise = check_promises(session, MONTH, NOW)[STAFF_NO]
    assert "无法核查" in promise.rule and len(promise.breaches) == 1


def test_review_page_for_the_director_only(app):
    with app.extensions["kb_storage"].session_factory() as session:
        records = build_month(session)
        session.commit()
        first = records.calls["c1"].id
    director = app.test_client()
    assert login(director, "director", "password-123").status_code == 302
    page = director.get("/calls/unsupported?month=2024-05")
    assert page.status_code == 200 and f'href="/calls/{first}"' in page.text and "个税起征点是多少" in page.text
    assert director.get("/calls/unsupported?month=2024-13").status_code == 400
    response = director.post(f"/calls/unsupported/{first}/review?month=2024-05",
                             data={"verdict": "ok", "csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    assert "<span class=\"muted\">有据</span>" in director.get("/calls/unsupported?month=2024-05").text
    agent = app.test_client()
    assert login(agent, "agent-a", "password-123").status_code == 302
    assert agent.get("/calls/unsupported?month=2024-05").status_code == 403
