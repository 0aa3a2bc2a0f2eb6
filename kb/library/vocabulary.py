"""The search vocabulary seen from the library: who may edit it, and where a word occurs.

The dictionary and synonym files belong to ``indexer.vocabulary``. A dictionary word changes how
the text it occurs in is cut into words, so after adding or removing one, the documents (and FAQ
entries) whose text contains it are indexed again; these functions find them with SQL ``LIKE``.
"""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kb.faq.models import FaqEntry
from kb.library.models import Document, Unit
from kb.core.permissions import role_of
from kb.accounts.users import ADMIN, DIRECTOR


def can_edit_vocabulary(actor) -> bool:
    """The director (and the admin, as for the routing rules) keeps the dictionary and synonyms."""
    return role_of(actor) in (DIRECTOR, ADMIN)


def documents_containing(session: Session, word: str) -> list[int]:
    """Ids of the documents whose units' text, or whose title or headings, contain ``word``."""
    if not word:
        return []
    columns = (Unit.text, Unit.label, Unit.book, Unit.chapter, Unit.section, Document.title)
    return list(session.scalars(
        select(Unit.document_id).join(Document, Unit.document_id == Document.id)
        .where(or_(*(column.contains(word, autoescape=True) for column in columns)))
        .distinct().order_by(Unit.document_id)
    ))


def faq_entries_containing(session: Session, word: str) -> list[int]:
    """Ids of the FAQ entries whose question or answer contains ``word``."""
    if not word:
        return []
    return list(session.scalars(
        select(FaqEntry.id)
        .where(or_(FaqEntry.question.contains(word, autoescape=True), FaqEntry.answer.contains(word, autoescape=True)))
        .order_by(FaqEntry.id)
    ))
