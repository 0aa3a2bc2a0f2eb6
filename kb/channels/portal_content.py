"""What the public portal 法规库 may show taxpayers (主任职责八), as plain data.

The one rule: laws, regulations and 规范性文件 with their versions and validity, and published FAQ
answers with their legal basis. Never the hotline's 内部制度, a document whose level is unknown, a
draft, in-review, retired or 需复核 FAQ entry, an entry resting on an internal document, anyone's
name, the query log, calls or referrals. Every page and the static export read through the
predicates here (``is_public_document``, ``is_public_faq``); the search results are filtered by
``public_results``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kb.library.articles import all_documents
from kb.core.errors import NotFound
from kb.faq.operations import render_answer
from kb.faq.models import PUBLISHED, FaqCitation, FaqEntry
from kb.library.operations import valid_until, versions_of
from kb.library.models import LEVELS, Document, Unit
from kb.core.timestamps import beijing_date

INTERNAL_LEVEL = "内部制度"
PUBLIC_LEVELS = tuple(level for level in LEVELS if level != INTERNAL_LEVEL)


def is_public_level(level: str | None) -> bool:
    """A level the portal shows: a known public one (``党内法规/行政法规`` counts as 行政法规); never
    内部制度 and never an unknown level (an upload nobody classified may be internal)."""
    return bool(level) and INTERNAL_LEVEL not in level and any(known in level for known in PUBLIC_LEVELS)


def is_public_document(document: Document | None) -> bool:
    return document is not None and is_public_level(document.level)


def is_public_faq(entry: FaqEntry | None) -> bool:
    """Published, not awaiting review, and every cited article from a public document."""
    if entry is None or entry.status != PUBLISHED or entry.needs_review:
        return False
    return all(c.unit is not None and is_public_document(c.unit.document) for c in entry.citations)


@dataclass
class PublicCitation:
    citation: str
    status: str
    document_id: int
    label: str


@dataclass
class PublicFaq:
    id: int
    question: str
    answer_html: str
    tax_types: list[str]
    citations: list[PublicCitation]
    updated_on: dt.date | None


@dataclass
class PublicDocument:
    document: Document
    versions: list[Document]
    valid_until: dt.date | None
    units: list[Unit]
    successor: Document | None  # the version that replaced it, when public


def public_documents(session: Session, query: str | None = None) -> list[Document]:
    """The public documents, laws first (``kb.library.articles.all_documents``' order); ``query`` filters by title words."""
    return [d for d in all_documents(session, {"q": query or ""}) if is_public_document(d)]


def public_document(session: Session, document_id: int) -> PublicDocument:
    """One public document with its public versions; a non-public one is reported missing."""
    document = session.get(Document, document_id)
    if not is_public_document(document):
        raise NotFound(f"文档 {document_id} 不存在")
    versions = [v for v in versions_of(session, document) if is_public_document(v)]
    successor = document.superseded_by if is_public_document(document.superseded_by) else None
    return PublicDocument(document=document, versions=versions, valid_until=valid_until(document),
                          units=list(document.units), successor=successor)


def _entries(session: Session, ids=None) -> list[FaqEntry]:
    statement = (select(FaqEntry).where(FaqEntry.status == PUBLISHED, FaqEntry.needs_review.is_(False))
                 .options(selectinload(FaqEntry.citations).selectinload(FaqCitation.unit).selectinload(Unit.document))
                 .order_by(FaqEntry.id))
    if ids is not None:
        statement = statement.where(FaqEntry.id.in_(list(ids) or [0]))
    return [e for e in session.scalars(statement) if is_public_faq(e)]


def _public_faq(entry: FaqEntry) -> PublicFaq:
    return PublicFaq(
        id=entry.id, question=entry.question, answer_html=render_answer(entry.answer), tax_types=list(entry.tax_types or []),
        citations=[PublicCitation(c.citation_text, c.unit.document.status, c.unit.document_id, c.unit.label)
                   for c in entry.citations],
        updated_on=beijing_date(entry.published_at or entry.updated_at) if (entry.published_at or entry.updated_at) else None)


def public_faq_entries(session: Session) -> list[PublicFaq]:
    """Every public entry with its answer (the static export)."""
    return [_public_faq(e) for e in _entries(session)]


@dataclass
class PublicQuestion:
    id: int
    question: str
    tax_types: list[str]


def public_questions(session: Session) -> list[PublicQuestion]:
    """The public entries' questions, for the list page (no answer rendered)."""
    ids = public_faq_ids(session)
    rows = session.execute(select(FaqEntry.id, FaqEntry.question, FaqEntry.tax_types)
                           .where(FaqEntry.id.in_(ids or [0])).order_by(FaqEntry.id))
    return [PublicQuestion(r.id, r.question, list(r.tax_types or [])) for r in rows]


def public_faq_ids(session: Session, ids=None) -> set[int]:
    """The ids (among ``ids``, or all) of the public entries, in one query: ``is_public_faq`` on rows."""
    statement = (select(FaqEntry.id, FaqCitation.id.label("citation"), Unit.id.label("unit"), Document.level)
                 .outerjoin(FaqCitation, FaqCitation.entry_id == FaqEntry.id)
                 .outerjoin(Unit, Unit.id == FaqCitation.unit_id)
                 .outerjoin(Document, Document.id == Unit.document_id)
                 .where(FaqEntry.status == PUBLISHED, FaqEntry.needs_review.is_(False)))
    if ids is not None:
        statement = statement.where(FaqEntry.id.in_(list(ids) or [0]))
    public: dict[int, bool] = {}
    for row in session.execute(statement):
        fine = row.citation is None or (row.unit is not None and is_public_level(row.level))
        public[row.id] = public.get(row.id, True) and fine
    return {entry_id for entry_id, fine in public.items() if fine}


def public_faq(session: Session, entry_id: int) -> PublicFaq:
    entries = _entries(session, [entry_id])
    if not entries:
        raise NotFound(f"问答 {entry_id} 不存在")
    return _public_faq(entries[0])


def public_results(session: Session, results: list[dict], limit: int) -> list[dict]:
    """Search results (``webapp.search_index`` dicts) the portal may show, at most ``limit``: articles
    of public documents, and FAQ cards of public entries (looked up again: the index holds 需复核
    entries too)."""
    faq_ids = {r.get("faq_id") for r in results if r.get("type") == "faq"}
    public = public_faq_ids(session, faq_ids) if faq_ids else set()
    kept = [r for r in results if (r.get("faq_id") in public if r.get("type") == "faq"
                                   else is_public_level(r.get("level")))]
    return kept[:limit]
