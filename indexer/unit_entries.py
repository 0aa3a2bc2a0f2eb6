"""How a library unit becomes an index entry (``type="article"``, schema in ``indexer.schema``).

Reads documents and units as ORM objects, so only writing the index imports it, not the search path.
"""
from __future__ import annotations

import datetime as dt

from kb.library.citations import unit_citation
from kb.library.operations import valid_until
from kb.library.models import ARTICLE, Document, Unit
from kb.library.titles import abbreviated_titles, normalise_title, short_names_for
from indexer.analysis import article_token, find_exact_spans, normalise_text
from indexer.schema import ARTICLE_TYPE, date_number


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def successor_chain(document: Document) -> list[int]:
    """Ids of the documents that replaced ``document``, nearest first."""
    chain: list[int] = []
    current = document.superseded_by
    while current is not None and current.id not in chain and current.id != document.id:
        chain.append(current.id)
        current = current.superseded_by
    return chain


def document_names(document: Document) -> list[str]:
    """The names the ``title`` field holds: the title, its comparable form, its abbreviated forms
    (个税法: a query's 个税 matches the title) and the short names the catalog gave."""
    names = [normalise_title(document.title), document.title] + abbreviated_titles(document.title)
    names += list(document.short_names or [])
    return list(dict.fromkeys(normalise_text(n) for n in names if n))


def citable_names(document: Document) -> list[str]:
    """Every name a citation may use (``doc_names``): the above and the names the title rules derive
    now (``kb.library.titles.short_names_for``), so a rule added later reaches documents imported earlier."""
    names = document_names(document) + [normalise_text(n) for n in short_names_for(document.title)]
    return list(dict.fromkeys(names))


def unit_fields(unit: Unit, document: Document) -> dict:
    """The index entry of ``unit``."""
    names = document_names(document)
    chapter = " ".join(p for p in (unit.book, unit.chapter, unit.section) if p)
    if unit.kind != ARTICLE and unit.label:
        chapter = f"{chapter} {unit.label}".strip()
    doc_numbers = [token for *_, token, kind in find_exact_spans(document.doc_number or "") if kind == "doc_number"]
    fields = {
        "key": f"{ARTICLE_TYPE}:{unit.id}",
        "type": ARTICLE_TYPE,
        "document_id": str(document.id),
        "doc_names": ",".join(n.replace(",", " ") for n in citable_names(document)),
        "title": " ".join(names),
        "chapter": chapter,
        "text": unit.text or "",
        "status": document.status,
        "level": (document.level or "").replace("/", ","),
        "tax_types": ",".join(document.tax_types or []),
        "meta": {
            "unit_id": unit.id,
            "document_id": document.id,
            "seq": unit.seq,
            "kind": unit.kind,
            "source": unit.source_name or document.source_name,
            "doc_title": document.title,
            "unit": unit.label,
            "chapter": unit.chapter,
            "citation": unit_citation(unit, document=document),
            "level": document.level,
            "doc_number": document.doc_number,
            "published_on": _iso(document.published_on),
            "effective_on": _iso(document.effective_on or document.published_on),
            "valid_until": _iso(valid_until(document)),
            "superseded_by": document.superseded_by.title if document.superseded_by else document.superseded_by_name,
            "superseded_by_id": document.superseded_by_id,
            "successor_ids": successor_chain(document),
        },
    }
    if doc_numbers:
        fields["doc_number"] = doc_numbers[0]
    if unit.kind == ARTICLE and unit.number:
        fields["article_no"] = article_token(unit.number, unit.sub_number)
    published = date_number(document.published_on or document.effective_on)
    if published:
        fields["published"] = published
    return fields
