"""Question→article pairs written down beforehand, which ``flask train-ranker`` fits the question map on beside
the pairs of use: the published FAQ entries (the question and each phrasing, with every article the entry
cites) and judged question sets (JSON lines as ``bench/data/tax-questions.jsonl``: ``query`` and ``relevant``,
a list of ``{"file", "article", "grade"}``), of which only the rows for fitting count (``split`` other than
``heldout`` / ``test``) and only the articles that answer (grade 2). Asked for by ``--pairs`` / ``--with-faq``:
in the simulation of bench/README.md (eleventh pass) they added nothing where the shipped map had seen them.
Reads only; never commits.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.core.json_lines import read_json_lines
from kb.faq.models import PUBLISHED, FaqCitation, FaqEntry
from kb.library.models import Document, Unit

HELD_OUT = ("heldout", "test")
ANSWERS = 2  # the grade of an article that answers the question


def faq_pairs(session: Session) -> list[tuple[str, int]]:
    """(question or phrasing, cited unit id) of every published FAQ entry."""
    rows = session.execute(select(FaqEntry.question, FaqEntry.phrasings, FaqCitation.unit_id)
                           .join(FaqCitation, FaqCitation.entry_id == FaqEntry.id)
                           .where(FaqEntry.status == PUBLISHED, FaqCitation.unit_id.is_not(None))
                           .order_by(FaqEntry.id, FaqCitation.position)).all()
    pairs = []
    for question, phrasings, unit_id in rows:
        for wording in [question, *(phrasings or [])]:
            if isinstance(wording, str) and wording.strip():
                pairs.append((wording.strip(), unit_id))
    return pairs


def read_judged_set(text: str, source: str) -> list[dict]:
    """The rows of a judged question set; a bad line is named in the error (Chinese)."""
    return read_json_lines(text, source, _judged_row, "含 query（文字）和 relevant（含 file、article、grade 的列表）")


def _judged_row(row: dict) -> bool:
    return isinstance(row.get("query"), str) and isinstance(row.get("relevant"), list) and all(
        isinstance(r, dict) and {"file", "article"} <= set(r) for r in row["relevant"])


def judged_set_pairs(session: Session, rows: list[dict]) -> list[tuple[str, int]]:
    """(query, unit id) for each answering article of the rows for fitting that the library holds
    (matched by its file's name and the article's label)."""
    answers = [(row["query"], (r["file"], r["article"])) for row in rows if row.get("split") not in HELD_OUT
               for r in row["relevant"] if r.get("grade", ANSWERS) >= ANSWERS]
    files = {name for _, (name, _) in answers}
    units: dict[tuple[str, str], int] = {}
    if files:
        for unit_id, name, label in session.execute(
                select(Unit.id, Document.source_name, Unit.label).join(Document, Unit.document_id == Document.id)
                .where(Document.source_name.in_(files)).order_by(Unit.id)):
            units.setdefault((name, label), unit_id)
    return [(query, units[key]) for query, key in answers if key in units]
