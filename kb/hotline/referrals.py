"""转办单: a question the agent could not answer, followed until the caller has an answer.

The workflow (``STATES``)::

    draft ──send──▶ sent ──reply──▶ replied ──feedback──▶ feedback ──close──▶ closed
                      │  ▲                                   ▲
                      │  └──resend (after revising)──┐        │
                      └──return (with a reason)──▶ returned ──┘

- ``open_referral``: from a call or an unanswered search (query, what was searched, articles
  looked at). The caller's name and contact are required (工作细则: 对不能当场答复的问题，必须
  记录纳税人的姓名和联系方式). The department is suggested by ``kb.hotline.routing`` with its reason;
  the agent confirms it or changes it (``change_department``) before ``send_referral``.
- ``send_referral`` sets the due time: two working days (``kb.core.workdays.due_at``).
- The receiving department ``reply_referral`` (answer + citations) or ``return_referral``
  (with a reason); overdue referrals are reminded by ``kb.hotline.reminders.send_reminders``.
- The agent who took the call (首问责任人) calls back and ``record_feedback``; only then
  ``close_referral``: nothing closes without feedback recorded.

Every step is an ``ReferralEvent`` (the referral's history, 催办 included).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.accounts import audit
from kb.core.actors import SYSTEM
from kb.accounts.audit import actor_label
from kb.hotline.models import (
    CLOSED, CONFIDENTIAL_CATEGORIES, DRAFT, FEEDBACK, REPLIED, RETURNED, SENT, STATE_LABELS, STATES, Referral,
    ReferralEvent,
)
from kb.hotline.calls import REFERRED, NewCall, get_call_for_use, record_call
from kb.core.db import get_or_not_found
from kb.core.departments import department_names
from kb.core.errors import KbError
from kb.faq.citations import reply_citation_problems
from kb.core.permissions import Forbidden, department_of, role_of
from kb.hotline.routing import CATEGORIES
from kb.hotline.routing_rules import suggest_department
from kb.hotline.director_reports import write_no_receiver_report
from kb.accounts.roles import ADMIN, AGENT, DEPARTMENT, DIRECTOR, POLICY
from kb.accounts.models import User
from kb.core.timestamps import beijing_now, to_beijing
from kb.core.workdays import due_at


class ReferralError(KbError):
    pass


EVENT_LABELS = {
    "created": "创建转办单", "department": "改定承办部门", "sent": "转办", "reminder": "催办",
    "ineffective": "催办无效，报告中心主任", "replied": "部门答复", "returned": "部门退回",
    "feedback": "回访反馈", "closed": "办结", "faq": "转为FAQ草稿", "no_receiver": "无人接收，已报中心主任",
}


def log_event(session: Session, referral: Referral, actor, kind: str, note: str | None = None,
              at: dt.datetime | None = None) -> ReferralEvent:
    event = ReferralEvent(referral=referral, at=at or beijing_now(), actor_id=getattr(actor, "id", None),
                          actor_name=actor_label(actor), kind=kind, note=note)
    session.add(event)
    session.flush()
    return event


# -- permissions --------------------------------------------------------------------------------

def staffed_departments(session: Session) -> set[str]:
    """Departments with at least one active department user (someone reads their inbox)."""
    return set(session.scalars(select(User.department).where(
        User.role == DEPARTMENT, User.active.is_(True), User.department.is_not(None)).distinct()))


def can_open_referral(actor) -> bool:
    return role_of(actor) in (AGENT, DIRECTOR)


def can_list_referrals(actor) -> bool:
    """The hotline's staff see the list of referrals; department users have their inbox instead."""
    return role_of(actor) in (AGENT, POLICY, DIRECTOR, ADMIN)


def has_inbox(actor) -> bool:
    return role_of(actor) == DEPARTMENT and bool(department_of(actor))


def can_view_referral(actor, referral: Referral) -> bool:
    """Hotline staff see every referral; a department user only those addressed to it (once sent)."""
    role = role_of(actor)
    if role in (AGENT, POLICY, DIRECTOR, ADMIN):
        return True
    return (role == DEPARTMENT and referral.state != DRAFT
            and referral.department is not None and referral.department == department_of(actor))


def can_answer_referral(actor, referral: Referral) -> bool:
    return (role_of(actor) == DEPARTMENT and referral.department == department_of(actor)
            and referral.state == SENT)


def can_follow_up(actor, referral: Referral) -> bool:
    """The 首问责任人 (or the director) edits, sends, records feedback and closes."""
    role = role_of(actor)
    return role == DIRECTOR or (role == AGENT and referral.agent_id == actor.id)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)


def _require_state(referral: Referral, *states: str) -> None:
    if referral.state not in states:
        wanted = "、".join(STATE_LABELS[s] for s in states)
        raise ReferralError(f"转办单 {referral.id} 当前为“{referral.state_label}”，此操作只适用于“{wanted}”状态")


# -- operations ---------------------------------------------------------------------------------

@dataclass
class NewReferral:
    caller_name: str
    caller_contact: str
    question: str | None = None       # default: the call's question
    call_id: int | None = None
    category: str | None = None       # default: the call's category, else 政策咨询
    tax_type: str | None = None
    searched: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    department: str | None = None     # the agent's choice; default: the suggestion
    at: dt.datetime | None = None


def _clean(value: str | None) -> str | None:
    return (value or "").strip() or None


def open_referral(session: Session, actor, data: NewReferral) -> Referral:
    """A draft referral with the suggested department and its reason."""
    _require(can_open_referral(actor), "只有咨询服务员和中心主任可以填写转办单")
    call = get_call_for_use(session, actor, data.call_id) if data.call_id else None
    question = _clean(data.question) or (call.question if call else None)
    name, contact = _clean(data.caller_name), _clean(data.caller_contact)
    if call is not None:
        name, contact = name or call.caller_name, contact or call.caller_phone
    if not question:
        raise ReferralError("请填写需转办的问题")
    if not (name and contact):
        raise ReferralError("转办单必须记录纳税人的姓名和联系方式")
    category = data.category or (call.category if call else None) or "政策咨询"
    if category not in CATEGORIES:
        raise ReferralError(f"来电类别“{category}”无效")
    if call is not None and call.category in CONFIDENTIAL_CATEGORIES and category != call.category:
        raise ReferralError(f"接听记录 {call.id} 为{call.category}，转办单的类别须同为“{call.category}”（保密）")
    tax_type = _clean(data.tax_type) or (call.tax_type if call else None)
    decision = suggest_department(session, question, category=category, tax_type=tax_type)
    suggested = decision.office or decision.department
    referral = Referral(
        call_id=call.id if call else None, created_at=data.at or beijing_now(), agent_id=actor.id,
        agent_staff_no=getattr(actor, "staff_no", None), caller_name=name, caller_contact=contact,
        category=category, tax_type=tax_type, question=question,
        searched=[q.strip() for q in data.searched if q and q.strip()],
        articles=[a.strip() for a in data.articles if a and a.strip()],
        suggested_department=suggested, suggestion_reason=decision.reason, state=DRAFT,
    )
    session.add(referral)
    session.flush()
    log_event(session, referral, actor, "created", f"建议转{suggested}：{decision.reason}", at=referral.created_at)
    if _clean(data.department) and data.department != suggested:
        _set_department(session, actor, referral, data.department.strip(), at=referral.created_at)
    else:
        referral.department = suggested
    if referral.is_confidential:
        audit.record(session, actor, audit.CREATE, "referral", referral.id,
                     {"fields": ["caller_name", "caller_contact"]}, at=referral.created_at)
    return referral


def change_department(session: Session, actor, data: dict) -> Referral:
    """The agent changes the suggested department: ``{"referral_id", "department"}``."""
    referral = get_referral(session, data["referral_id"])
    _require(can_follow_up(actor, referral), "只有首问责任人或中心主任可以修改转办单")
    _require_state(referral, DRAFT, RETURNED)
    _set_department(session, actor, referral, (data.get("department") or "").strip(), at=data.get("at"))
    return referral


def _set_department(session: Session, actor, referral: Referral, department: str, at=None) -> None:
    if department not in department_names(session):
        raise ReferralError(f"“{department}”不是可转办的部门，请选择具体的承办部门")
    previous = referral.department
    referral.department = department
    note = f"由坐席改为{department}（系统建议：{referral.suggested_department}）"
    log_event(session, referral, actor, "department", note, at=at)
    if referral.is_confidential:
        audit.record(session, actor, audit.CHANGE, "referral", referral.id,
                     {"department": [previous, department]}, at=at)


def send_referral(session: Session, actor, data: dict) -> Referral:
    """Send a draft (or resend a returned one): ``{"referral_id", "department"?, "at"?}``. Sets the
    due time; a ``department`` other than the current one is the agent's change, logged first."""
    referral = get_referral(session, data["referral_id"])
    _require(can_follow_up(actor, referral), "只有首问责任人或中心主任可以发送转办单")
    _require_state(referral, DRAFT, RETURNED)
    chosen = _clean(data.get("department"))
    if chosen and chosen != referral.department:
        _set_department(session, actor, referral, chosen, at=data.get("at"))
    if referral.department not in department_names(session):
        raise ReferralError(f"“{referral.department or '（未选）'}”不是可转办的部门，请选择具体的承办部门")
    now = data.get("at") or beijing_now()
    referral.state, referral.sent_at, referral.due_at = SENT, now, due_at(now)
    referral.reminder_count, referral.reminder_due_at, referral.escalated = 0, None, False
    referral.return_reason = None
    if referral.call is not None:
        referral.call.transferred_to = referral.department
    log_event(session, referral, actor, "sent",
              f"转{referral.department}，答复期限 {to_beijing(referral.due_at):%Y-%m-%d %H:%M}", at=now)
    if referral.department not in staffed_departments(session):
        report = write_no_receiver_report(session, referral, now)
        log_event(session, referral, SYSTEM, "no_receiver", f"报告 {report.id}", at=now)
        referral.warning = f"{referral.department}目前没有在岗的系统用户，无人接收本转办单，已报告中心主任"
    return referral


def reply_referral(session: Session, actor, data: dict) -> Referral:
    """The department answers: ``{"referral_id", "answer", "citations"?, "at"?}``."""
    referral = get_referral(session, data["referral_id"])
    _require(can_answer_referral(actor, referral), "只有承办部门的用户可以答复本转办单")
    answer = _clean(data.get("answer"))
    if not answer:
        raise ReferralError("请填写答复意见")
    citations = [c.strip() for c in data.get("citations") or () if c and c.strip()]
    problems = reply_citation_problems(session, citations)
    if problems:
        raise ReferralError("答复依据有误，请核对后重新填写：" + "；".join(problems))
    now = data.get("at") or beijing_now()
    referral.state, referral.answer, referral.answered_at, referral.answered_by_id = REPLIED, answer, now, actor.id
    referral.answer_citations = citations
    log_event(session, referral, actor, "replied", None, at=now)
    return referral


def return_referral(session: Session, actor, data: dict) -> Referral:
    """The department sends it back: ``{"referral_id", "reason", "at"?}``."""
    referral = get_referral(session, data["referral_id"])
    _require(can_answer_referral(actor, referral), "只有承办部门的用户可以退回本转办单")
    reason = _clean(data.get("reason"))
    if not reason:
        raise ReferralError("退回转办单须说明理由")
    now = data.get("at") or beijing_now()
    referral.state, referral.return_reason = RETURNED, reason
    log_event(session, referral, actor, "returned", reason, at=now)
    return referral


def record_feedback(session: Session, actor, data: dict) -> Referral:
    """The 首问责任人 called the caller back: ``{"referral_id", "feedback", "at"?}``."""
    referral = get_referral(session, data["referral_id"])
    _require(can_follow_up(actor, referral), "只有首问责任人或中心主任可以记录回访反馈")
    _require_state(referral, REPLIED, RETURNED, FEEDBACK)
    feedback = _clean(data.get("feedback"))
    if not feedback:
        raise ReferralError("请填写回访反馈内容")
    now = data.get("at") or beijing_now()
    referral.state, referral.feedback, referral.feedback_at = FEEDBACK, feedback, now
    log_event(session, referral, actor, "feedback", feedback, at=now)
    return referral


def close_referral(session: Session, actor, data: dict) -> Referral:
    """Close it: ``{"referral_id", "at"?}``; refused until feedback is recorded."""
    referral = get_referral(session, data["referral_id"])
    _require(can_follow_up(actor, referral), "只有首问责任人或中心主任可以办结转办单")
    if referral.feedback_at is None or referral.state != FEEDBACK:
        raise ReferralError("尚未记录回访反馈，转办单不能办结")
    now = data.get("at") or beijing_now()
    referral.state, referral.closed_at = CLOSED, now
    log_event(session, referral, actor, "closed", None, at=now)
    return referral


def refer_unanswered(session: Session, actor, data: NewReferral, send: bool = False) -> Referral:
    """"无法解答 → 转办" from the search page: record the call (转办) when there is none yet, open the
    referral from it and, when ``send``, send it to the chosen (or suggested) department."""
    _require(can_open_referral(actor), "只有咨询服务员和中心主任可以填写转办单")
    if data.call_id is None:
        if not (_clean(data.caller_name) and _clean(data.caller_contact)):
            raise ReferralError("转办单必须记录纳税人的姓名和联系方式")
        call = record_call(session, actor, NewCall(
            question=data.question or "", category=data.category or "政策咨询", disposition=REFERRED,
            tax_type=data.tax_type, caller_name=data.caller_name, caller_phone=data.caller_contact,
            citations=list(data.articles), at=data.at))
        data = replace(data, call_id=call.id)
    referral = open_referral(session, actor, data)
    if send:
        send_referral(session, actor, {"referral_id": referral.id, "at": data.at})
    return referral


# -- queries ------------------------------------------------------------------------------------

def get_referral(session: Session, referral_id: int) -> Referral:
    return get_or_not_found(session, Referral, referral_id, "转办单")


def department_inbox(session: Session, actor, done: bool | None = None) -> list[Referral]:
    """A department user's referrals: open ones (待办, awaiting its answer) first, oldest due first;
    ``done=False`` only those, ``done=True`` only the answered or returned (已办), latest first."""
    _require(has_inbox(actor), "只有部门用户有转办收件箱")
    query = select(Referral).where(Referral.department == department_of(actor), Referral.state != DRAFT)
    if done is False:
        return list(session.scalars(query.where(Referral.state == SENT).order_by(Referral.due_at, Referral.id)))
    if done:
        return list(session.scalars(query.where(Referral.state != SENT)
                                    .order_by(Referral.answered_at.desc(), Referral.id.desc())))
    return list(session.scalars(query.order_by((Referral.state != SENT), Referral.due_at, Referral.id)))


def awaiting_feedback(session: Session, actor) -> list[Referral]:
    """The agent's referrals that came back (answered or returned) and need a call to the caller."""
    return list(session.scalars(
        select(Referral).where(Referral.agent_id == actor.id, Referral.state.in_((REPLIED, RETURNED)))
        .order_by(Referral.id)
    ))


def get_referral_for(session: Session, actor, referral_id: int) -> Referral:
    """The referral, when ``actor`` may open it (``Forbidden`` otherwise)."""
    referral = get_referral(session, referral_id)
    _require(can_view_referral(actor, referral), "无权查看该转办单")
    return referral


def list_referrals(session: Session, actor, state: str | None = None, mine: bool = False, overdue: bool = False,
                   now: dt.datetime | None = None) -> list[Referral]:
    """Referrals for the hotline's staff (all, or the actor's own with ``mine``), newest first; with
    ``overdue``, only those past their deadline at ``now`` (an aware moment; default: now) or already
    reminded (催办)."""
    _require(can_list_referrals(actor), "无权查看转办单列表")
    query = select(Referral).order_by(Referral.id.desc())
    if state in STATES:
        query = query.where(Referral.state == state)
    if mine:
        query = query.where(Referral.agent_id == actor.id)
    referrals = list(session.scalars(query))
    if overdue:
        now = now or beijing_now()
        referrals = [r for r in referrals if r.is_overdue(now) or r.reminder_count]
    return referrals
