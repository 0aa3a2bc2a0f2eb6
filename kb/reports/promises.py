"""The five 100% promises of the hotline (服务承诺·服务标准), checked against the records of a period.

"做到100%受理、100%报工号、100%有记录、100%有答复或反馈、对转办件100%督办". Each promise is
computed from the records as follows (``now`` is when the report is made; something whose time
limit has not passed by ``now`` is *pending*: neither kept nor broken, and not counted):

1. 100%受理 — every call of the period entered a handling path: 当场答复 and 转接 are handled on
   the call; a 转办 call has a referral (``Referral.call_id``) that was sent, by 18:00 of the next
   working day after the call; a 重大疑难上报 call has a 重大疑难问题报告单 (``DirectorReport.call_id``).
2. 100%报工号 — every call of the period carries the agent's 工号 (``Call.agent_staff_no``). That is
   all the record proves: whether the agent said the 工号 on the call cannot be checked from it, and
   the rule shown with the figure says so.
3. 100%有记录 — every call record writes down the answer or the handling (当场答复: the answer
   text; 转接: the department; a 转办's department is on its 转办单, see 1.), and every referral
   sent in the period comes from a call record (``Referral.call_id`` set).
4. 100%有答复或反馈 — every caller gets an answer: 当场答复 and 转接 calls are answered on the call;
   a 转办 call's referral has the agent's 回访反馈 recorded (``feedback_at``), due one working day
   after the department's answer, or — while the department has not answered — by the
   referral's due time; a 重大疑难上报 call's report has the director's handling, due two working
   days after the report.
5. 对转办件100%督办 — every referral sent in the period that was not answered by its due time was
   reminded (a 催办 in its history) before it was answered (or before ``now``), and one still
   unanswered after two 催办 and their time limit went to the director (催办无效报告).

Confidential categories (举报, 投诉) never show their content: the summary says so instead.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.hotline.calls import ANSWERED, ESCALATED, REFERRED, TRANSFERRED, Call, is_confidential_matter
from kb.hotline.director_reports import DIFFICULTY, DirectorReport
from kb.core.periods import Period
from kb.hotline.referrals import Referral, ReferralEvent
from kb.core.workdays import due_at

ACCEPTED, STAFF_NO, RECORDED, ANSWERED_OR_FEEDBACK, FOLLOWED_UP = "accepted", "staff_no", "recorded", "answered", "followed"
PROMISE_NAMES = {
    ACCEPTED: "100%受理", STAFF_NO: "100%报工号", RECORDED: "100%有记录",
    ANSWERED_OR_FEEDBACK: "100%有答复或反馈", FOLLOWED_UP: "对转办件100%督办",
}
PROMISE_RULES = {
    ACCEPTED: "每个来电均进入办理程序：当场答复、转接即为受理；转办的须在来电次一工作日18:00前发出转办单；重大疑难的须有报告单。",
    STAFF_NO: "每条接听记录均登记了咨询服务员工号。记录只能证明登记了工号；通话中是否向纳税人报了工号，接听记录无法核查。",
    RECORDED: "接听记录写明答复或处理情况（当场答复写答复内容，转接写承办部门）；本期发出的每件转办单均有对应的接听记录。",
    ANSWERED_OR_FEEDBACK: "当场答复、转接的来电当场答复；转办的须在部门答复后一个工作日内回访反馈（部门逾期未答复的即为未答复）；"
                          "重大疑难的须在报告后两个工作日内有中心主任处理意见。期限未到的计为在办，不计入。",
    FOLLOWED_UP: "超过答复期限仍未答复的转办单，在答复前均已催办；两次催办仍无效的，已报告中心主任。",
}
PROMISES = tuple(PROMISE_NAMES)
CALL, REFERRAL = "来电", "转办单"
SECRET = "（举报、投诉内容保密）"
FEEDBACK_LATE = "部门已答复，未及时回访反馈"


@dataclass
class Breach:
    promise: str
    kind: str              # CALL or REFERRAL
    record_id: int
    at: dt.datetime
    agent_id: int | None
    staff_no: str | None
    summary: str
    reason: str


@dataclass
class Promise:
    code: str
    checked: int = 0
    pending: int = 0
    breaches: list[Breach] = field(default_factory=list)

    @property
    def name(self) -> str:
        return PROMISE_NAMES[self.code]

    @property
    def rule(self) -> str:
        return PROMISE_RULES[self.code]

    @property
    def kept(self) -> int:
        return self.checked - len(self.breaches)

    @property
    def rate(self) -> float:
        """Share kept, 0..1 (1 when nothing was checked)."""
        return self.kept / self.checked if self.checked else 1.0


def summary_of(category: str, question: str | None, *departments: str | None) -> str:
    """The first words of a question; nothing of a confidential one (``is_confidential_matter``)."""
    if is_confidential_matter(category, *departments):
        return SECRET
    text = (question or "").strip()
    return text if len(text) <= 40 else text[:39] + "…"


def referral_summary_of(row) -> str:
    """``summary_of`` for a referral row with ``department``, ``suggested_department`` and its call's
    ``call_category`` and ``transferred_to`` (outer-joined): the same rule as ``Referral.is_confidential``."""
    if is_confidential_matter(row.call_category, row.transferred_to):
        return SECRET
    return summary_of(row.category, row.question, row.department, row.suggested_department)


def check_promises(session: Session, period: Period, now: dt.datetime) -> dict[str, Promise]:
    """The five promises over the calls and referrals of ``period``, as of ``now``."""
    promises = {code: Promise(code) for code in PROMISES}
    in_period = (Call.created_at >= period.start, Call.created_at < period.end)
    calls = session.execute(select(
        Call.id, Call.created_at, Call.agent_id, Call.agent_staff_no, Call.category, Call.question, Call.answer,
        Call.disposition, Call.transferred_to).where(*in_period).order_by(Call.created_at, Call.id)).all()
    call_referrals: dict[int, tuple] = {}
    for row in session.execute(
            select(Referral.call_id, Referral.sent_at, Referral.answered_at, Referral.feedback_at, Referral.due_at)
            .join(Call, Referral.call_id == Call.id).where(*in_period).order_by(Referral.id)):
        current = call_referrals.get(row.call_id)
        if current is None or (current.sent_at is None and row.sent_at is not None):
            call_referrals[row.call_id] = row
    reports = {row.call_id: row for row in session.execute(
        select(DirectorReport.call_id, DirectorReport.created_at, DirectorReport.handled_at)
        .join(Call, DirectorReport.call_id == Call.id).where(*in_period, DirectorReport.kind == DIFFICULTY))}

    def breach(code, call, reason):
        promises[code].breaches.append(Breach(code, CALL, call.id, call.created_at, call.agent_id,
                                              call.agent_staff_no, summary_of(call.category, call.question, call.transferred_to), reason))

    for call in calls:
        promises[STAFF_NO].checked += 1
        promises[RECORDED].checked += 1
        if not (call.agent_staff_no or "").strip():
            breach(STAFF_NO, call, "接听记录未登记工号")
        if call.disposition == ANSWERED and not (call.answer or "").strip():
            breach(RECORDED, call, "当场答复未写明答复内容")
        elif call.disposition == TRANSFERRED and not (call.transferred_to or "").strip():
            breach(RECORDED, call, "转接未写明承办部门")
        _check_handling(promises, call, call_referrals.get(call.id), reports.get(call.id), now, breach)
    _check_referrals(session, promises, period, now)
    return promises


def _check_handling(promises, call, referral, report, now, breach) -> None:
    """100%受理 and 100%有答复或反馈 for one call."""
    accepted, answered = promises[ACCEPTED], promises[ANSWERED_OR_FEEDBACK]
    if call.disposition in (ANSWERED, TRANSFERRED):
        accepted.checked += 1
        answered.checked += 1
        return
    if call.disposition == REFERRED:
        sent = referral is not None and referral.sent_at is not None
        send_by = due_at(call.created_at, 1)
        if sent and referral.sent_at > send_by:
            accepted.checked += 1
            breach(ACCEPTED, call, "转办单未及时发出（来电次一工作日18:00后）")
        elif sent:
            accepted.checked += 1
        else:
            _judge(accepted, now > send_by, lambda: breach(ACCEPTED, call, "转办单未发出"))
        if not sent:
            _judge(answered, now > send_by, lambda: breach(ANSWERED_OR_FEEDBACK, call, "转办单未发出，纳税人未获答复"))
        elif referral.feedback_at is not None:
            answered.checked += 1
        elif referral.answered_at is not None:
            _judge(answered, now > due_at(referral.answered_at, 1),
                   lambda: breach(ANSWERED_OR_FEEDBACK, call, FEEDBACK_LATE))
        else:
            _judge(answered, now > referral.due_at,
                   lambda: breach(ANSWERED_OR_FEEDBACK, call, "承办部门逾期未答复，纳税人未获答复"))
        return
    if call.disposition == ESCALATED:
        accepted.checked += 1
        if report is None:
            breach(ACCEPTED, call, "重大疑难问题未填写报告单")
            _judge(answered, now > due_at(call.created_at), lambda: breach(
                ANSWERED_OR_FEEDBACK, call, "重大疑难问题未报告，纳税人未获答复"))
        elif report.handled_at is not None:
            answered.checked += 1
        else:
            _judge(answered, now > due_at(report.created_at), lambda: breach(
                ANSWERED_OR_FEEDBACK, call, "重大疑难问题报告单逾期未处理"))


def _judge(promise: Promise, due_passed: bool, record_breach) -> None:
    """Count a breach once its time limit has passed; before that the record is pending."""
    if due_passed:
        promise.checked += 1
        record_breach()
    else:
        promise.pending += 1


def _check_referrals(session: Session, promises, period: Period, now: dt.datetime) -> None:
    """100%有记录 (a referral comes from a call record) and 对转办件100%督办."""
    first_reminder = (select(ReferralEvent.referral_id, func.min(ReferralEvent.at).label("at"))
                      .where(ReferralEvent.kind == "reminder").group_by(ReferralEvent.referral_id).subquery())
    rows = session.execute(
        select(Referral.id, Referral.call_id, Referral.sent_at, Referral.due_at, Referral.answered_at,
               Referral.agent_id, Referral.agent_staff_no, Referral.category, Referral.question,
               Referral.department, Referral.suggested_department, Call.category.label("call_category"),
               Call.transferred_to, Referral.reminder_count, Referral.reminder_due_at, Referral.escalated,
               first_reminder.c.at)
        .outerjoin(first_reminder, first_reminder.c.referral_id == Referral.id)
        .outerjoin(Call, Call.id == Referral.call_id)
        .where(Referral.sent_at >= period.start, Referral.sent_at < period.end).order_by(Referral.sent_at, Referral.id))
    recorded, followed = promises[RECORDED], promises[FOLLOWED_UP]
    for row in rows:
        def breach(promise, code, reason, row=row):
            promise.breaches.append(Breach(code, REFERRAL, row.id, row.sent_at, row.agent_id, row.agent_staff_no,
                                           referral_summary_of(row), reason))

        recorded.checked += 1
        if row.call_id is None:
            breach(recorded, RECORDED, "转办单没有对应的接听记录")
        followed.checked += 1
        until = row.answered_at or now
        if until <= row.due_at:
            continue
        if row.at is None or row.at > until:
            breach(followed, FOLLOWED_UP, "超过答复期限未催办")
        elif (row.answered_at is None and row.reminder_count >= 2 and not row.escalated
              and row.reminder_due_at is not None and now > row.reminder_due_at):
            breach(followed, FOLLOWED_UP, "两次催办无效，未报告中心主任")
