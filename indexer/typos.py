"""Homophone typos a hurried agent makes (复义 for 复议, 汇算清交 for 汇算清缴), found by pinyin.

The vocabulary is the domain's: the tax dictionaries, the synonym table and the document short
names. A stretch of the query that is not a known word but sounds like a vocabulary word (same
toneless syllables, any reading of a polyphonic character) is corrected. The corrections are
searched alongside the typed words and offered as a did-you-mean.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MIN_LEN, MAX_LEN = 2, 8
_HAN = re.compile(r"[\u4e00-\u9fff]+")

READINGS_PATH = Path(__file__).with_name("data") / "pinyin_readings.tsv"


@lru_cache(maxsize=None)
def _reading_table() -> dict[str, frozenset[str]]:
    """Each character's toneless readings ({"长": {"zhang", "chang"}}), read on first use from the table
    ``scripts/make_pinyin_table.py`` makes through pypinyin's public API (importing pypinyin here would load
    its phrase dictionary too: 0.13 s and 56 MB resident; the table: 0.02 s)."""
    table = {}
    for line in READINGS_PATH.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            char, values = line.split("\t")
            table[char] = frozenset(values.split(","))
    return table


@lru_cache(maxsize=8192)
def readings(char: str) -> frozenset[str]:
    """Toneless pinyin readings of one character (every reading of a polyphonic one)."""
    return _reading_table().get(char) or frozenset({char})


@dataclass(frozen=True)
class Correction:
    start: int
    end: int
    typed: str
    word: str


class TypoFinder:
    def __init__(self, vocabulary: set[str], is_known_word):
        self.is_known_word = is_known_word  # word -> bool (jieba's dictionary)
        self.vocabulary = vocabulary
        self._index: dict[tuple[int, str], list[str]] | None = None  # (length, first syllable) -> words

    def _candidates(self, typed: str) -> list[str]:
        if self._index is None:
            self._index = {}
            for word in sorted(self.vocabulary):
                if MIN_LEN <= len(word) <= MAX_LEN and _HAN.fullmatch(word):
                    for reading in readings(word[0]):
                        self._index.setdefault((len(word), reading), []).append(word)
        words: list[str] = []
        for reading in readings(typed[0]):
            words += self._index.get((len(typed), reading), [])
        return words

    def _sounds_like(self, typed: str, word: str) -> bool:
        return all(a == b or readings(a) & readings(b) for a, b in zip(typed, word))

    def find(self, text: str, words: list[tuple[str, int, int]]) -> list[Correction]:
        """Corrections in ``text``, whose segmentation is ``words`` ((word, start, end), in order).

        A stretch must start and end on word boundaries, must not occur in the index, and must
        hold a single character or a word unknown to the index (两个 known words are no typo).
        """
        starts = {start: word for word, start, _ in words}
        ends = {end for _, _, end in words}
        found: list[Correction] = []
        for run in _HAN.finditer(text):
            chunk, base = run.group(0), run.start()
            i = 0
            while i < len(chunk):
                hit = None
                for n in range(min(MAX_LEN, len(chunk) - i), MIN_LEN - 1, -1):
                    typed = chunk[i:i + n]
                    if base + i not in starts or base + i + n not in ends or self.is_known_word(typed):
                        continue
                    inside = [w for w, s, e in words if s >= base + i and e <= base + i + n]
                    if all(len(w) > 1 and self.is_known_word(w) for w in inside):
                        continue
                    candidates = self._candidates(typed)
                    for word in candidates:
                        if word != typed and self._sounds_like(typed, word):
                            hit = Correction(base + i, base + i + n, typed, word)
                            break
                    if hit:
                        break
                if hit:
                    found.append(hit)
                    i += len(hit.typed)
                else:
                    i += 1
        return found


def apply_corrections(text: str, corrections: list[Correction]) -> str:
    for c in sorted(corrections, key=lambda c: c.start, reverse=True):
        text = text[:c.start] + c.word + text[c.end:]
    return text
