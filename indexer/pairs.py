"""Character pairs: how much of a question's wording an entry holds, however jieba cut either.

Word matching misses what the segmentation splits differently in the question and the article (汇率 /
汇率中间价, a caller's run-together words): their characters' pairs still match. ``PairFrequencies``
counts, once per index generation, in how many entries each pair of characters occurs (its document
frequency over the stored texts), for an idf; ``coverage`` is the idf-weighted share of a question's
pairs that an entry's text holds. ``indexer.ranking.weigh_pairs`` turns it into a factor of the score.
"""
from __future__ import annotations

import math
import re

import numpy as np

_RUN = re.compile(r"[0-9A-Za-z\u3400-\u9fff]+")  # pairs within runs of Chinese characters, digits, letters
_CHUNK = 4000  # entries whose pairs are counted together before merging (bounds the memory used)


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


class PairFrequencies:
    """Document frequency of every character pair over the entries' stored texts (sorted keys, counts)."""

    def __init__(self, texts):
        keys: list[np.ndarray] = []
        counts: list[np.ndarray] = []
        chunk: list[np.ndarray] = []
        self.entries = 0

        def merge(arrays, weights=None):
            joined = np.concatenate(arrays)
            if weights is None:
                return np.unique(joined, return_counts=True)
            unique, inverse = np.unique(joined, return_inverse=True)
            return unique, np.bincount(inverse, weights=np.concatenate(weights)).astype(np.int64)

        for text in texts:
            self.entries += 1
            chunk.append(_keys(text))
            if len(chunk) == _CHUNK:
                k, c = merge(chunk)
                keys.append(k)
                counts.append(c)
                chunk = []
        if chunk:
            k, c = merge(chunk)
            keys.append(k)
            counts.append(c)
        if keys:
            self.keys, self.counts = merge(keys, counts) if len(keys) > 1 else (keys[0], counts[0])
        else:
            self.keys, self.counts = np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)

    @classmethod
    def of_reader(cls, reader) -> "PairFrequencies":
        return cls(fields.get("text", "") for fields in reader.all_stored_fields())

    def frequency(self, pair: str) -> int:
        key = np.uint64(_key(pair))
        at = int(np.searchsorted(self.keys, key))
        return int(self.counts[at]) if at < len(self.keys) and self.keys[at] == key else 0

    def idf(self, pair: str) -> float:
        """0 for a pair no entry holds (it cannot tell entries apart)."""
        df = self.frequency(pair)
        return math.log((self.entries + 1) / (df + 1)) if df else 0.0

    def weights(self, text: str) -> dict[str, float]:
        """The question's pairs that some entry holds, each with its idf."""
        weighed = {p: self.idf(p) for p in pairs_of(text)}
        return {p: w for p, w in weighed.items() if w > 0}


def coverage(weights: dict[str, float], text: str) -> float:
    """The idf-weighted share of the question's pairs (``weights``) found in ``text``; 1 with no pairs."""
    total = sum(weights.values())
    if total <= 0:
        return 1.0
    return sum(w for p, w in weights.items() if p in text) / total
