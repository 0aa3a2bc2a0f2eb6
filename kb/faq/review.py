"""需复核: when a cited document is repealed or superseded, or the cited text changes, the entries citing it
are flagged until someone reviews them; and the director's review queue."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from kb.core.actors import SYSTEM, allowed
from kb.faq.citations import relink_citation, text_hash
from kb.faq.models import IN_REVIEW, PUBLISHED, RETIRED, FaqCitation, FaqEntry
from kb.faq.operations import ReviewData, _check_publishable, _require, _set_citations, can_edit_faq, citation_problem
from kb.faq.versions import record_version
from kb.core.timestamps import utc_now


def documents_changed(session: Session, document_ids) -> list[FaqEntry]:
    """The library tells the features built on it which documents were just revised, repealed or re-imported
    (``kb.library.document_events``, through ``kb.faq.library_events``): the entries citing them are flagged
    for review. The library itself knows nothing of the FAQ, which builds on it."""
    session.flush()
    return flag_entries_citing(session, document_ids)


def flag_entries_citing(session: Session, document_ids) -> list[FaqEntry]:
    """Flag 需复核 every entry (not retired) citing one of ``document_ids`` whose citation no longer
    stands: the document was repealed or superseded, the unit went away or its text changed.

    The import path calls this with ``ImportOutcome.changed_document_ids`` in the same transaction.
    Citations whose unit was replaced by a re-import are re-linked first. Returns the flagged entries.
    """
    ids = set(document_ids or ())
    if not ids:
        return []
    citations = session.scalars(
        select(FaqCitation).join(FaqEntry)
        .where(FaqCitation.document_id.in_(ids), FaqEntry.status != RETIRED)
        .order_by(FaqCitation.entry_id, FaqCitation.position)
    ).all()
    problems: dict[int, list[str]] = {}
    entries: dict[int, FaqEntry] = {}
    for citation in citations:
        relink_citation(session, citation)
        problem = citation_problem(citation)
        if problem:
            entries[citation.entry_id] = citation.entry
            problems.setdefault(citation.entry_id, []).append(problem)
    flagged = []
    for entry_id, entry in entries.items():
        reason = "；".join(problems[entry_id])[:1000]
        if entry.needs_review and entry.review_reason == reason:
            flagged.append(entry)
            continue
        entry.needs_review = True
        entry.review_reason = reason
        entry.flagged_at = utc_now()
        session.flush()
        record_version(session, SYSTEM, entry, "flagged", reason)
        flagged.append(entry)
    return flagged


def review_queue(session: Session, today: dt.date | None = None) -> list[FaqEntry]:
    """The director's queue: entries flagged 需复核 first (oldest flag first), then published entries
    whose review-by date has come, then entries waiting for approval (待审核)."""
    today = today or dt.date.today()
    due = (FaqEntry.status == PUBLISHED) & (FaqEntry.review_by.is_not(None)) & (FaqEntry.review_by <= today)
    rank = case((FaqEntry.needs_review.is_(True), 0), (due, 1), else_=2)
    return list(session.scalars(
        select(FaqEntry)
        .where(FaqEntry.status != RETIRED)
        .where(FaqEntry.needs_review.is_(True) | due | (FaqEntry.status == IN_REVIEW))
        .order_by(rank, FaqEntry.flagged_at, FaqEntry.review_by, FaqEntry.id)
    ))


def review_entry(session: Session, actor, entry: FaqEntry, data: ReviewData) -> FaqEntry:
    """Clear 需复核 (and a due review-by date): cite anew, or confirm the present citations."""
    _require(allowed(actor, can_edit_faq), "只有政策法规岗、中心主任或管理员可以复核问答")
    if data.citations is not None:
        _set_citations(session, entry, data.citations)
    for citation in entry.citations:
        relink_citation(session, citation)
        if citation.unit is not None:
            citation.text_hash = text_hash(citation.unit)
    if entry.status == PUBLISHED:
        _check_publishable(entry)
    entry.needs_review = False
    entry.review_reason = None
    entry.flagged_at = None
    if data.review_by is not None:
        entry.review_by = data.review_by
    session.flush()
    record_version(session, actor, entry, "reviewed", data.note)
    return entry
