"""Highlighted snippets: the window of a unit's text holding the most query words.

The snippet is HTML-safe text with the matched words wrapped in ``<mark>…</mark>``; plain-text
front ends (the CLI) turn the marks into 【…】 with ``plain_snippet``.

Bounded time whatever the unit: only the first ``MAX_SOURCE`` characters are looked at, and the
best window is found in one pass over the matches (a sliding window), not by comparing every pair.
"""
from __future__ import annotations

import html
import re
from collections import Counter

WIDTH = 120
MAX_SOURCE = 20_000  # characters of a unit's text a snippet is cut from


def make_snippet(text: str, words: list[str], width: int = WIDTH) -> str:
    text = " ".join((text or "")[:MAX_SOURCE].split())
    words = sorted({w for w in words if w and (len(w) > 1 or not w.isascii())}, key=len, reverse=True)
    spans: list[tuple[int, int, str]] = []
    if words:
        pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
        spans = [(m.start(), m.end(), m.group(0).lower()) for m in pattern.finditer(text)]
    start = 0
    if len(text) > width and spans:
        best, last_end = _best_window(spans, width)
        lead = min(10, max(0, width - (last_end - best)))  # some context before, all of the window kept
        start = max(0, min(best - lead, len(text) - width))
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


def _best_window(spans: list[tuple[int, int, str]], width: int) -> tuple[int, int]:
    """Start of the window of ``width`` holding the most distinct words (then the most matched
    characters), among windows starting at a match, and the end of its last match; ``spans`` are
    in text order."""
    best, best_end, best_value = spans[0][0], spans[0][1], -1.0
    words: Counter[str] = Counter()
    matched = 0  # characters matched inside the window
    end = 0  # spans[i:end] lie inside the window starting at spans[i]
    for i, (start, _, _) in enumerate(spans):
        while end < len(spans) and spans[end][1] <= start + width:
            words[spans[end][2]] += 1
            matched += spans[end][1] - spans[end][0]
            end += 1
        value = len(words) + 0.01 * matched
        if value > best_value:
            best, best_end, best_value = start, spans[end - 1][1] if end > i else spans[i][1], value
        if end > i:  # the window moves past spans[i]
            b, e, word = spans[i]
            words[word] -= 1
            if not words[word]:
                del words[word]
            matched -= e - b
        else:
            end = i + 1
    return best, best_end


def plain_snippet(snippet: str) -> str:
    return html.unescape(snippet.replace("<mark>", "【").replace("</mark>", "】"))
