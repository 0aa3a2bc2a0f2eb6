"""A code published in several files, stored as one document assembled from its parts.

The Civil Code comes as eight files (总则.md, 物权编.md … 附则.md), each titled
中华人民共和国民法典, each naming its part in a second heading, its articles numbered through the
whole code. Stored file by file as if each were a document, the parts would replace or "revise"
one another and most of the code would be lost. Stored as one document:

- the code is cited, cross-referenced and revised as the law it is (《中华人民共和国民法典》第五十六条);
- ``Document.parts`` lists the part files in article order (file name, content hash, part name);
  each unit keeps the file it came from (``Unit.source_name``) and its part as the first level
  of its 编;
- a file joins a same-titled code when it names a part and none of its articles is already in
  the code from another file; the same part file again, changed and not later than the code,
  replaces that part's units (a corrected file); a later part whose articles the code already
  has is a new version of the code, which its other parts then join.
"""
from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import delete
from sqlalchemy.orm import Session

from kb.library.models import ARTICLE, Document, Unit
from kb.library.parsing.blocks import ParsedDocument


def part_entry(parsed: ParsedDocument, source_name: str, source_hash: str) -> dict:
    return {"source": source_name, "hash": source_hash, "part": parsed.part}


def has_part(document: Document, source_hash: str) -> bool:
    """Whether one of ``document``'s parts is the file with this content."""
    return any(part.get("hash") == source_hash for part in document.parts or [])


def start_code(document: Document, entry: dict) -> None:
    """``document`` is the first part of a code stored: record it as a part."""
    document.parts = [entry]
    for unit in document.units:
        unit.source_name = entry["source"]


def code_to_join(same_title: list[Document], parsed: ParsedDocument, source_name: str) -> Document | None:
    """The assembled code (among the documents of the same title) that ``parsed`` is a part of."""
    if not parsed.part:
        return None
    labels = {u.label for u in parsed.units if u.kind == ARTICLE}
    corrections, joins = [], []
    for code in same_title:
        if not code.parts:
            continue
        if any(part["source"] == source_name for part in code.parts):
            if not (parsed.published_on and code.version_date and parsed.published_on > code.version_date):
                corrections.append(code)
            continue
        theirs = {u.label for u in code.units if u.kind == ARTICLE}
        if labels and not labels & theirs:
            joins.append(code)
    candidates = corrections or joins
    if not candidates:
        return None
    return max(candidates, key=lambda d: (d.version_date == parsed.published_on, d.version_date or d.published_on
                                          or parsed.published_on or dt.date.min, d.id or 0))


def join_part(session: Session, code: Document, units: list[Unit], entry: dict,
              parsed: ParsedDocument) -> None:
    """Put the part's ``units`` into ``code`` (in place of the same file's units, if any)."""
    session.execute(delete(Unit).where(Unit.document_id == code.id, Unit.source_name == entry["source"]))
    session.expire(code, ["units"])
    for unit in units:
        unit.source_name = entry["source"]
    combined = list(code.units) + units
    first_article: dict[str, float] = {}
    for unit in combined:
        if unit.kind == ARTICLE and unit.number is not None:
            first_article[unit.source_name] = min(first_article.get(unit.source_name, math.inf), unit.number)
    parts = sorted([p for p in code.parts if p["source"] != entry["source"]] + [entry],
                   key=lambda p: first_article.get(p["source"], math.inf))
    rank = {part["source"]: i for i, part in enumerate(parts)}
    combined.sort(key=lambda u: (rank.get(u.source_name, len(rank)), u.seq))
    for seq, unit in enumerate(combined):
        unit.seq = seq
    code.units = combined
    code.parts = parts
    code.history = list(dict.fromkeys([*(code.history or []), *parsed.history]))
    code.warnings = list(dict.fromkeys([*(code.warnings or []), *parsed.warnings]))
    if parsed.published_on and code.published_on and parsed.published_on > code.published_on:
        code.published_on = parsed.published_on
    code.doc_number = code.doc_number or parsed.doc_number
