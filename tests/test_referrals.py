"""Calls and referrals: the workflow from a call to closure, deadlines, 催办 escalation, feedback rule."""
from __future__ import annotations

import datetime as dt

import pytest

from kb.hotline.calls import NewCall, record_call, CallError
from kb.core.departments import seed_departments
from kb.hotline.models import CLOSED, DIFFICULTY, DRAFT, FEEDBACK, INEFFECTIVE, NO_RECEIVER, REPLIED, RETURNED, SENT
from kb.hotline.director_reports import NewDifficultyReport, handle_report, open_reports, report_difficulty
from kb.core.permissions import Forbidden
from kb.hotline.referrals import (
    NewReferral, ReferralError, awaiting_feedback, change_department, close_referral, department_inbox,
    open_referral, record_feedback, reply_referral, list_referrals, return_referral, send_referral,
)
from kb.hotline.referral_drafts import referral_draft
from kb.hotline.reminders import send_reminders
from kb.accounts.models import User
from kb.core.timestamps import BEIJING



def T(*fields) -> dt.datetime:
    """A moment on Beijing's clock."""
    return dt.datetime(*fields, tzinfo=BEIJING)


@pytest.fixture
def make_user(session):
    def build(username, role, department=None, staff_no=None):
        # No password: these users never log in, and hashing one per user per test is slow.
        user = User(username=username, role=role, department=department, staff_no=staff_no, password_hash="-")
        session.add(user)
        session.flush()
        return user
    return build


@pytest.fixture
def people(session, make_user):
    seed_departments(session)
    return {
        "agent": make_user("agent1", "agent", staff_no="1001"),
        "agent2": make_user("agent2", "agent", staff_no="1002"),
        "director": make_user("director", "director"),
        "income": make_user("income", "department", department="所得税处"),
        "goods": make_user("goods", "department", department="货物和劳务税处"),
    }


def _policy_referral(session, people, at=T(2025, 9, 30, 10, 0)):
    call = record_call(session, people["agent"], NewCall(
        question="委托境外机构研发的费用，加计扣除的比例和限额怎么算？", category="政策咨询",
        disposition="转办", caller_name="王女士", caller_phone="13800000000", at=at))
    return open_referral(session, people["agent"], NewReferral(
        call_id=call.id, caller_name="", caller_contact="", searched=["委托境外研发 加计扣除"],
        articles=["《企业所得税法实施条例》第九十五条"], at=at))


def test_a_call_is_stamped_with_the_agents_staff_number(session, people):
    call = record_call(session, people["agent"], NewCall(
        question="小规模纳税人季度销售额30万以下免征增值税吗？", answer="免征。",
        citations=["财政部 税务总局公告2023年第19号 第一条"]))
    assert call.agent_staff_no == "1001" and call.agent_id == people["agent"].id
    assert call.disposition == "当场答复" and call.created_at is not None
    with pytest.raises(CallError, match="答复内容"):
        record_call(session, people["agent"], NewCall(question="问题"))
    with pytest.raises(CallError, match="来电类别"):
        record_call(session, people["agent"], NewCall(question="问题", category="闲聊", answer="x"))
    with pytest.raises(Forbidden):
        record_call(session, people["income"], NewCall(question="问题", answer="x"))


def test_the_referral_is_drafted_from_the_call_with_a_suggested_department(session, people):
    referral = _policy_referral(session, people)
    assert referral.state == DRAFT
    assert (referral.caller_name, referral.caller_contact) == ("王女士", "13800000000")  # from the call
    assert referral.suggested_department == "所得税处" == referral.department
    assert "加计扣除" in referral.suggestion_reason
    assert referral.searched == ["委托境外研发 加计扣除"] and referral.events[0].kind == "created"


def test_the_callers_name_and_contact_are_required(session, people):
    with pytest.raises(ReferralError, match="姓名和联系方式"):
        open_referral(session, people["agent"], NewReferral(
            question="间接转让境内股权要不要交税？", caller_name="李先生", caller_contact=" "))


def test_the_agent_confirms_or_changes_the_department_before_sending(session, people):
    referral = open_referral(session, people["agent"], NewReferral(
        question="我在区里的税务所交的材料，想问办到哪一步了", caller_name="李先生", caller_contact="028-1234"))
    assert referral.department == "区（市、县）局"  # a group (no district named): the agent must choose
    with pytest.raises(ReferralError, match="具体的承办部门"):
        send_referral(session, people["agent"], {"referral_id": referral.id})
    with pytest.raises(Forbidden):
        change_department(session, people["agent2"], {"referral_id": referral.id, "department": "所得税处"})
    change_department(session, people["agent"], {"referral_id": referral.id, "department": "所得税处"})
    assert referral.events[-1].kind == "department" and "所得税处" in referral.events[-1].note
    send_referral(session, people["agent"], {"referral_id": referral.id, "at": T(2025, 9, 30, 10, 0)})
    assert referral.state == SENT and referral.due_at == T(2025, 10, 10, 18, 0)  # across National Day


def test_from_call_to_reply_feedback_and_closure(session, people):
    referral = _policy_referral(session, people)
    send_referral(session, people["agent"], {"referral_id": referral.id, "at": T(2025, 9, 30, 10, 0)})
    assert department_inbox(session, people["income"]) == [referral]
    assert department_inbox(session, people["goods"]) == []
    with pytest.raises(Forbidden):
        reply_referral(session, people["goods"], {"referral_id": referral.id, "answer": "不归我们"})
    with pytest.raises(ReferralError, match="答复意见"):
        reply_referral(session, people["income"], {"referral_id": referral.id, "answer": ""})
    reply_referral(session, people["income"], {
        "referral_id": referral.id, "answer": "按费用实际发生额的80%计入委托方的委托境外研发费用。",
        "citations": ["财税〔2018〕64号 第一条"], "at": T(2025, 10, 9, 9, 0)})
    assert referral.state == REPLIED and referral.answer_citations == ["财税〔2018〕64号 第一条"]
    assert awaiting_feedback(session, people["agent"]) == [referral]  # the 首问责任人 is told

    with pytest.raises(ReferralError, match="尚未记录回访反馈"):
        close_referral(session, people["agent"], {"referral_id": referral.id})
    with pytest.raises(Forbidden):
        record_feedback(session, people["agent2"], {"referral_id": referral.id, "feedback": "已回电"})
    record_feedback(session, people["agent"], {"referral_id": referral.id, "feedback": "已回电告知，纳税人清楚了"})
    assert referral.state == FEEDBACK
    close_referral(session, people["agent"], {"referral_id": referral.id})
    assert referral.state == CLOSED and referral.closed_at is not None
    assert [e.kind for e in referral.events] == ["created", "sent", "replied", "feedback", "closed"]
    assert referral.call.transferred_to == "所得税处"


def test_a_returned_referral_needs_a_reason_and_can_be_resent_or_closed_after_feedback(session, people):
    referral = _policy_referral(session, people)
    send_referral(session, people["agent"], {"referral_id": referral.id})
    with pytest.raises(ReferralError, match="说明理由"):
        return_referral(session, people["income"], {"referral_id": referral.id, "reason": ""})
    return_referral(session, people["income"], {"referral_id": referral.id, "reason": "属货物和劳务税处职责"})
    assert referral.state == RETURNED and awaiting_feedback(session, people["agent"]) == [referral]
    with pytest.raises(ReferralError, match="尚未记录回访反馈"):
        close_referral(session, people["agent"], {"referral_id": referral.id})
    change_department(session, people["agent"], {"referral_id": referral.id, "department": "货物和劳务税处"})
    send_referral(session, people["agent"], {"referral_id": referral.id})
    assert referral.state == SENT and department_inbox(session, people["goods"]) == [referral]
    assert referral.return_reason is None


def test_overdue_referrals_are_reminded_twice_then_reported_to_the_director(session, people):
    referral = _policy_referral(session, people, at=T(2025, 9, 30, 10, 0))
    send_referral(session, people["agent"], {"referral_id": referral.id, "at": T(2025, 9, 30, 10, 0)})
    assert referral.due_at == T(2025, 10, 10, 18, 0)

    assert send_reminders(session, T(2025, 10, 10, 18, 0)).reminded == []  # due, not yet overdue
    first = send_reminders(session, T(2025, 10, 10, 18, 1))
    assert first.reminded == [referral] and referral.reminder_count == 1
    assert referral.is_overdue(T(2025, 10, 10, 18, 1))
    assert referral.reminder_due_at == T(2025, 10, 13, 18, 0)  # Friday evening: Saturday 11th is day 0
    assert send_reminders(session, T(2025, 10, 10, 18, 2)).reminded == []  # idempotent

    second = send_reminders(session, T(2025, 10, 13, 18, 5))
    assert second.reminded == [referral] and referral.reminder_count == 2
    assert send_reminders(session, T(2025, 10, 14, 9, 0)).reports == []

    third = send_reminders(session, T(2025, 10, 15, 18, 1))
    assert third.reminded == [] and len(third.reports) == 1
    report = third.reports[0]
    assert report.kind == INEFFECTIVE and report.referral_id == referral.id
    assert "王女士" not in report.content and "13800000000" not in report.content
    assert send_reminders(session, T(2025, 10, 20, 9, 0)).reports == []  # reported once
    assert [e.kind for e in referral.events].count("reminder") == 2
    assert referral.events[-1].kind == "ineffective"

    assert open_reports(session, people["director"]) == [report]
    with pytest.raises(Forbidden):
        open_reports(session, people["agent"])
    handle_report(session, people["director"], {"report_id": report.id, "handling": "已协调所得税处当日答复"})
    assert open_reports(session, people["director"]) == []


def test_an_answered_referral_is_not_reminded(session, people):
    referral = _policy_referral(session, people)
    send_referral(session, people["agent"], {"referral_id": referral.id, "at": T(2025, 11, 17, 10, 0)})
    reply_referral(session, people["income"], {"referral_id": referral.id, "answer": "答复",
                                                "at": T(2025, 11, 20, 9, 0)})
    assert send_reminders(session, T(2025, 11, 25, 9, 0)).reminded == []


def test_a_major_difficult_question_goes_straight_to_the_director(session, people):
    call = record_call(session, people["agent"], NewCall(question="大量纳税人反映电子税务局无法申报", disposition="转接"))
    report = report_difficulty(session, people["agent"], NewDifficultyReport(
        content="今日上午起多名纳税人反映电子税务局无法申报增值税", call_id=call.id))
    assert report.kind == DIFFICULTY and call.disposition == "重大疑难上报"
    with pytest.raises(Forbidden):
        handle_report(session, people["agent"], {"report_id": report.id, "handling": "x"})
    handle_report(session, people["director"], {"report_id": report.id, "handling": "已报信息中心，延长申报期"})
    assert report.handled_by_id == people["director"].id and report.handled_at is not None


@pytest.fixture
def appeal_law(import_tax):
    """The 行政复议法 in the library (imported before the test's session starts writing)."""
    import_tax("行政复议法(2023-09-01).md")


def test_a_reply_citing_an_article_that_does_not_exist_is_refused(appeal_law, session, people):
    referral = _policy_referral(session, people)
    send_referral(session, people["agent"], {"referral_id": referral.id})
    with pytest.raises(ReferralError, match="答复依据有误.*《行政复议法》第九十九条.*没有“第九十九条”"):
        reply_referral(session, people["income"], {"referral_id": referral.id, "answer": "可申请行政复议。",
                                                    "citations": ["《行政复议法》第九十九条"]})
    with pytest.raises(ReferralError, match="没有“第九十九条”"):  # a short name without 《》 is checked too
        reply_referral(session, people["income"], {"referral_id": referral.id, "answer": "可申请行政复议。",
                                                    "citations": ["行政复议法第九十九条"]})
    assert referral.state == SENT and referral.answer is None
    reply_referral(session, people["income"], {  # a real article, and a notice the library does not hold
        "referral_id": referral.id, "answer": "可申请行政复议。",
        "citations": ["《行政复议法》第二十条", "财税〔2018〕64号 第一条"]})
    assert referral.state == REPLIED
    assert referral.answer_citations == ["《行政复议法》第二十条", "财税〔2018〕64号 第一条"]


def test_the_referral_form_from_a_saved_call_is_filled_with_the_suggestion(session, people):
    call = record_call(session, people["agent"], NewCall(
        question="委托境外机构研发的费用，加计扣除的比例和限额怎么算？", disposition="转办", tax_type="企业所得税",
        caller_name="王女士", caller_phone="13800000000", citations=["《企业所得税法实施条例》第九十五条"]))
    draft = referral_draft(session, people["agent"], {"call_id": call.id, "searched": ["研发费用 加计扣除"]})
    assert draft.fields["question"] == call.question and draft.fields["tax_type"] == "企业所得税"
    assert (draft.fields["caller_name"], draft.fields["caller_contact"]) == ("王女士", "13800000000")
    assert draft.fields["articles"] == ["《企业所得税法实施条例》第九十五条"]
    assert draft.fields["searched"] == ["研发费用 加计扣除"]
    assert draft.suggested == "所得税处" and "加计扣除" in draft.decision.reason
    assert not draft.caller_from_call


def test_a_reporters_identity_is_not_put_into_the_referral_form(session, people):
    call = record_call(session, people["agent"], NewCall(
        question="我要举报某公司虚开增值税发票", category="举报", disposition="转办",
        caller_name="李某", caller_phone="13700000000"))
    draft = referral_draft(session, people["agent"], {"call_id": call.id})
    assert draft.caller_from_call and draft.fields["caller_name"] == "" == draft.fields["caller_contact"]
    assert draft.content_from_call and draft.fields["question"] == ""  # a report's content identifies its author
    assert draft.fields["category"] == "举报" and draft.suggested == "稽查局"  # routed on the call's own words
    with pytest.raises(Forbidden):  # another agent's call
        referral_draft(session, people["agent2"], {"call_id": call.id})
    referral = open_referral(session, people["agent"], NewReferral(
        call_id=call.id, caller_name="", caller_contact="", category=draft.fields["category"]))
    assert (referral.caller_name, referral.caller_contact) == ("李某", "13700000000")  # from the call
    assert referral.question == "我要举报某公司虚开增值税发票"


def test_a_referral_to_a_department_nobody_works_in_warns_and_tells_the_director(session, people):
    referral = _policy_referral(session, people)
    send_referral(session, people["agent"], {"referral_id": referral.id, "department": "法规处"})
    assert referral.state == SENT and "法规处目前没有在岗的系统用户" in referral.warning
    [report] = open_reports(session, people["director"])
    assert report.kind == NO_RECEIVER and report.referral_id == referral.id and "王女士" not in report.content
    assert referral.events[-1].kind == "no_receiver"
    people["goods"].active = False  # a department whose only user left is as empty
    other = _policy_referral(session, people)
    send_referral(session, people["agent"], {"referral_id": other.id, "department": "货物和劳务税处"})
    assert other.warning and len(open_reports(session, people["director"])) == 2
    staffed = _policy_referral(session, people)
    send_referral(session, people["agent"], {"referral_id": staffed.id})  # 所得税处 has a user
    assert staffed.warning is None and len(open_reports(session, people["director"])) == 2


def test_a_call_is_transferred_only_to_a_department_of_the_list(session, people):
    for wrong in ("稽査局", "不存在处"):
        with pytest.raises(CallError, match=f"“{wrong}”不是部门列表中的部门"):
            record_call(session, people["agent"], NewCall(question="举报虚开发票", category="举报",
                                                          disposition="转接", transferred_to=wrong))
    call = record_call(session, people["agent"], NewCall(question="举报虚开发票", category="举报",
                                                         disposition="转接", transferred_to="稽查局"))
    assert call.transferred_to == "稽查局"


def test_the_overdue_list_holds_referrals_past_their_deadline_or_reminded(session, people):
    late = _policy_referral(session, people, at=T(2025, 9, 30, 10, 0))
    send_referral(session, people["agent"], {"referral_id": late.id, "at": T(2025, 9, 30, 10, 0)})
    on_time = _policy_referral(session, people, at=T(2025, 10, 9, 10, 0))
    send_referral(session, people["agent"], {"referral_id": on_time.id, "at": T(2025, 10, 9, 10, 0)})
    _policy_referral(session, people)  # a draft: no deadline
    director = people["director"]
    assert len(list_referrals(session, director)) == 3
    assert list_referrals(session, director, overdue=True, now=T(2025, 10, 10, 18, 0)) == []  # due, not yet late
    assert list_referrals(session, director, overdue=True, now=T(2025, 10, 10, 18, 1)) == [late]
    send_reminders(session, T(2025, 10, 10, 18, 1))
    reply_referral(session, people["income"], {"referral_id": late.id, "answer": "已答复来电人。",
                                               "at": T(2025, 10, 11, 9, 0)})
    assert list_referrals(session, director, overdue=True, now=T(2025, 10, 11, 9, 0)) == [late]  # reminded


def test_a_referral_sent_friday_at_23_beijing_is_due_by_beijing_working_days(session, people):
    """Friday 23:00 in Beijing is Friday 15:00 in UTC: after the 18:00 cut-off, so day 0 is Monday."""
    from kb.core.timestamps import UTC, to_beijing

    referral = _policy_referral(session, people, at=T(2025, 3, 7, 22, 0))
    send_referral(session, people["agent"], {"referral_id": referral.id,
                                             "at": dt.datetime(2025, 3, 7, 15, 0, tzinfo=UTC)})
    session.flush()
    session.expire_all()
    assert referral.due_at == T(2025, 3, 12, 18, 0)  # Wednesday 18:00, not Tuesday
    assert to_beijing(referral.due_at).hour == 18 and referral.due_at.utcoffset() == dt.timedelta(0)
