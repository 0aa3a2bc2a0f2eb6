"""Word .docx: paragraphs and tables in document order (python-docx)."""
from __future__ import annotations

import io

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from kb.parsing.blocks import HEADING, TABLE, TEXT, Block, RawDocument
from kb.parsing.text_format import split_title_and_history


def read_docx(data: bytes) -> RawDocument:
    document = docx.Document(io.BytesIO(data))
    items: list[Block] = []
    for element in document.iter_inner_content():
        if isinstance(element, Paragraph):
            text = element.text.strip()
            if not text:
                continue
            style = (element.style.name if element.style is not None else "") or ""
            kind = HEADING if style.lower().startswith(("heading", "title")) else TEXT
            items.append(Block(kind=kind, text=text))
        elif isinstance(element, Table):
            rows = [[cell.text.strip() for cell in row.cells] for row in element.rows]
            items.append(Block(kind=TABLE, rows=_dedupe_merged(rows)))
    leading = []
    while items and items[0].kind != TABLE and len(leading) < 12:
        leading.append(items.pop(0).text)
    title, history, rest = split_title_and_history(leading)
    blocks = [Block(kind=TEXT, text=line) for line in rest] + items
    return RawDocument(format="docx", title=title, history=history, blocks=blocks)


def _dedupe_merged(rows: list[list[str]]) -> list[list[str]]:
    # python-docx repeats a horizontally merged cell's text in each grid column.
    result = []
    for row in rows:
        cleaned = []
        for index, cell in enumerate(row):
            cleaned.append("" if index and cell and cell == row[index - 1] else cell)
        result.append(cleaned)
    return result
