"""Who may see a caller's identity, and the one way to show or export it.

The rule (工作细则 三、3: 不得泄露投诉、举报人的姓名、单位和投诉举报内容): for 举报 and 投诉
(and anything addressed to 稽查局 or 监察室) the caller's name and contact are visible only to

- the director, and
- the users of the receiving department, when it is 稽查局 or 监察室.

Everyone else — the agent who took the call included — sees them redacted, and so does every
export and every report (``export_referral`` / ``export_call`` always redact them, with the
content of the report or complaint). For other calls and referrals, hotline staff and the
receiving department see the caller (they call back).

The content of a confidential record (the question, the department's answer and citations, the
queries and articles the agent looked at, the routing reason, the return reason, the feedback and
the history notes that repeat them) follows the same rule (``can_view_content``); pages and the
API show a referral's content only through ``referral_content``.

``caller_view(session, actor, record)`` is the only way to show a caller: it returns the clear
or the redacted identity and, for a confidential record shown in clear, appends an entry to the
audit log (``kb.accounts.audit``).
"""
from __future__ import annotations

from typing import Union

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.accounts import audit
from kb.hotline.models import STATE_LABELS, Call, Referral, is_confidential_matter
from kb.core.departments import CONFIDENTIAL_RECEIVERS, group_of
from kb.core.permissions import Forbidden, department_of, role_of
from kb.hotline.referrals import can_view_referral
from kb.accounts.roles import ADMIN, AGENT, DEPARTMENT, DIRECTOR, POLICY
from kb.accounts.models import AuditEntry, User
from kb.core.timestamps import beijing_iso

REDACTED = "（已隐去）"
REDACTED_CONTENT = "（举报、投诉内容保密，已隐去）"

Record = Union[Call, Referral]


def _receiving_department(record: Record) -> str | None:
    return record.department if isinstance(record, Referral) else record.transferred_to


def can_view_identity(actor, record: Record) -> bool:
    """Whether ``actor`` may see the caller's name and contact on ``record`` (a call or referral)."""
    role = role_of(actor)
    receiving = _receiving_department(record)
    is_receiver = (role == DEPARTMENT and receiving is not None and receiving == department_of(actor)
                   and (not isinstance(record, Referral) or record.state != "draft"))
    if record.is_confidential:
        if role == DIRECTOR:
            return True
        return is_receiver and group_of(receiving) in CONFIDENTIAL_RECEIVERS
    return role in (AGENT, POLICY, DIRECTOR, ADMIN) or is_receiver


def can_view_content(actor, record: Record) -> bool:
    """Whether ``actor`` may read what a call or referral says: always, unless it is confidential;
    then only those who may see the caller (a 举报's content identifies the informant as surely as
    the name does)."""
    return not record.is_confidential or can_view_identity(actor, record)


# History entries whose note repeats the content (the routing reason quotes the question).
CONTENT_EVENTS = ("created", "returned", "feedback")


def referral_content(actor, referral: Referral) -> dict:
    """The content of ``referral`` as ``actor`` may read it: every content field, and the history
    notes in the order of ``referral.events``, redacted when ``can_view_content`` says no."""
    if can_view_content(actor, referral):
        return {
            "redacted": False, "question": referral.question, "answer": referral.answer,
            "answer_citations": list(referral.answer_citations or []), "searched": list(referral.searched or []),
            "articles": list(referral.articles or []), "suggestion_reason": referral.suggestion_reason,
            "return_reason": referral.return_reason, "feedback": referral.feedback,
            "notes": [e.note for e in referral.events],
        }

    def hidden(value):
        return REDACTED_CONTENT if value else value

    return {
        "redacted": True, "question": REDACTED_CONTENT, "answer": hidden(referral.answer), "answer_citations": [],
        "searched": [], "articles": [], "suggestion_reason": hidden(referral.suggestion_reason),
        "return_reason": hidden(referral.return_reason), "feedback": hidden(referral.feedback),
        "notes": [hidden(e.note) if e.kind in CONTENT_EVENTS else e.note for e in referral.events],
    }


def can_view_record(actor, record: Record) -> bool:
    if isinstance(record, Referral):
        return can_view_referral(actor, record)
    role = role_of(actor)
    if role in (AGENT, POLICY, DIRECTOR, ADMIN):
        return True
    return role == DEPARTMENT and record.transferred_to == department_of(actor)


def _identity(record: Record) -> tuple[str | None, str | None]:
    if isinstance(record, Referral):
        return record.caller_name, record.caller_contact
    return record.caller_name, record.caller_phone


def caller_view(session: Session, actor, record: Record) -> dict:
    """The caller as ``actor`` may see it: ``{"name", "contact", "redacted"}``; audited."""
    if not can_view_record(actor, record):
        raise Forbidden("无权查看该记录")
    name, contact = _identity(record)
    if not can_view_identity(actor, record):
        return {"name": REDACTED if name else None, "contact": REDACTED if contact else None, "redacted": True}
    if record.is_confidential:
        kind = "referral" if isinstance(record, Referral) else "call"
        audit.record(session, actor, audit.VIEW_IDENTITY, kind, record.id,
                     {"category": record.category, "department": _receiving_department(record)})
    return {"name": name, "contact": contact, "redacted": False}


def export_referral(referral: Referral) -> dict:
    """A referral as exported or reported: the identity and content of 举报/投诉 always redacted."""
    secret = referral.is_confidential
    return {
        "id": referral.id,
        "created_at": beijing_iso(referral.created_at),
        "agent_staff_no": referral.agent_staff_no,
        "category": referral.category,
        "tax_type": referral.tax_type,
        "caller_name": REDACTED if secret else referral.caller_name,
        "caller_contact": REDACTED if secret else referral.caller_contact,
        "question": REDACTED_CONTENT if secret else referral.question,
        "department": referral.department,
        "state": STATE_LABELS[referral.state],
        "sent_at": beijing_iso(referral.sent_at),
        "due_at": beijing_iso(referral.due_at),
        "reminder_count": referral.reminder_count,
        "answer": REDACTED_CONTENT if secret and referral.answer else referral.answer,
        "feedback_at": beijing_iso(referral.feedback_at),
        "closed_at": beijing_iso(referral.closed_at),
    }


def export_call(call: Call) -> dict:
    """A call as exported or reported: the identity and content of 举报/投诉 always redacted."""
    secret = call.is_confidential
    return {
        "id": call.id,
        "created_at": beijing_iso(call.created_at),
        "agent_staff_no": call.agent_staff_no,
        "category": call.category,
        "tax_type": call.tax_type,
        "caller_name": REDACTED if secret and call.caller_name else call.caller_name,
        "caller_phone": REDACTED if secret and call.caller_phone else call.caller_phone,
        "question": REDACTED_CONTENT if secret else call.question,
        "answer": REDACTED_CONTENT if secret and call.answer else call.answer,
        "citations": list(call.citations or ()),
        "disposition": call.disposition,
    }


def identity_viewers(session: Session, actor) -> list[dict]:
    """The active accounts that can see informants' identities (directors, users of 稽查局 and 监察室),
    each with who created it and when: ``{"user", "created_by", "created_at"}``. For the director."""
    if not audit.can_read_audit_log(actor):
        raise Forbidden("只有中心主任可以查看能看到举报人身份的账号")
    users = [u for u in session.scalars(select(User).where(User.active.is_(True)).order_by(User.role, User.username))
             if u.role == DIRECTOR or (u.role == DEPARTMENT and group_of(u.department) in CONFIDENTIAL_RECEIVERS)]
    created = {e.object_id: e for e in session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "user", AuditEntry.action == audit.CREATE,
                                       AuditEntry.object_id.in_([u.id for u in users])))}
    return [{"user": u, "created_by": created[u.id].actor_name if u.id in created else "（无记录）",
             "created_at": created[u.id].at if u.id in created else u.created_at} for u in users]


# What a list shows of a question: its first words, nothing of a confidential one.
SECRET = "（举报、投诉内容保密）"


def summary_of(category: str, question: str | None, *departments: str | None) -> str:
    """The first words of a question; nothing of a confidential one (``is_confidential_matter``)."""
    if is_confidential_matter(category, *departments):
        return SECRET
    text = (question or "").strip()
    return text if len(text) <= 40 else text[:39] + "…"
