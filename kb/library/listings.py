"""Filtered, paged lists of documents (what the JSON API and tools page through)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.core.paging import ListError, Page, check_page
from kb.library.models import STATUSES, Document


@dataclass
class DocumentFilter:
    status: str | None = None
    level: str | None = None
    tax_type: str | None = None
    title: str | None = None  # a part of the title
    limit: int = 50
    offset: int = 0


def list_documents(session: Session, data: DocumentFilter) -> Page:
    """Documents matching ``data``, by level, title and date."""
    check_page(data.limit, data.offset)
    if data.status and data.status not in STATUSES:
        raise ListError(f"状态“{data.status}”无效，应为 {'/'.join(STATUSES)}")
    query = select(Document)
    if data.status:
        query = query.where(Document.status == data.status)
    if data.level:
        query = query.where(Document.level == data.level)
    if data.title:
        query = query.where(Document.title.contains(data.title.strip(), autoescape=True))  # % and _ are text
    documents = list(session.scalars(query.order_by(Document.level, Document.title, Document.published_on,
                                                    Document.id)))
    if data.tax_type:  # a JSON list column: filtered here, the same on SQLite and PostgreSQL
        documents = [d for d in documents if data.tax_type in (d.tax_types or [])]
    return Page(total=len(documents), items=documents[data.offset:data.offset + data.limit],
                limit=data.limit, offset=data.offset)
