"""Knowledge capture: a department's reply to a referral becomes an FAQ draft in one click.

The draft takes the referral's question, the department's answer and those of the reply's
citations that resolve to units of the library (``kb.faq.citations``); the others are left out
and named, so the editor can fix them before publishing. 举报 and 投诉 are confidential: their
content never becomes a public answer.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from kb.faq.operations import FaqData, create_entry, find_entry_by_question
from kb.faq.citations import split_resolvable
from kb.faq.models import FaqEntry
from kb.hotline.referrals import ReferralError, get_referral, log_event


@dataclass
class CapturedFaq:
    entry: FaqEntry
    left_out: list[str] = field(default_factory=list)  # citations that did not resolve


def faq_draft_from_referral(session: Session, actor, data: dict) -> CapturedFaq:
    """``{"referral_id"}`` → an FAQ draft from the department's reply (``kb.faq.operations.create_entry``)."""
    referral = get_referral(session, data["referral_id"])
    if not referral.answer:
        raise ReferralError("该转办单尚无部门答复，不能转为FAQ")
    if referral.is_confidential:
        raise ReferralError("举报、投诉内容保密，不能转为FAQ")
    if find_entry_by_question(session, referral.question) is not None:
        raise ReferralError("已有相同问题的问答，请直接修改该问答")
    kept, left_out = split_resolvable(session, referral.answer_citations)
    entry = create_entry(session, actor, FaqData(
        question=referral.question, answer=referral.answer, citations=kept,
        tax_types=[referral.tax_type] if referral.tax_type else []))
    log_event(session, referral, actor, "faq", f"FAQ草稿 {entry.id}")
    return CapturedFaq(entry=entry, left_out=left_out)
