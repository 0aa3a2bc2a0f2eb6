"""A 重大疑难问题报告单 passed by the director to a department and followed like a referral."""
from __future__ import annotations

import datetime as dt

import pytest

from kb.hotline.calls import NewCall
from kb.core.departments import seed_departments
from kb.hotline.models import INEFFECTIVE, SENT
from kb.hotline.director_reports import NewDifficultyReport, ReportError, record_escalated_call, report_difficulty
from kb.core.permissions import Forbidden
from kb.hotline.referrals import department_inbox
from kb.hotline.reminders import send_reminders
from kb.hotline.report_referrals import pass_report
from kb.accounts.models import User
from tests.web_helpers import client_as  # noqa: F401  (fixture)
from kb.core.timestamps import BEIJING



def T(*fields) -> dt.datetime:
    """A moment on Beijing's clock."""
    return dt.datetime(*fields, tzinfo=BEIJING)


@pytest.fixture
def people(session):
    seed_departments(session)
    users = {name: User(username=name, role=role, department=department, staff_no=staff_no, password_hash="-")
             for name, role, department, staff_no in (
                 ("agent", "agent", None, "1001"), ("director", "director", None, None),
                 ("goods", "department", "货物和劳务税处", None))}
    session.add_all(users.values())
    session.flush()
    return users


def test_the_director_passes_a_report_and_it_is_followed_like_a_referral(session, people):
    report = record_escalated_call(session, people["agent"], NewCall(
        question="多名纳税人反映增值税专用发票无法勾选确认", caller_name="赵先生", caller_phone="13700000000",
        at=T(2025, 9, 1, 9, 0)))
    with pytest.raises(Forbidden):
        pass_report(session, people["agent"], {"report_id": report.id, "department": "货物和劳务税处"})
    with pytest.raises(ReportError, match="承办部门"):
        pass_report(session, people["director"], {"report_id": report.id, "department": ""})
    referral = pass_report(session, people["director"], {"report_id": report.id, "department": "货物和劳务税处",
                                                          "at": T(2025, 9, 1, 10, 0)})
    assert referral.state == SENT and referral.call_id == report.call_id and referral.caller_name == "赵先生"
    assert referral.due_at == T(2025, 9, 3, 18, 0)
    assert report.referral_id == referral.id and report.handled_at == T(2025, 9, 1, 10, 0)
    assert "转货物和劳务税处办理" in report.handling
    assert referral in department_inbox(session, people["goods"])
    with pytest.raises(ReportError, match="已处理"):
        pass_report(session, people["director"], {"report_id": report.id, "department": "货物和劳务税处"})
    # followed like any referral: reminded when late, then a 催办无效报告
    assert [r.id for r in send_reminders(session, T(2025, 9, 4, 9, 0)).reminded] == [referral.id]
    send_reminders(session, T(2025, 9, 5, 19, 0))
    outcome = send_reminders(session, T(2025, 9, 10, 9, 0))
    assert [r.kind for r in outcome.reports] == [INEFFECTIVE]


def test_a_report_without_a_call_needs_the_callers_contact(session, people):
    report = report_difficulty(session, people["agent"], NewDifficultyReport(content="某企业反映出口退税长期未到账"))
    with pytest.raises(Exception, match="姓名和联系方式"):
        pass_report(session, people["director"], {"report_id": report.id, "department": "进出口税收管理处"})
    referral = pass_report(session, people["director"], {"report_id": report.id, "department": "进出口税收管理处",
                                                          "caller_name": "钱女士", "caller_contact": "028-12345678"})
    assert referral.question == "某企业反映出口退税长期未到账" and referral.department == "进出口税收管理处"


def test_the_reports_page_passes_a_report_to_a_department(app, client_as):
    from tests.web_helpers import post_form

    director = client_as("director")
    with app.extensions["kb_storage"].session_factory() as session:
        seed_departments(session)
        agent = User(username="agent-x", role="agent", staff_no="1009", password_hash="-")
        session.add(agent)
        session.flush()
        report = record_escalated_call(session, agent, NewCall(
            question="个体户反映定额调整过高", caller_name="孙先生", caller_phone="13600000000"))
        session.commit()
        report_id = report.id
    page = director.get("/referrals/reports")
    assert f'action="/referrals/reports/{report_id}/pass"' in page.text and "货物和劳务税处" in page.text
    response = post_form(director, f"/referrals/reports/{report_id}/pass", {"department": "征管处"},
                         page_url="/referrals/reports")
    assert response.status_code == 302 and "/referrals/" in response.location
    assert "转征管处办理" in director.get("/referrals/reports").text
