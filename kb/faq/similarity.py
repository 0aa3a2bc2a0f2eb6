"""Grouping callers' questions that ask the same thing, and finding the FAQ entry that answers them.

Callers word one question many ways (发票丢了怎么办 / 请问发票遗失了如何处理). The pieces:

- ``question_key``: like ``kb.reports.gaps.default_key`` (spaces and punctuation removed), with the polite
  openings and closings of a call (请问, 您好, 谢谢…) dropped too: equal keys are the same question;
- ``bigrams``: the character pairs of a key, the unit of comparison (no tokenizer needed, so
  ``kb`` stays free of jieba and Whoosh);
- ``group_questions``: greedy clustering of distinct keys, most frequent first; a key joins the
  first group whose leading wording shares enough bigrams with it (``dice >= GROUP_THRESHOLD``).
  An inverted index of bigrams keeps it fast for a month of 20,000 calls;
- ``FaqMatcher``: the best published FAQ entry for a wording, compared with the entry's question
  and every phrasing (``dice >= FAQ_THRESHOLD``), or none.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from kb.reports.gaps import default_key

GROUP_THRESHOLD = 0.6
FAQ_THRESHOLD = 0.5

_COURTESY = re.compile(
    r"^(您好|你好|喂)?(请问一下|请问|我想问一下|我想问|想问一下|想咨询一下|咨询一下|我想咨询|问一下)?"
    r"|(谢谢你?|谢谢您|麻烦了|好吗|呢|吗|啊)+$"
)


def question_key(text: str) -> str:
    """The wording with punctuation, spaces and courtesy words removed, lower-cased."""
    key = default_key(text)
    stripped = _COURTESY.sub("", key)
    return stripped or key


def bigrams(key: str) -> frozenset[str]:
    if len(key) < 2:
        return frozenset([key]) if key else frozenset()
    return frozenset(key[i:i + 2] for i in range(len(key) - 1))


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


@dataclass
class QuestionGroup:
    """Questions asked the same way: the commonest wording leads."""

    wording: str                      # the commonest original wording
    count: int = 0
    wordings: Counter = field(default_factory=Counter)  # original wording -> count
    keys: set[str] = field(default_factory=set)

    @property
    def variants(self) -> list[str]:
        return [text for text, _n in sorted(self.wordings.items(), key=lambda item: (-item[1], item[0]))]


def distinct_variants(wordings: Counter) -> list[str]:
    """One wording per distinct question (key), most asked first; a plain wording (without
    courtesy words) is preferred to stand for its key."""
    by_key: dict[str, Counter] = defaultdict(Counter)
    for text, count in wordings.items():
        by_key[question_key(text)][text] += count
    shown = []
    for key, counts in sorted(by_key.items(), key=lambda item: (-sum(item[1].values()), item[0])):
        texts = sorted(counts.items(), key=lambda item: (default_key(item[0]) != key, -item[1], item[0]))
        shown.append(texts[0][0])
    return shown


def group_questions(questions: Iterable[str], threshold: float = GROUP_THRESHOLD) -> list[QuestionGroup]:
    """Group the questions by similarity; most asked group first (ties by wording)."""
    by_key: dict[str, Counter] = defaultdict(Counter)
    for text in questions:
        text = (text or "").strip()
        key = question_key(text)
        if key:
            by_key[key][text] += 1
    ordered = sorted(by_key, key=lambda k: (-sum(by_key[k].values()), k))
    groups: list[QuestionGroup] = []
    leaders: list[frozenset[str]] = []
    index: dict[str, list[int]] = defaultdict(list)  # bigram -> groups whose leader has it
    for key in ordered:
        grams = bigrams(key)
        shared: Counter = Counter()
        for gram in grams:
            for number in index.get(gram, ()):
                shared[number] += 1
        chosen = None
        for number, overlap in sorted(shared.items(), key=lambda item: (-item[1], item[0])):
            if 2 * overlap / (len(grams) + len(leaders[number])) >= threshold:
                chosen = number
                break
        if chosen is None:
            chosen = len(groups)
            groups.append(QuestionGroup(wording=""))
            leaders.append(grams)
            for gram in grams:
                index[gram].append(chosen)
        group = groups[chosen]
        group.keys.add(key)
        group.wordings.update(by_key[key])
        group.count += sum(by_key[key].values())
    for group in groups:
        group.wording = distinct_variants(group.wordings)[0]
    groups.sort(key=lambda g: (-g.count, g.wording))
    return groups


@dataclass(frozen=True)
class FaqCandidate:
    entry_id: int
    question: str
    wordings: tuple[frozenset[str], ...]


class FaqMatcher:
    """The FAQ entry that answers a wording best, above ``threshold``."""

    def __init__(self, entries: Iterable[tuple[int, str, list[str]]], threshold: float = FAQ_THRESHOLD):
        self.threshold = threshold
        self.candidates = [
            FaqCandidate(entry_id, question, tuple(bigrams(question_key(t)) for t in [question, *(phrasings or [])]))
            for entry_id, question, phrasings in entries
        ]

    def best(self, texts: Iterable[str]) -> tuple[FaqCandidate | None, float]:
        """The best entry for any of ``texts`` (a group's wordings) and its score."""
        best, best_score = None, 0.0
        grams = [bigrams(question_key(t)) for t in texts]
        for candidate in self.candidates:
            score = max((dice(g, w) for g in grams for w in candidate.wordings), default=0.0)
            if score > best_score:
                best, best_score = candidate, score
        if best_score < self.threshold:
            return None, best_score
        return best, best_score
