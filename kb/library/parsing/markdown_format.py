"""Markdown as in the corpus: ``# title``, history lines, ``<!-- INFO END -->``, then the body.

A code published in several files (the Civil Code: 总则.md, 物权编.md…) repeats the code's title
and names the part in a second ``#`` heading before ``<!-- INFO END -->``: that is ``part``."""
from __future__ import annotations

import re

import markdown as markdown_lib

from kb.library.parsing.blocks import RawDocument
from kb.library.parsing.html_blocks import html_to_blocks, parse_html

INFO_END = re.compile(r"^\s*<!--\s*INFO END\s*-->\s*$", re.MULTILINE)
TITLE_RE = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def read_markdown(text: str) -> RawDocument:
    match = INFO_END.search(text)
    if match:
        header, body = text[: match.start()], text[match.end():]
    else:
        header, body = "", text
    title_match = TITLE_RE.search(header) or TITLE_RE.search(body)
    title = title_match.group(1).strip() if title_match else ""
    header_titles = [t.strip() for t in TITLE_RE.findall(header)]
    part = next((t for t in header_titles[1:] if t and t != title), None)
    if title_match and not header:
        body = body[: title_match.start()] + body[title_match.end():]
    history = [
        line.strip()
        for line in header.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    html = markdown_lib.markdown(body, extensions=["tables"], output_format="html")
    soup = parse_html(f"<body>{html}</body>")
    return RawDocument(format="markdown", title=title, history=history, blocks=html_to_blocks(soup.body),
                       part=part)
