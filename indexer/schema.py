"""The index schema.

One entry per unit (article, table row, attachment section, preamble): ``indexer.unit_entries``
builds it. Every entry has a ``key`` (``article:<unit id>``) and a ``type``; FAQ entries have
``type="faq"``, ``key="faq:<entry id>"`` and the same display fields (``indexer.faq_index_entries``).
Everything a result needs is stored, so searching never touches the database.
"""
from __future__ import annotations

import datetime as dt

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from indexer.analysis import TaxAnalyzer

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
