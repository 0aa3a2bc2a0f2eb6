"""HTML pages saved from a tax bureau site: strip navigation and keep the body."""
from __future__ import annotations

import re

from bs4 import Tag

from kb.library.parsing.blocks import RawDocument
from kb.library.parsing.html_blocks import element_text, html_to_blocks, parse_html
from kb.library.parsing.text_format import HISTORY_RE

NOISE_TAGS = ("script", "style", "noscript", "iframe", "nav", "header", "footer", "aside", "form",
              "button", "select", "input", "svg", "link", "meta")
# id/class words that mark page furniture; matched against whole words of the id or class
# ("nav", "topnav", "navbar", "bread-crumbs"), never inside other words ("canvas", "topic").
NOISE_WORDS = re.compile(
    r"^(?:top|bottom|position|location|login|search|share|banner|copyright|links?|friendlinks?|"
    r"related|recommend|qrcode|ad|ads|tools?|head|foot|bread|dh)$"
    r"|^(?:nav|menu|breadcrumb|crumb|sidebar|footer|header|toolbar|daohang)"
    r"|(?:nav|menu|bar|crumbs?|footer|header)$"
)
TITLE_SUFFIX = re.compile(r"\s*[-_|－—].{0,30}(税务|政府|网|局|门户).*$")


def read_html(text: str) -> RawDocument:
    soup = parse_html(text)
    page_title = soup.title.get_text(strip=True) if soup.title else ""
    for tag in soup(NOISE_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.attrs is None:
            continue
        if tag.name not in ("body", "html") and _is_furniture(tag):
            tag.decompose()
    body = _main_content(soup.body or soup)
    heading = (soup.body or soup).find(["h1", "h2"])
    title = element_text(heading) if heading else TITLE_SUFFIX.sub("", page_title)
    blocks = html_to_blocks(body)
    # Drop the title and history lines from the blocks: they are document metadata.
    history: list[str] = []
    while blocks and blocks[0].kind != "table" and (
        blocks[0].text.replace("\n", "") == title.replace("\n", "") or HISTORY_RE.match(blocks[0].text)
    ):
        first = blocks.pop(0)
        if first.text.replace("\n", "") != title.replace("\n", ""):
            history.extend(first.text.splitlines())
    return RawDocument(format="html", title=title.replace("\n", ""), history=history, blocks=blocks)


def _is_furniture(tag: Tag) -> bool:
    values = [tag.get("id") or ""] + list(tag.get("class") or [])
    words = [w for value in values for w in re.split(r"[-_\s]+|(?<=[a-z])(?=[A-Z])", value) if w]
    return any(NOISE_WORDS.search(word.lower()) for word in words)


def _main_content(root: Tag) -> Tag:
    """The element holding most of the page's paragraph text (the article body)."""
    best, best_score = root, 0
    for candidate in root.find_all(["div", "article", "main", "section", "td"]):
        text = "".join(p.get_text() for p in candidate.find_all(["p", "h2", "h3", "table"], recursive=False))
        score = len(text)
        if score > best_score:
            best, best_score = candidate, score
    total = len(root.get_text())
    return best if best_score > 0.3 * total else root
