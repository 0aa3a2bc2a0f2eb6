"""Cross-references in a unit's text: 《…》 (another document, or a table attached to this one),
本法第X条 (第X款), 本条第X款, 前款 and 前两款.

``find_references`` works on plain data while a document is stored; ``target_unit`` follows a
stored ``Reference`` to the unit it points at (for the UI's links).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.library.models import Reference, Unit
from kb.core.numerals import ARTICLE_NUMBER, NUMBER, article_label, parse_number
from kb.library.titles import normalise_title

DOC_MENTION_RE = re.compile(rf"《([^《》\n]{{2,80}})》(?:{ARTICLE_NUMBER})?")
OWN_ARTICLE_RE = re.compile(
    rf"本(?:法|条例|细则|办法|规定|解释|决定|规则){ARTICLE_NUMBER}(?:第({NUMBER})款)?"
)
OWN_PARAGRAPH_RE = re.compile(rf"本条第({NUMBER})款")
PREVIOUS_PARAGRAPH_RE = re.compile(r"前款")
PREVIOUS_TWO_RE = re.compile(r"前两款")


@dataclass
class FoundReference:
    kind: str  # document | article | paragraph | attachment
    mention: str
    start: int
    end: int
    target_title: str | None = None  # for 《…》
    target_label: str | None = None  # 第三十二条
    target_paragraph: int | None = None  # 1-based 款
    same_document: bool = False
    same_unit: bool = False


def find_references(paragraphs: list[dict], own_labels: Iterable[str] = ()) -> list[FoundReference]:
    """References in a unit given its 款 (as stored in ``Unit.paragraphs``).

    ``own_labels`` are the document's attachment and table names: 《印花税税目税率表》 in 印花税法
    points at its own table, not at another document. Offsets are into the unit's text as
    ``structure.paragraphs_text`` joins it.
    """
    own = {normalise_title(label): label for label in own_labels}
    found: list[FoundReference] = []
    offset = 0
    for index, paragraph in enumerate(paragraphs, start=1):
        texts = [paragraph["text"]] + [item["label"] + item["text"] for item in paragraph["items"]]
        for text in texts:
            found.extend(_in_text(text, offset, index))
            offset += len(text) + 1
    for reference in found:
        label = own.get(normalise_title(reference.target_title or ""))
        if label and reference.kind == "document":
            reference.kind, reference.target_title = "attachment", None
            reference.target_label, reference.same_document = label, True
    return found


def _in_text(text: str, offset: int, paragraph_index: int) -> list[FoundReference]:
    refs: list[FoundReference] = []
    for match in DOC_MENTION_RE.finditer(text):
        label = None
        if match.group(2) and (number := parse_number(match.group(2))):
            label = article_label(number, parse_number(match.group(3)) if match.group(3) else None)
        refs.append(FoundReference(
            kind="article" if label else "document", mention=match.group(0),
            start=offset + match.start(), end=offset + match.end(),
            target_title=match.group(1), target_label=label,
        ))
    for match in OWN_ARTICLE_RE.finditer(text):
        number = parse_number(match.group(1))
        if not number:
            continue
        refs.append(FoundReference(
            kind="article", mention=match.group(0), start=offset + match.start(), end=offset + match.end(),
            target_label=article_label(number, parse_number(match.group(2)) if match.group(2) else None),
            target_paragraph=parse_number(match.group(3)) if match.group(3) else None,
            same_document=True,
        ))
    for match in OWN_PARAGRAPH_RE.finditer(text):
        refs.append(FoundReference(
            kind="paragraph", mention=match.group(0), start=offset + match.start(), end=offset + match.end(),
            target_paragraph=parse_number(match.group(1)), same_document=True, same_unit=True,
        ))
    if paragraph_index > 1:
        for match in PREVIOUS_PARAGRAPH_RE.finditer(text):
            if text[max(0, match.start() - 1):match.start()] == "两":
                continue
            refs.append(FoundReference(
                kind="paragraph", mention=match.group(0), start=offset + match.start(),
                end=offset + match.end(), target_paragraph=paragraph_index - 1,
                same_document=True, same_unit=True,
            ))
    if paragraph_index > 2:
        # 前两款: one link to each of the two paragraphs before.
        for match in PREVIOUS_TWO_RE.finditer(text):
            refs.extend(FoundReference(
                kind="paragraph", mention=match.group(0), start=offset + match.start(),
                end=offset + match.end(), target_paragraph=paragraph_index - back,
                same_document=True, same_unit=True,
            ) for back in (2, 1))
    return refs


def target_unit(session: Session, reference: Reference) -> Unit | None:
    """The unit a stored reference points at: the article (or first table row) in the target
    document, the referring unit itself for 前款/本条第X款, None for a bare document mention."""
    if reference.target_document_id is None or reference.target_label is None:
        return None
    if reference.kind == "paragraph":
        return reference.unit
    return session.scalars(
        select(Unit).where(Unit.document_id == reference.target_document_id, Unit.label == reference.target_label)
        .order_by(Unit.seq).limit(1)
    ).first()
