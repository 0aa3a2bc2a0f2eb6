"""依法答复 (工作细则 三、1 "必须以税收政策为依据，不得随意回答"): answers given on the spot without a basis.

A call answered on the spot (当场答复) in a category that asks for the policy (政策咨询, 办税引导) whose
record cites nothing is flagged for the director's review: the record cannot show what the answer rested
on. Complaints, reports, suggestions and the rest need no article of law and are not flagged. The
director records a verdict on each (``review_answer``): 有据 (the answer was right and rested on the
policy) or 差错 (an error the agent made: the 目标 item 受话质量 is the director's to mark down).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.hotline.calls import ANSWERED
from kb.hotline.models import AnswerReview, Call
from kb.core.errors import KbError
from kb.core.periods import Period
from kb.core.permissions import Forbidden, role_of
from kb.hotline.redaction import summary_of
from kb.accounts.roles import DIRECTOR
from kb.core.timestamps import utc_now

POLICY_CATEGORIES = ("政策咨询", "办税引导")
REASON = "当场答复未引用政策依据"
VERDICTS = {"ok": "有据", "error": "差错"}


class ReviewError(KbError):
    pass


@dataclass
class UnsupportedAnswer:
    call_id: int
    at: dt.datetime
    agent_id: int | None
    staff_no: str | None
    category: str
    summary: str
    answer: str
    verdict: str | None = None      # a key of VERDICTS once reviewed
    note: str | None = None

    @property
    def verdict_label(self) -> str:
        return VERDICTS.get(self.verdict or "", "待核查")


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
    flagged = [UnsupportedAnswer(row.id, row.created_at, row.agent_id, row.agent_staff_no, row.category,
                                 summary_of(row.category, row.question), row.answer or "")
               for row in rows if not _cites(row.citations)]
    reviews = {r.call_id: r for r in session.scalars(select(AnswerReview).where(
        AnswerReview.call_id.in_([f.call_id for f in flagged])))} if flagged else {}
    for item in flagged:
        review = reviews.get(item.call_id)
        if review is not None:
            item.verdict, item.note = review.verdict, review.note
    return flagged


def _cites(citations) -> bool:
    return any(str(c).strip() for c in (citations or []))


def review_answer(session: Session, actor, data: dict) -> AnswerReview:
    """``{"call_id", "verdict" ("ok" or "error"), "note"?, "at"?}`` on a flagged answer."""
    if not can_review_answers(actor):
        raise Forbidden("只有中心主任可以核查依法答复")
    call = session.get(Call, data.get("call_id"))
    if call is None or call.disposition != ANSWERED or call.category not in POLICY_CATEGORIES or _cites(call.citations):
        raise ReviewError("该来电不是需核查的当场答复")
    verdict = data.get("verdict")
    if verdict not in VERDICTS:
        raise ReviewError("请选择核查结论：有据或差错")
    review = session.get(AnswerReview, call.id) or AnswerReview(call_id=call.id)
    session.add(review)
    review.verdict, review.note = verdict, (data.get("note") or "").strip() or None
    review.reviewed_at, review.reviewed_by_id = data.get("at") or utc_now(), actor.id
    session.flush()
    return review
