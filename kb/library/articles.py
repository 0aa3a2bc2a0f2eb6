"""Reading the library for the article and document pages: neighbours, outline, feed, copy text."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.library.citations import unit_citation
from kb.library.models import ARTICLE, LEVELS, SECTION, Document, Unit
from kb.library.titles import short_names_for

READABLE_KINDS = (ARTICLE, SECTION)


@dataclass
class OutlineEntry:
    heading: str
    level: int  # 0 编, 1 章, 2 节
    unit_id: int  # the first unit under the heading


def outline(document: Document) -> list[OutlineEntry]:
    """编/章/节 headings in order, each pointing at its first unit."""
    entries: list[OutlineEntry] = []
    seen: set[tuple[int, str]] = set()
    for unit in document.units:
        for level, heading in enumerate((unit.book, unit.chapter, unit.section)):
            if heading and (level, heading) not in seen:
                seen.add((level, heading))
                entries.append(OutlineEntry(heading=heading, level=level, unit_id=unit.id))
    return entries


def neighbours(document: Document, unit: Unit) -> tuple[Unit | None, Unit | None]:
    """The previous and next article (or numbered section) of ``unit`` in its document."""
    readable = [u for u in document.units if u.kind in READABLE_KINDS]
    if unit not in readable:
        return None, None
    index = readable.index(unit)
    return (readable[index - 1] if index else None,
            readable[index + 1] if index + 1 < len(readable) else None)


def copy_text(unit: Unit, document: Document | None = None) -> str:
    """What "复制依据" puts on the clipboard: the citation, then the article's text."""
    return f"{unit_citation(unit, document=document)}\n{unit.text}"


def units_by_ids(session: Session, ids: list[int]) -> dict[int, Unit]:
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(ids)))}


def recent_documents(session: Session, limit: int = 30) -> list[Document]:
    """The latest imported or revised documents first (the 新政策 feed)."""
    return list(session.scalars(
        select(Document).order_by(Document.updated_at.desc(), Document.imported_at.desc(), Document.id.desc()).limit(limit)))


def _level_rank(level: str | None) -> int:
    """Laws first, then 行政法规, 部门规章 … 内部制度 last (the order of ``LEVELS``)."""
    return next((i for i, known in enumerate(LEVELS) if level and known in level), len(LEVELS))


def all_documents(session: Session, data: dict | None = None) -> list[Document]:
    """The library's documents, laws first; ``data`` filters by ``q`` (words of the title, 文号 or a
    short name), ``level``, ``status`` and ``tax_type``."""
    data = data or {}
    documents = session.scalars(select(Document)).all()
    words = (data.get("q") or "").split()
    level, status, tax_type = data.get("level"), data.get("status"), data.get("tax_type")

    def keep(d: Document) -> bool:
        text = " ".join([d.title or "", d.doc_number or "", *(d.short_names or []), *short_names_for(d.title or "")])
        return (all(w in text for w in words) and (not level or (d.level or "") == level)
                and (not status or d.status == status) and (not tax_type or tax_type in (d.tax_types or [])))

    return sorted((d for d in documents if keep(d)), key=lambda d: (
        _level_rank(d.level), d.title, -(d.version_date or d.published_on or dt.date.min).toordinal()))


def library_tax_types(session: Session) -> list[str]:
    types: set[str] = set()
    for value in session.scalars(select(Document.tax_types)):
        types.update(value or [])
    return sorted(types)


def text_with_references(unit: Unit) -> list[tuple[str, object]]:
    """Split ``unit.text`` into plain pieces and reference pieces: [(text, Reference | None)]."""
    text = unit.text or ""
    pieces: list[tuple[str, object]] = []
    position = 0
    for reference in sorted(unit.references, key=lambda r: r.start):
        if reference.start < position or reference.end > len(text):
            continue
        if reference.target_document_id is None:
            continue
        if reference.start > position:
            pieces.append((text[position:reference.start], None))
        pieces.append((text[reference.start:reference.end], reference))
        position = reference.end
    if position < len(text):
        pieces.append((text[position:], None))
    return pieces
