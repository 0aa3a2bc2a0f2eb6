"""What format readers produce and what the structure step returns.

A reader (Markdown, HTML, .docx, text) turns a file into a ``RawDocument``: a title, the
adoption/revision history lines and a flat list of ``Block``s in reading order. The structure
step (``kb.library.parsing.structure``) turns the blocks into ``ParsedUnit``s.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

TEXT = "text"
HEADING = "heading"
TABLE = "table"


@dataclass
class Block:
    kind: str  # text | heading | table
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)  # tables only; first row is the header


@dataclass
class RawDocument:
    format: str  # markdown | html | docx | text
    title: str
    history: list[str]
    blocks: list[Block]
    warnings: list[str] = field(default_factory=list)
    part: str | None = None  # a code published in parts: this file's part (总则, 物权编…)


@dataclass
class ParsedUnit:
    kind: str
    label: str
    text: str
    number: int | None = None
    sub_number: int | None = None
    book: str | None = None
    chapter: str | None = None
    section: str | None = None
    paragraphs: list[dict] = field(default_factory=list)


@dataclass
class ParsedDocument:
    format: str
    title: str
    history: list[str]
    units: list[ParsedUnit]
    warnings: list[str] = field(default_factory=list)
    doc_number: str | None = None  # 文号 found in the text
    published_on: dt.date | None = None  # from the history lines or the file name
    part: str | None = None  # one part of a code published in several files (民法典 总则, 物权编…)

    @property
    def articles(self) -> list[ParsedUnit]:
        return [u for u in self.units if u.kind == "article"]

    @property
    def headings(self) -> list[str]:
        """编/章/节 headings in order, each once."""
        seen: list[str] = []
        for unit in self.units:
            for heading in (unit.book, unit.chapter, unit.section):
                if heading and heading not in seen:
                    seen.append(heading)
        return seen
