"""What a negation governs in a caller's sentence: ``不是要举报，只是想问…`` negates 举报 only.

A cue (不是, 不想, 不要, 没有要 …, but not inside 是不是 / 要不要) negates the words after it up to
the end of its clause or a contrast (只是, 而是, 就是 …), at most ``SCOPE`` characters. A rhetorical
question (``这不是逃税吗``) asserts rather than negates, so it negates nothing.

Rules (``kb.hotline.routing``) are matched against ``mask_negated(text)``; the classifier
(``kb.hotline.routing_model``) sees negated words as ``非``-words.
"""
from __future__ import annotations

import re

# A negation cue, not inside 是不是 / 要不要; its scope runs to the end of the clause or to a
# contrast (只是, 而是, 就是 …), at most SCOPE characters.
_CUE = re.compile(r"(?<![是要])(?:不是|并不是|并非|不想|不要|不打算|没打算|没有要|没要|无意|不用|不需要|没想)")
_SCOPE_END = re.compile(r"[，,。；;！!？?、\n]|只是|而是|就是|但是|可是|是想|只想|就想|我就|主要是")
SCOPE = 15
_CLAUSE_END = re.compile(r"[，,。；;！!？?\n]")
_RHETORICAL = ("吗", "吧", "么")


def negated_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each stretch of ``text`` that a negation cue governs."""
    spans = []
    for cue in _CUE.finditer(text):
        start = cue.end()
        clause = _CLAUSE_END.search(text, start)
        if text[start:clause.start() if clause else len(text)].endswith(_RHETORICAL):
            continue  # 这不是逃税吗: a rhetorical question asserts, it does not negate
        end_match = _SCOPE_END.search(text, start, start + SCOPE)
        end = end_match.start() if end_match else min(len(text), start + SCOPE)
        if end > start:
            spans.append((start, end))
    return spans


def mask_negated(text: str, fill: str = "□") -> str:
    """``text`` with every negated stretch blanked out (what rules are matched against)."""
    chars = list(text)
    for start, end in negated_spans(text):
        chars[start:end] = fill * (end - start)
    return "".join(chars)
