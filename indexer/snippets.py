"""Highlighted snippets: the window of a unit's text holding the most query words.

The snippet is HTML-safe text with the matched words wrapped in ``<mark>…</mark>``; plain-text
front ends (the CLI) turn the marks into 【…】 with ``plain_snippet``.
"""
from __future__ import annotations

import html
import re

WIDTH = 120


def make_snippet(text: str, words: list[str], width: int = WIDTH) -> str:
    text = " ".join((text or "").split())
    words = sorted({w for w in words if w and (len(w) > 1 or not w.isascii())}, key=len, reverse=True)
    spans: list[tuple[int, int, str]] = []
    if words:
        pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
        spans = [(m.start(), m.end(), m.group(0).lower()) for m in pattern.finditer(text)]
    start = 0
    if len(text) > width and spans:
        best, best_value = 0, -1.0
        for i, (s, _, _) in enumerate(spans):
            inside = [sp for sp in spans[i:] if sp[1] <= s + width]
            value = len({w for _, _, w in inside}) + 0.01 * sum(e - b for b, e, _ in inside)
            if value > best_value:
                best, best_value = s, value
        start = max(0, min(best - 10, len(text) - width))
    end = min(len(text), start + width)
    out, cursor = [], start
    for s, e, _ in spans:
        if s < cursor or e > end:
            continue
        out.append(html.escape(text[cursor:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        cursor = e
    out.append(html.escape(text[cursor:end]))
    return ("…" if start > 0 else "") + "".join(out) + ("…" if end < len(text) else "")


def plain_snippet(snippet: str) -> str:
    return html.unescape(snippet.replace("<mark>", "【").replace("</mark>", "】"))
