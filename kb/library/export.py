"""Every unit as plain data: the backup/export path and how completeness is checked."""
from __future__ import annotations

from typing import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kb.library.citations import unit_citation
from kb.library.models import Document, Unit


def unit_record(unit: Unit, document: Document) -> dict:
    return {
        "source": unit.source_name or document.source_name,
        "doc_title": document.title,
        "status": document.status,
        "unit": unit.label,
        "chapter": unit.chapter,
        "text": unit.text,
        "kind": unit.kind,
        "book": unit.book,
        "section": unit.section,
        "paragraphs": unit.paragraphs,
        "citation": unit_citation(unit, document=document),
        "level": document.level,
        "tax_types": document.tax_types,
        "doc_number": document.doc_number,
        "published_on": document.published_on.isoformat() if document.published_on else None,
        "effective_on": document.effective_on.isoformat() if document.effective_on else None,
        "superseded_by": document.superseded_by.title if document.superseded_by else None,
        "document_id": document.id,
        "unit_id": unit.id,
    }


def export_units(session: Session) -> Iterator[dict]:
    documents = session.scalars(
        select(Document).options(selectinload(Document.units)).order_by(Document.id)
    ).all()
    for document in documents:
        for unit in document.units:
            yield unit_record(unit, document)
