"""What the API returns: ``kb`` objects as plain JSON data (the schemas in ``webapp.openapi``)."""
from __future__ import annotations

import datetime as dt

from kb.core.timestamps import beijing_iso
from kb.library.citations import document_citation, unit_citation
from kb.faq.operations import render_answer
from kb.hotline.redaction import caller_view, referral_content


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    if value is None:
        return None
    return beijing_iso(value) if isinstance(value, dt.datetime) else value.isoformat()


def document_summary(document) -> dict:
    return {
        "id": document.id,
        "title": document.title,
        "citation": document_citation(document),
        "doc_number": document.doc_number,
        "issuer": document.issuer,
        "level": document.level,
        "status": document.status,
        "tax_types": list(document.tax_types or []),
        "published_on": _iso(document.published_on),
        "effective_on": _iso(document.effective_on),
        "expires_on": _iso(document.expires_on),
        "superseded_by": document.superseded_by.title if document.superseded_by else document.superseded_by_name,
        "superseded_by_id": document.superseded_by_id,
        "source": document.source_name,
    }


def reference(ref) -> dict:
    return {
        "kind": ref.kind,
        "mention": ref.mention,
        "target_title": ref.target_title,
        "target_document_id": ref.target_document_id,
        "target_label": ref.target_label,
        "target_paragraph": ref.target_paragraph,
    }


def unit_brief(unit, document) -> dict:
    return {
        "id": unit.id,
        "label": unit.label,
        "kind": unit.kind,
        "book": unit.book,
        "chapter": unit.chapter,
        "section": unit.section,
        "citation": unit_citation(unit, document=document),
        "text": unit.text,
    }


def unit_full(unit) -> dict:
    document = unit.document
    return {
        **unit_brief(unit, document),
        "document_id": document.id,
        "doc_title": document.title,
        "status": document.status,
        "paragraphs": unit.paragraphs or [],
        "references": [reference(r) for r in sorted(unit.references, key=lambda r: r.start)],
    }


def document_full(document) -> dict:
    return {**document_summary(document), "units": [unit_brief(u, document) for u in document.units]}


def faq_entry(entry) -> dict:
    return {
        "id": entry.id,
        "question": entry.question,
        "phrasings": list(entry.phrasings or []),
        "answer": entry.answer,
        "answer_html": render_answer(entry.answer),
        "citations": [{"citation": c.citation_text, "unit_id": c.unit_id, "document_id": c.document_id,
                       "in_force": c.in_force} for c in entry.citations],
        "tax_types": list(entry.tax_types or []),
        "status": entry.status,
        "needs_review": bool(entry.needs_review),
        "warning": entry.warning,
        "version": entry.version,
        "review_by": _iso(entry.review_by),
        "published_at": _iso(entry.published_at),
    }


def referral_summary(actor, referral, content: dict | None = None) -> dict:
    """A referral without its caller; the content of 举报/投诉 only for those who may read it
    (``kb.hotline.redaction.referral_content``, the pages' rule)."""
    content = content or referral_content(actor, referral)
    return {
        "id": referral.id,
        "created_at": _iso(referral.created_at),
        "agent_staff_no": referral.agent_staff_no,
        "category": referral.category,
        "tax_type": referral.tax_type,
        "question": content["question"],
        "confidential": referral.is_confidential,
        "content_redacted": content["redacted"],
        "suggested_department": referral.suggested_department,
        "suggestion_reason": content["suggestion_reason"],
        "department": referral.department,
        "state": referral.state,
        "state_label": referral.state_label,
        "sent_at": _iso(referral.sent_at),
        "due_at": _iso(referral.due_at),
        "answer": content["answer"],
        "answered_at": _iso(referral.answered_at),
        "closed_at": _iso(referral.closed_at),
    }


def referral_full(session, actor, referral) -> dict:
    """One referral with its caller as ``actor`` may see it (a clear view of 举报/投诉 is audited)."""
    content = referral_content(actor, referral)
    return {**referral_summary(actor, referral, content), "caller": caller_view(session, actor, referral),
            "searched": content["searched"], "articles": content["articles"],
            "answer_citations": content["answer_citations"],
            "return_reason": content["return_reason"], "feedback": content["feedback"],
            "events": [{"at": _iso(e.at), "kind": e.kind, "actor": e.actor_name, "note": note}
                       for e, note in zip(referral.events, content["notes"])]}
