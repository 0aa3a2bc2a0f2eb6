"""业务辅导: an agent or the director asks a department a policy question for the agents themselves,
and the department explains it (管理办法第四条（一）: 对咨询服务员提出的税收政策问题予以解释和辅导).

Unlike a 转办单 (``kb.hotline.referrals``) there is no caller: no name, no contact, no call-back, nothing
confidential. What it shares with a referral is reused, not copied: the department list
(``kb.core.departments``), the deadline of two working days (``kb.core.workdays.due_at``, shown with
``deadline_status``), the check of the answer's citations (``kb.faq.citations.reply_citation_problems``)
and the FAQ draft made from an answer (``kb.faq.operations.create_entry`` with the citations that resolve,
``split_resolvable``).

The workflow::

    sent ──answer──▶ answered          (an FAQ draft and a note every agent finds: ``coaching_notes``)
      │  ▲
      │  └──resend (to the same or another department)──┐
      └──return (with a reason)──▶ returned ─────────────┘
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kb.core.actors import SYSTEM
from kb.accounts.audit import actor_label
from kb.core.db import get_or_not_found
from kb.core.departments import department_names
from kb.core.errors import KbError
from kb.faq.operations import FaqData, create_entry, find_entry_by_question
from kb.faq.citations import reply_citation_problems, split_resolvable
from kb.core.permissions import department_of, role_of, require as _require
from kb.accounts.roles import ADMIN, AGENT, DEPARTMENT, DIRECTOR, POLICY
from kb.core.timestamps import beijing_now
from kb.core.workdays import due_at
from kb.channels.models import ANSWERED, RETURNED, SENT, CoachingRequest


class CoachingError(KbError):
    pass


# -- permissions --------------------------------------------------------------------------------

def can_ask_coaching(actor) -> bool:
    return role_of(actor) in (AGENT, DIRECTOR)


def can_read_coaching_notes(actor) -> bool:
    """Every member of the hotline finds the departments' explanations."""
    return role_of(actor) in (AGENT, POLICY, DIRECTOR, ADMIN)


def has_coaching_inbox(actor) -> bool:
    return role_of(actor) == DEPARTMENT and bool(department_of(actor))


def can_view_coaching(actor, request: CoachingRequest) -> bool:
    return can_read_coaching_notes(actor) or (has_coaching_inbox(actor) and request.department == department_of(actor))


def can_answer_coaching(actor, request: CoachingRequest) -> bool:
    return has_coaching_inbox(actor) and request.department == department_of(actor) and request.state == SENT


def can_resend_coaching(actor, request: CoachingRequest) -> bool:
    role = role_of(actor)
    return request.state == RETURNED and (role == DIRECTOR or (role == AGENT and request.asked_by_id == actor.id))


# -- operations ---------------------------------------------------------------------------------

@dataclass
class NewCoaching:
    question: str
    department: str
    tax_type: str | None = None
    at: dt.datetime | None = None


def _department(session: Session, name: str | None) -> str:
    name = (name or "").strip()
    if name not in department_names(session):
        raise CoachingError(f"“{name or '（未选）'}”不是可请求辅导的业务部门，请选择具体的部门")
    return name


def ask_coaching(session: Session, actor, data: NewCoaching) -> CoachingRequest:
    """Send a policy question to a department; it is due in two working days like a referral."""
    _require(can_ask_coaching(actor), "只有咨询服务员和中心主任可以请求业务辅导")
    question = (data.question or "").strip()
    if not question:
        raise CoachingError("请填写需要辅导的政策问题")
    department = _department(session, data.department)
    now = data.at or beijing_now()
    request = CoachingRequest(
        asked_at=now, asked_by_id=actor.id, asked_by_name=actor_label(actor)[:100], question=question,
        tax_type=(data.tax_type or "").strip() or None, department=department, state=SENT, sent_at=now,
        due_at=due_at(now), answer_citations=[], faq_left_out=[])
    session.add(request)
    session.flush()
    return request


def answer_coaching(session: Session, actor, data: dict) -> CoachingRequest:
    """The department explains: ``{"request_id", "answer", "citations"?, "at"?}``. Citations of the
    library are checked as for a referral's reply; the answer becomes an FAQ draft (unless an entry
    asks the same question) and a note every agent can find."""
    request = get_coaching(session, data["request_id"])
    _require(can_answer_coaching(actor, request), "只有被请求的业务部门可以答复本辅导请求")
    answer = (data.get("answer") or "").strip()
    if not answer:
        raise CoachingError("请填写辅导意见")
    citations = [c.strip() for c in data.get("citations") or () if c and c.strip()]
    problems = reply_citation_problems(session, citations)
    if problems:
        raise CoachingError("辅导依据有误，请核对后重新填写：" + "；".join(problems))
    request.state, request.answer, request.answer_citations = ANSWERED, answer, citations
    request.answered_at = data.get("at") or beijing_now()
    request.answered_by_id, request.answered_by_name = actor.id, actor_label(actor)[:100]
    if find_entry_by_question(session, request.question) is None:
        kept, left_out = split_resolvable(session, citations)
        # Drafted by the system: the department explains, the policy office and the director edit and publish.
        request.faq_entry = create_entry(session, SYSTEM, FaqData(
            question=request.question, answer=answer, citations=kept,
            tax_types=[request.tax_type] if request.tax_type else []))
        request.faq_left_out = left_out
    session.flush()
    return request


def return_coaching(session: Session, actor, data: dict) -> CoachingRequest:
    """The department sends it back (not its field…): ``{"request_id", "reason"}``."""
    request = get_coaching(session, data["request_id"])
    _require(can_answer_coaching(actor, request), "只有被请求的业务部门可以退回本辅导请求")
    reason = (data.get("reason") or "").strip()
    if not reason:
        raise CoachingError("退回辅导请求须说明理由")
    request.state, request.return_reason = RETURNED, reason
    session.flush()
    return request


def resend_coaching(session: Session, actor, data: dict) -> CoachingRequest:
    """Ask again after a return, to the same or another department: ``{"request_id", "department", "at"?}``;
    a new deadline of two working days."""
    request = get_coaching(session, data["request_id"])
    _require(can_resend_coaching(actor, request), "只有提问人或中心主任可以重新发送被退回的辅导请求")
    request.department = _department(session, data.get("department") or request.department)
    now = data.get("at") or beijing_now()
    request.state, request.sent_at, request.due_at = SENT, now, due_at(now)
    session.flush()
    return request


# -- reading ------------------------------------------------------------------------------------

def get_coaching(session: Session, request_id: int) -> CoachingRequest:
    return get_or_not_found(session, CoachingRequest, request_id, "业务辅导请求")


def get_coaching_for(session: Session, actor, request_id: int) -> CoachingRequest:
    request = get_coaching(session, request_id)
    _require(can_view_coaching(actor, request), "无权查看该业务辅导请求")
    return request


def coaching_notes(session: Session, actor, words: str | None = None) -> list[CoachingRequest]:
    """The departments' explanations, newest first; ``words`` (space-separated) must all appear in
    the question or the answer."""
    _require(can_read_coaching_notes(actor), "无权查看业务辅导记录")
    query = select(CoachingRequest).where(CoachingRequest.state == ANSWERED)
    for word in (words or "").split():
        pattern = f"%{word}%"
        query = query.where(or_(CoachingRequest.question.like(pattern), CoachingRequest.answer.like(pattern)))
    return list(session.scalars(query.order_by(CoachingRequest.answered_at.desc(), CoachingRequest.id.desc())))


def open_requests(session: Session, actor) -> list[CoachingRequest]:
    """What awaits an answer: a department's inbox (oldest due first), or for the hotline every open
    or returned request (the asker follows up a return)."""
    if has_coaching_inbox(actor):
        query = select(CoachingRequest).where(CoachingRequest.department == department_of(actor),
                                              CoachingRequest.state == SENT)
    else:
        _require(can_read_coaching_notes(actor), "无权查看业务辅导请求")
        query = select(CoachingRequest).where(CoachingRequest.state.in_((SENT, RETURNED)))
    return list(session.scalars(query.order_by(CoachingRequest.due_at, CoachingRequest.id)))
