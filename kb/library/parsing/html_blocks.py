"""Walk an HTML tree (from a saved page, or rendered from Markdown) into blocks in reading order."""
from __future__ import annotations

from bs4 import BeautifulSoup, NavigableString, Tag

from kb.library.parsing.blocks import HEADING, TABLE, TEXT, Block

HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Elements whose text is one block; their inline children are flattened.
LEAF_TAGS = HEADING_TAGS | {"p", "li", "dt", "dd", "pre", "blockquote", "td", "th", "caption"}
CONTAINER_TAGS = {"div", "section", "article", "main", "body", "ul", "ol", "dl", "center", "font", "span", "form"}


def element_text(element: Tag) -> str:
    """Text of an element with <br> and block children as line breaks."""
    parts: list[str] = []
    for node in element.descendants:
        if isinstance(node, NavigableString):
            if node.__class__ is NavigableString:  # skip comments, CDATA, doctype
                parts.append(str(node))
        elif node.name == "br":
            parts.append("\n")
        elif node.name in ("p", "div", "li", "tr"):
            parts.append("\n")
    lines = ("".join(parts)).replace("\xa0", " ").splitlines()
    return "\n".join(line.strip() for line in lines if line.strip())


def table_rows(table: Tag) -> list[list[str]]:
    rows: list[list[str]] = []
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:
            continue
        cells = tr.find_all(["td", "th"], recursive=False)
        row: list[str] = []
        for cell in cells:
            text = element_text(cell).replace("\n", "")
            row.append(text)
            # Expand colspan so that columns line up with the header.
            for _ in range(int(cell.get("colspan", 1) or 1) - 1 if str(cell.get("colspan", "1")).isdigit() else 0):
                row.append("")
        rows.append(row)
    return rows


def html_to_blocks(root: Tag) -> list[Block]:
    blocks: list[Block] = []
    _walk(root, blocks)
    return blocks


def _walk(element: Tag, blocks: list[Block]) -> None:
    pending: list[str] = []

    def flush() -> None:
        text = "\n".join(line.strip() for line in "".join(pending).splitlines() if line.strip())
        if text:
            blocks.append(Block(kind=TEXT, text=text))
        pending.clear()

    for child in element.children:
        if isinstance(child, NavigableString):
            if child.__class__ is NavigableString:
                pending.append(str(child).replace("\xa0", " "))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        if name == "br":
            pending.append("\n")
        elif name == "table":
            flush()
            rows = table_rows(child)
            if rows:
                blocks.append(Block(kind=TABLE, rows=rows))
        elif name in HEADING_TAGS:
            flush()
            text = element_text(child)
            if text:
                blocks.append(Block(kind=HEADING, text=text))
        elif name in LEAF_TAGS and not child.find(["table", "p", "div", "li"]):
            flush()
            text = element_text(child)
            if text:
                blocks.append(Block(kind=TEXT, text=text))
        elif name in CONTAINER_TAGS or name in LEAF_TAGS or child.find(["p", "div", "table", "br"]):
            flush()
            _walk(child, blocks)
        else:
            pending.append(element_text(child) if child.get_text() else "")
    flush()


def parse_html(markup: str) -> BeautifulSoup:
    return BeautifulSoup(markup, "lxml")
