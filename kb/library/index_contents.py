"""What the search index should hold, as the database says: ``flask check`` compares it with the index.

One entry per unit (with its document's status) and one per published FAQ entry
(``indexer.unit_entries``, ``indexer.faq_index_entries``).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.faq.models import PUBLISHED, FaqEntry
from kb.library.models import Document, Unit


@dataclass
class ExpectedIndex:
    unit_documents: dict[int, int]  # unit id → its document's id
    document_statuses: dict[int, str]  # document id → status (有效/失效/…)
    published_faq: set[int]


def expected_index(session: Session) -> ExpectedIndex:
    return ExpectedIndex(
        unit_documents=dict(session.execute(select(Unit.id, Unit.document_id)).all()),
        document_statuses=dict(session.execute(select(Document.id, Document.status)).all()),
        published_faq=set(session.scalars(select(FaqEntry.id).where(FaqEntry.status == PUBLISHED))),
    )
