"""The index schema and how a library unit becomes an index entry.

One entry per unit (article, table row, attachment section, preamble). Every entry has a
``key`` (``article:<unit id>``) and a ``type``; FAQ entries will join as ``type="faq"`` with
``key="faq:<entry id>"`` and the same display fields (see ``faq_fields`` seam in ``writing``).
Everything a result needs is stored, so searching never touches the database.
"""
from __future__ import annotations

import datetime as dt

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from kb.citations import unit_citation
from kb.library import valid_until
from kb.models import ARTICLE, Document, Unit
from kb.titles import normalise_title
from indexer.analysis import TaxAnalyzer, article_token, find_exact_spans, normalise_text
from indexer.faq_entries import faq_fields  # noqa: F401  FAQ entries (type="faq"), see that module

ARTICLE_TYPE = "article"
FAQ_TYPE = "faq"

# BM25F weights: a word of the title or chapter heading counts more than one in the text.
TITLE_BOOST = 1.5
CHAPTER_BOOST = 1.2


def make_schema(cut: str | None = None, hmm: bool | None = None) -> Schema:
    options = {k: v for k, v in (("cut", cut), ("hmm", hmm)) if v is not None}
    analyzer = TaxAnalyzer(**options)
    return Schema(
        key=ID(stored=True, unique=True),
        type=ID(stored=True),
        document_id=ID(stored=True),
        doc_names=KEYWORD(commas=True, lowercase=True),  # exact: normalised title and short names
        doc_number=ID(),  # exact: the document's own 文号, normalised
        article_no=ID(),  # exact: 第32条 / 第17条之1
        title=TEXT(analyzer=analyzer, field_boost=TITLE_BOOST),
        chapter=TEXT(analyzer=analyzer, field_boost=CHAPTER_BOOST),
        text=TEXT(analyzer=analyzer, stored=True),
        status=ID(stored=True),
        level=KEYWORD(stored=True, commas=True),  # 党内法规/行政法规 is both
        tax_types=KEYWORD(stored=True, commas=True),
        published=NUMERIC(int, bits=32),  # yyyymmdd of the version date, for date filters
        meta=STORED(),
    )


def date_number(day: dt.date | None) -> int | None:
    return day.year * 10000 + day.month * 100 + day.day if day else None


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
    names = [normalise_title(document.title), document.title] + list(document.short_names or [])
    return list(dict.fromkeys(normalise_text(n) for n in names if n))


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
        "doc_names": ",".join(n.replace(",", " ") for n in names),
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
            "source": document.source_name,
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
