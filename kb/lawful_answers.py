"""依法答复 (工作细则 三、1 "必须以税收政策为依据，不得随意回答"): answers given on the spot without a basis.

A call answered on the spot (当场答复) in a category that asks for the policy (政策咨询, 办税引导) whose
record cites nothing is flagged for the director's review: the record cannot show what the answer rested
on. Complaints, reports, suggestions and the rest need no article of law and are not flagged.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.calls import ANSWERED, Call
from kb.periods import Period
from kb.permissions import Forbidden, role_of
from kb.promises import summary_of
from kb.users import DIRECTOR

POLICY_CATEGORIES = ("政策咨询", "办税引导")
REASON = "当场答复未引用政策依据"


@dataclass
class UnsupportedAnswer:
    call_id: int
    at: dt.datetime
    agent_id: int | None
    staff_no: str | None
    category: str
    summary: str
    answer: str


def can_review_answers(actor) -> bool:
    return role_of(actor) == DIRECTOR


def unsupported_answers(session: Session, actor, period: Period) -> list[UnsupportedAnswer]:
    """The month's calls answered on the spot without a citation, for the director's review."""
    if not can_review_answers(actor):
        raise Forbidden("只有中心主任可以核查依法答复")
    rows = session.execute(select(
        Call.id, Call.created_at, Call.agent_id, Call.agent_staff_no, Call.category, Call.question, Call.answer,
        Call.citations).where(
        Call.created_at >= period.start, Call.created_at < period.end, Call.disposition == ANSWERED,
        Call.category.in_(POLICY_CATEGORIES)).order_by(Call.created_at, Call.id))
    return [UnsupportedAnswer(row.id, row.created_at, row.agent_id, row.agent_staff_no, row.category,
                              summary_of(row.category, row.question), row.answer or "")
            for row in rows if not [c for c in (row.citations or []) if str(c).strip()]]
