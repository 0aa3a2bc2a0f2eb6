"""接听记录: one record per call ("100% 有记录"), with the agent's 工号 ("100% 报工号").

``record_call(session, actor, data)`` stores what the agent typed beside the search page: the
caller (optional name and phone), category, tax type, question, the answer given with its
citations, and the disposition (当场答复 / 转接 / 转办 / 重大疑难上报). The agent and the time
are filled in automatically. For 举报 and 投诉, and for anything put through or sent to 稽查局 or
监察室, the caller's identity and the content are confidential (``is_confidential_matter``, the one
rule for calls and referrals): see ``kb.hotline.redaction`` (who may see it) and ``kb.accounts.audit`` (every view
and change is logged). A call is used again (a referral, a 重大疑难上报) only by the agent who took
it or the director (``can_use_call``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.accounts import audit
from kb.core.db import get_or_not_found
from kb.core.departments import TAX_TYPES, department_names
from kb.core.errors import KbError
from kb.core.permissions import Forbidden, role_of
from kb.hotline.routing import CATEGORIES
from kb.accounts.roles import AGENT, DIRECTOR
from kb.core.timestamps import beijing_datetime, beijing_now
from kb.hotline.models import Call

ANSWERED = "当场答复"
TRANSFERRED = "转接"      # put through by phone to the department
REFERRED = "转办"         # a 转办单 follows
ESCALATED = "重大疑难上报"  # a 重大疑难问题报告单 to the director
DISPOSITIONS = (ANSWERED, TRANSFERRED, REFERRED, ESCALATED)


class CallError(KbError):
    pass


@dataclass
class NewCall:
    question: str
    category: str = "政策咨询"
    disposition: str = ANSWERED
    answer: str | None = None
    citations: list[str] = field(default_factory=list)
    tax_type: str | None = None
    caller_name: str | None = None
    caller_phone: str | None = None
    transferred_to: str | None = None
    at: dt.datetime | None = None  # default: now


def can_record_calls(actor) -> bool:
    return role_of(actor) in (AGENT, DIRECTOR)


def can_use_call(actor, call: Call) -> bool:
    """Whether ``actor`` may turn ``call`` into a referral or a 重大疑难上报: the agent who took it,
    or the director (a call of another agent may be a 举报 whose caller must stay hidden)."""
    role = role_of(actor)
    return role == DIRECTOR or (role == AGENT and call.agent_id is not None and call.agent_id == actor.id)


def get_call_for_use(session: Session, actor, call_id: int) -> Call:
    """The call ``actor`` turns into a referral or a report (``Forbidden`` for another agent's call)."""
    call = get_call(session, call_id)
    if not can_use_call(actor, call):
        raise Forbidden(f"接听记录 {call_id} 不是您接听的，不能据此填写转办单或上报")
    return call


def _clean(value: str | None) -> str | None:
    return (value or "").strip() or None


def record_call(session: Session, actor, data: NewCall) -> Call:
    """Store one call, stamped with the agent and the time."""
    if not can_record_calls(actor):
        raise Forbidden("只有咨询服务员和中心主任可以登记接听记录")
    question = _clean(data.question)
    if not question:
        raise CallError("请填写来电问题")
    if data.category not in CATEGORIES:
        raise CallError(f"来电类别“{data.category}”无效，应为 {'/'.join(CATEGORIES)}")
    if data.disposition not in DISPOSITIONS:
        raise CallError(f"处理方式“{data.disposition}”无效，应为 {'/'.join(DISPOSITIONS)}")
    tax_type = _clean(data.tax_type)
    if tax_type and tax_type not in TAX_TYPES:
        raise CallError(f"税种“{tax_type}”无效")
    if data.disposition == ANSWERED and not _clean(data.answer):
        raise CallError("当场答复的来电请填写答复内容")
    transferred_to = _clean(data.transferred_to)
    if transferred_to and transferred_to not in department_names(session):
        raise CallError(f"“{transferred_to}”不是部门列表中的部门，请从列表中选择转接部门")
    call = Call(
        created_at=data.at or beijing_now(), agent_id=actor.id,
        agent_staff_no=getattr(actor, "staff_no", None), caller_name=_clean(data.caller_name),
        caller_phone=_clean(data.caller_phone), category=data.category, tax_type=tax_type,
        question=question, answer=_clean(data.answer),
        citations=[c.strip() for c in data.citations if c and c.strip()],
        disposition=data.disposition, transferred_to=transferred_to,
    )
    session.add(call)
    session.flush()
    if call.is_confidential and (call.caller_name or call.caller_phone):
        audit.record(session, actor, audit.CREATE, "call", call.id, {"fields": ["caller_name", "caller_phone"]},
                     at=call.created_at)
    return call


def get_call(session: Session, call_id: int) -> Call:
    return get_or_not_found(session, Call, call_id, "接听记录")


def calls_by_agent(session: Session, agent_id: int, limit: int = 50) -> list[Call]:
    return list(session.scalars(
        select(Call).where(Call.agent_id == agent_id).order_by(Call.created_at.desc(), Call.id.desc()).limit(limit)
    ))


def calls_today(session: Session, actor, day: dt.date | None = None) -> list[Call]:
    """The calls ``actor`` took on ``day`` (default: today in Beijing), newest first."""
    start = beijing_datetime(day or beijing_now().date())
    return list(session.scalars(
        select(Call).where(Call.agent_id == actor.id, Call.created_at >= start,
                           Call.created_at < start + dt.timedelta(days=1))
        .order_by(Call.created_at.desc(), Call.id.desc())
    ))
