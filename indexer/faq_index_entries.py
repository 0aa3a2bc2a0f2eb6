"""How a published FAQ entry becomes an index entry (``type="faq"``); see ``indexer.faq_entries``.

Reads the database (SQLAlchemy), so only writing the index imports it, not the search path.
"""
from __future__ import annotations

from typing import Iterable

import nh3
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kb.faq.operations import render_answer
from kb.faq.models import PUBLISHED, FaqCitation, FaqEntry
from kb.library.statuses import CURRENT_STATUSES, IN_FORCE as DOC_IN_FORCE
from indexer.faq_entries import FAQ_TYPE, faq_key


def plain_answer(markdown_text: str) -> str:
    return " ".join(nh3.clean(render_answer(markdown_text), tags=set()).split())


def citation_record(citation: FaqCitation) -> dict:
    unit = citation.unit
    document = unit.document if unit is not None else None
    return {
        "citation": citation.citation_text,
        "unit_id": citation.unit_id if unit is not None else None,
        "document_id": document.id if document is not None else None,
        "status": document.status if document is not None else "已删除",
        "in_force": document is not None and document.status in CURRENT_STATUSES,
    }


def faq_fields(entry: FaqEntry) -> dict:
    """The index entry of a published FAQ entry."""
    wordings = [entry.question] + list(entry.phrasings or [])
    citations = [citation_record(c) for c in entry.citations]
    return {
        "key": faq_key(entry.id),
        "type": FAQ_TYPE,
        "title": "\n".join(wordings),
        "text": plain_answer(entry.answer),
        "status": DOC_IN_FORCE,
        "tax_types": ",".join(entry.tax_types or []),
        "meta": {
            "faq_id": entry.id,
            "question": entry.question,
            "phrasings": list(entry.phrasings or []),
            "answer_html": render_answer(entry.answer),
            "citations": citations,
            "needs_review": bool(entry.needs_review),
            "warning": entry.warning,
            "version": entry.version,
        },
    }


def faq_index_entries(session: Session, entry_ids: Iterable[int] | None = None) -> list[dict]:
    """Index entries of the published FAQ entries (of ``entry_ids`` when given)."""
    query = (select(FaqEntry).where(FaqEntry.status == PUBLISHED)
             .options(selectinload(FaqEntry.citations).selectinload(FaqCitation.unit)).order_by(FaqEntry.id))
    if entry_ids is not None:
        query = query.where(FaqEntry.id.in_(sorted(set(entry_ids))))
    return [faq_fields(entry) for entry in session.scalars(query)]


def entries_citing(session: Session, document_ids: Iterable[int]) -> set[int]:
    """Ids of the FAQ entries citing one of ``document_ids`` (their cards show those documents)."""
    ids = sorted(set(document_ids or ()))
    if not ids:
        return set()
    return set(session.scalars(select(FaqCitation.entry_id).where(FaqCitation.document_id.in_(ids))))
