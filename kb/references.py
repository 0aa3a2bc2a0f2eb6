"""Find cross-references in a unit's text: 《…》 (another document), 本法第X条, 本条第X款, 前款."""
from __future__ import annotations

import re
from dataclasses import dataclass

from kb.numerals import NUMERAL_CHARS, article_label, parse_number

_NUM = f"[{NUMERAL_CHARS}0-9]+"
DOC_MENTION_RE = re.compile(rf"《([^《》\n]{{2,80}})》(?:第({_NUM})条(?:之([一二三四五六七八九十]+))?)?")
OWN_ARTICLE_RE = re.compile(
    rf"本(?:法|条例|细则|办法|规定|解释|决定|规则)第({_NUM})条(?:之([一二三四五六七八九十]+))?(?:第({_NUM})款)?"
)
OWN_PARAGRAPH_RE = re.compile(rf"本条第({_NUM})款")
PREVIOUS_PARAGRAPH_RE = re.compile(r"前款")
PREVIOUS_TWO_RE = re.compile(r"前两款")


@dataclass
class FoundReference:
    kind: str  # document | article | paragraph
    mention: str
    start: int
    end: int
    target_title: str | None = None  # for 《…》
    target_label: str | None = None  # 第三十二条
    target_paragraph: int | None = None  # 1-based 款
    same_document: bool = False
    same_unit: bool = False


def find_references(paragraphs: list[dict]) -> list[FoundReference]:
    """References in a unit given its 款 (as stored in ``Unit.paragraphs``).

    Offsets are into the unit's text as ``structure.paragraphs_text`` joins it.
    """
    found: list[FoundReference] = []
    offset = 0
    for index, paragraph in enumerate(paragraphs, start=1):
        texts = [paragraph["text"]] + [item["label"] + item["text"] for item in paragraph["items"]]
        for text in texts:
            found.extend(_in_text(text, offset, index))
            offset += len(text) + 1
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
    return refs
