"""Word .docx: paragraphs and tables in document order (python-docx).

The title is the paragraph styled Title (or the first paragraph); headings keep their kind
whether they are styled Heading or typed as plain paragraphs (the structure step recognises
第X章 either way). A closing issuer/date signature is kept apart from the body.
"""
from __future__ import annotations

import io

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from kb.library.parsing.blocks import HEADING, TABLE, TEXT, Block, RawDocument
from kb.library.parsing.text_format import HISTORY_RE, TITLE_NOTE_RE, split_signature

_HEAD_LIMIT = 12  # the title is among the first paragraphs


def read_docx(data: bytes) -> RawDocument:
    document = docx.Document(io.BytesIO(data))
    blocks: list[Block] = []
    title_index: int | None = None
    for element in document.iter_inner_content():
        if isinstance(element, Paragraph):
            text = "\n".join(line.strip() for line in element.text.splitlines() if line.strip())
            if not text:
                continue
            style = ((element.style.name if element.style is not None else "") or "").lower()
            if style.startswith("title") and title_index is None and len(blocks) < _HEAD_LIMIT:
                title_index = len(blocks)
            kind = HEADING if style.startswith(("heading", "title")) else TEXT
            blocks.append(Block(kind=kind, text=text))
        elif isinstance(element, Table):
            blocks.append(Block(kind=TABLE, rows=table_rows(element)))
    title, history, blocks = _take_title(blocks, title_index)
    blocks, signature = _take_signature(blocks)
    return RawDocument(format="docx", title=title, history=history + signature, blocks=blocks)


def table_rows(table: Table) -> list[list[str]]:
    """Cell texts row by row; a horizontally merged cell gives its text once, then blanks."""
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            same = previous is not None and cell._tc is previous._tc
            cells.append("" if same else cell.text.replace("\n", "").strip())
            previous = cell
        rows.append(cells)
    return rows


def _take_title(blocks: list[Block], title_index: int | None) -> tuple[str, list[str], list[Block]]:
    if not blocks or blocks[0].kind == TABLE:
        return "", [], blocks
    index = title_index if title_index is not None else 0
    # Anything above a styled title (a file header, a 文号 line) is kept as history.
    history = [line for block in blocks[:index] for line in block.text.splitlines()]
    title_lines = blocks[index].text.splitlines()
    title, rest_of_title = title_lines[0], title_lines[1:]
    rest = blocks[index + 1:]
    if rest_of_title:
        rest.insert(0, Block(kind=TEXT, text="\n".join(rest_of_title)))
    if rest and rest[0].kind != TABLE and TITLE_NOTE_RE.match(rest[0].text):
        title += rest.pop(0).text
    while rest and rest[0].kind == TEXT and all(
        HISTORY_RE.match(line) and len(line) < 160 for line in rest[0].text.splitlines()
    ):
        history.extend(rest.pop(0).text.splitlines())
    return title, history, rest


def _take_signature(blocks: list[Block]) -> tuple[list[Block], list[str]]:
    tail: list[Block] = []
    while blocks and blocks[-1].kind == TEXT and len(tail) < 2:
        tail.insert(0, blocks.pop())
    lines = [line for block in tail for line in block.text.splitlines()]
    body, signature = split_signature(lines)
    if body:
        blocks.append(Block(kind=TEXT, text="\n".join(body)))
    return blocks, signature
