"""What an agent's answer quotes from an article: the 款 (and its 项) that match the question.

"复制依据" puts the citation and the whole article on the clipboard; the call record's 答复内容
gets only the part that answers, short enough to edit on a live call:

- the 款 holding most of the matched terms (longer terms weigh more: 丢失发票 over 发票), with
  those of its 项 that match (all of them when none does and they are short);
- without matched terms, the first 款;
- cut at a sentence end past ``limit`` characters, with "……".
"""
from __future__ import annotations

import re

from kb.library.citations import unit_citation
from kb.library.models import Unit

EXCERPT_LIMIT = 160
_SENTENCE_END = re.compile(r"[。；;！？]")


def _score(text: str, terms: list[str]) -> int:
    return sum(len(term) for term in terms if term in text)


def _paragraphs(unit: Unit) -> list[dict]:
    paragraphs = [p for p in unit.paragraphs or [] if (p.get("text") or p.get("items"))]
    return paragraphs or [{"text": unit.text or "", "items": []}]


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, limit + 1)]
    cut = ends[-1] if ends and ends[-1] >= limit // 3 else limit
    return text[:cut].rstrip() + "……"


def matching_paragraph(unit: Unit, terms: list[str]) -> tuple[int, str]:
    """(1-based 款 number, its text with the matching 项) of ``unit`` for the matched ``terms``."""
    terms = sorted({t.strip() for t in terms if t and t.strip()}, key=len, reverse=True)
    paragraphs = _paragraphs(unit)
    scores = [_score(p.get("text", "") + "".join(i.get("text", "") for i in p.get("items") or []), terms)
              for p in paragraphs]
    best = max(range(len(paragraphs)), key=lambda i: (scores[i], -i))
    paragraph = paragraphs[best]
    text = (paragraph.get("text") or "").strip()
    items = paragraph.get("items") or []
    if items:
        chosen = [i for i in items if _score(i.get("text", ""), terms)][:2]
        if not chosen and sum(len(i.get("text", "")) for i in items) <= EXCERPT_LIMIT:
            chosen = items
        lines = [f"{i.get('label', '')}{i.get('text', '')}".strip() for i in chosen]
        text = "\n".join([text, *lines] if text else lines)
    return best + 1, text


def answer_excerpt(unit: Unit, terms: list[str], limit: int = EXCERPT_LIMIT) -> str:
    """The call record's 答复内容 for ``unit``: its citation (with the 款) and the matching part, short."""
    number, text = matching_paragraph(unit, terms)
    return f"根据{unit_citation(unit, paragraph=number)}：{_shorten(text, limit)}"
