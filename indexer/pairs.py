"""Character pairs: how much of a question's wording an entry holds, however jieba cut either.

Word matching misses what the segmentation splits differently in the question and the article (汇率 /
汇率中间价, a caller's run-together words): their characters' pairs still match. ``PairFrequencies``
holds in how many entries each pair of characters occurs (its document frequency), for an idf: a full
build counts it from the texts it writes and saves it next to the index (``FILE_NAME``, a few MB); an
update leaves it as it is (one document moves the frequencies of common pairs by a hair; a pair that
only a newer document holds counts for nothing until the next full build); an index built before the file
existed has it counted from the stored texts by its first search, and saved (``SearchIndex.pair_frequencies``). ``coverage`` is the
idf-weighted share of a question's pairs that an entry's text holds; ``indexer.ranking.weigh_pairs``
turns it into a factor of the score.
"""
from __future__ import annotations

import math
import os
import re
from pathlib import Path

import numpy as np

_RUN = re.compile(r"[0-9A-Za-z\u3400-\u9fff]+")  # pairs within runs of Chinese characters, digits, letters
_CHUNK = 4000  # entries whose pairs are counted together before merging (bounds the memory used)
FILE_NAME = "pairs.npz"  # in the index folder, written by a full build


def pairs_of(text: str) -> set[str]:
    """The pairs of adjacent characters within ``text``'s runs of words (no pair spans punctuation)."""
    found: set[str] = set()
    for run in _RUN.findall(text):
        found.update(run[i:i + 2] for i in range(len(run) - 1))
    return found


def _keys(text: str) -> np.ndarray:
    """Each adjacent pair of ``text`` as one integer (code points < 2**21), unique."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < 2:
        return np.zeros(0, dtype=np.uint64)
    return np.unique((codes[:-1] << np.uint64(21)) | codes[1:])


def _key(pair: str) -> int:
    return (ord(pair[0]) << 21) | ord(pair[1])


class PairCounter:
    """Counts, text by text, in how many texts each character pair occurs (merged a chunk at a time)."""

    def __init__(self):
        self.entries = 0
        self._chunk: list[np.ndarray] = []
        self._keys: list[np.ndarray] = []
        self._counts: list[np.ndarray] = []

    def add(self, text: str) -> None:
        self.entries += 1
        self._chunk.append(_keys(text))
        if len(self._chunk) == _CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._chunk:
            keys, counts = np.unique(np.concatenate(self._chunk), return_counts=True)
            self._keys.append(keys)
            self._counts.append(counts.astype(np.int64))
            self._chunk = []

    def frequencies(self) -> "PairFrequencies":
        self._flush()
        if not self._keys:
            return PairFrequencies(np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64), self.entries)
        if len(self._keys) == 1:
            return PairFrequencies(self._keys[0], self._counts[0], self.entries)
        keys, inverse = np.unique(np.concatenate(self._keys), return_inverse=True)
        counts = np.bincount(inverse, weights=np.concatenate(self._counts)).astype(np.int64)
        return PairFrequencies(keys, counts, self.entries)


class PairFrequencies:
    """Document frequency of character pairs over the entries' texts: sorted keys and their counts."""

    def __init__(self, keys: np.ndarray, counts: np.ndarray, entries: int):
        self.keys, self.counts, self.entries = keys, counts, entries

    @classmethod
    def of_texts(cls, texts) -> "PairFrequencies":
        counter = PairCounter()
        for text in texts:
            counter.add(text)
        return counter.frequencies()

    @classmethod
    def of_reader(cls, reader) -> "PairFrequencies":
        """Counted from the stored texts (an index written before ``FILE_NAME`` existed)."""
        return cls.of_texts(fields.get("text", "") for fields in reader.all_stored_fields())

    def save(self, path: Path) -> None:
        """Written next to the index by a full build (``indexer.feeding``), atomically."""
        part = path.with_name(f"{path.name}.{os.getpid()}.part")
        with open(part, "wb") as out:
            np.savez(out, keys=self.keys, counts=self.counts, entries=np.array([self.entries]))
        part.replace(path)

    @classmethod
    def load(cls, path: Path) -> "PairFrequencies":
        with np.load(path) as data:
            return cls(data["keys"], data["counts"], int(data["entries"][0]))

    def frequency(self, pair: str) -> int:
        key = np.uint64(_key(pair))
        at = int(np.searchsorted(self.keys, key))
        return int(self.counts[at]) if at < len(self.keys) and self.keys[at] == key else 0

    def idf(self, pair: str) -> float:
        """0 for a pair no entry holds (it cannot tell entries apart)."""
        df = self.frequency(pair)
        return math.log((self.entries + 1) / (df + 1)) if df else 0.0

    def weights(self, text: str) -> dict[str, float]:
        """The question's pairs that some entry holds, each with its idf (one binary search for all)."""
        pairs = sorted(pairs_of(text))
        if not pairs or not len(self.keys):
            return {}
        keys = np.fromiter((_key(p) for p in pairs), dtype=np.uint64, count=len(pairs))
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        df = np.where(self.keys[at] == keys, self.counts[at], 0)
        idf = np.log((self.entries + 1) / (df + 1))
        return {p: float(w) for p, w, d in zip(pairs, idf, df) if d}


def coverages(weights: dict[str, float], texts: list[str]) -> np.ndarray:
    """``coverage`` of each of ``texts``, at once: every adjacent pair of the joined texts looked up among
    the question's pairs by a binary search (a Python ``in`` per pair and text costs ~5x more)."""
    if not texts:
        return np.zeros(0)
    total = sum(weights.values())
    if total <= 0:
        return np.ones(len(texts))
    pairs = sorted(weights)
    wanted = np.fromiter((_key(p) for p in pairs), dtype=np.uint64, count=len(pairs))  # ascending, as ``pairs``
    weight = np.fromiter((weights[p] for p in pairs), dtype=np.float64, count=len(pairs))
    codes = np.frombuffer("\n".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    keys = (codes[:-1] << np.uint64(21)) | codes[1:]  # a pair spanning two texts holds "\n": never wanted
    at = np.minimum(np.searchsorted(wanted, keys), len(wanted) - 1)
    hit = np.nonzero(wanted[at] == keys)[0]
    starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
    text_of = np.searchsorted(starts, hit, side="right") - 1
    found = np.unique(text_of * len(pairs) + at[hit])  # each (text, pair) once
    held = np.bincount(found // len(pairs), weights=weight[found % len(pairs)], minlength=len(texts))
    return held / total


def coverage(weights: dict[str, float], text: str) -> float:
    """The idf-weighted share of the question's pairs (``weights``) found in ``text``; 1 with no pairs."""
    total = sum(weights.values())
    if total <= 0:
        return 1.0
    return sum(w for p, w in weights.items() if p in text) / total
