"""Fast top-k for the text query: BM25F scored term at a time with numpy, the same scores as Whoosh.

Whoosh scores an OR of many terms document at a time in pure Python; on the full laws corpus
(147k units) a question of 20 words with common ones (纳税人, 规定, 税务机关) walks ~30k postings
through a tree of union matchers: 0.3-1.3 s. Here each term's postings are read block by block
into arrays and their BM25F scores added into one array of the whole index: 10-20x faster, and
exact, so ranking does not change (``tests/test_scoring.py`` compares with Whoosh's own scores).

- Supported queries: ``Term``, ``Or`` and ``And`` of those (what ``query.QueryBuilder`` builds),
  with boosts; anything else raises ``Unsupported`` and the caller falls back to Whoosh's search.
- Postings are read a block at a time through the W3 codec's block reader (the 2.7 and whoosh3
  index format); a matcher of any other codec is walked one posting at a time, still exact. What this
  reads of Whoosh's internals is in ``indexer.whoosh_internals``, and nowhere else.
- Scores: ``idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avg_length))`` times the boosts
  (Whoosh's ``BM25F``, the searcher's B and K1); a field that is not scorable scores its weight.
  ``And`` scores the sum of its parts where every part matches; ``Or`` the sum of those that match.
- ``allow`` / ``exclude`` queries (the search's filter and mask) become boolean arrays, cached per
  searcher; deleted documents never count.
- What else a search reads of the generation is kept here too: the stored fields of the entries it
  ranks (``stored_fields``) and words' document frequencies (``doc_frequency``, ``doc_count``: the scorer
  stands in for the reader where the query builder and the confidence rule ask for them).
One ``FastScorer`` per searcher (``SearchIndex`` makes a new one when the generation changes).
"""
from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import And, Or, Query, Term
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from indexer.whoosh_internals import field_b, length_codes, posting_blocks

_LENGTHS = np.array([byte_to_length(i) for i in range(256)], dtype=np.float64)
MASK_CACHE = 32  # filter/mask arrays kept per searcher
# Scored postings are kept per searcher, least recently used out (12 bytes a posting, ~36 MB at
# most): frequent terms (纳税人, 税务机关, 规定 …) take most of the reading time and recur in most
# queries; as-you-type searches repeat the rest.
CACHE_POSTINGS = 3_000_000
CACHE_TERMS = 100_000
# Decoded stored fields kept per searcher, least recently used out: Whoosh unpickles and inflates an
# entry's fields on every read (~30 us; a search reads those of ~60 candidates), and the articles that
# answer a hotline's questions recur: 2.7 ms less per tax question (p50), 1.5 ms on the full corpus, for
# ~9 MB (bench/README.md, twelfth pass).
CACHE_FIELDS = 2_048


class Unsupported(Exception):
    """The query holds a node this scorer does not handle."""


class FastScorer:
    def __init__(self, searcher):
        self.searcher = searcher
        reader = searcher.reader()
        self.leaves = list(reader.leaf_readers())  # [(segment reader, docnum offset)]
        self.size = reader.doc_count_all()
        weighting = searcher.weighting
        self.usable = type(weighting) is BM25F
        self.K1 = getattr(weighting, "K1", 1.2)
        self.weighting = weighting
        self._lengths: dict[str, np.ndarray] = {}
        self._live: np.ndarray | None = None
        self._masks: OrderedDict[str, np.ndarray] = OrderedDict()
        self._scored: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._scored_size = 0
        self._averages: dict[str, float] = {}
        self._frequencies: dict[tuple[str, str], int] = {}
        self._fields: OrderedDict[int, dict] = OrderedDict()
        self._count: int | None = None
        self._last: tuple[Query, np.ndarray] | None = None  # the article search and best_faq score one query

    # -- per-index arrays (built on first use, kept for the searcher's life) ---------------------

    def live(self) -> np.ndarray:
        if self._live is None:
            live = np.ones(self.size, dtype=bool)
            for leaf, offset in self.leaves:
                if leaf.has_deletions():
                    part = np.zeros(leaf.doc_count_all(), dtype=bool)
                    part[np.fromiter(leaf.all_doc_ids(), dtype=np.int64)] = True
                    live[offset:offset + len(part)] = part
            self._live = live
        return self._live

    def lengths(self, fieldname: str) -> np.ndarray:
        """Every document's length of ``fieldname`` as Whoosh scores it (byte-encoded, decoded)."""
        if fieldname not in self._lengths:
            values = np.zeros(self.size, dtype=np.float64)
            for leaf, offset in self.leaves:
                values[offset:offset + leaf.doc_count_all()] = _length_values(leaf, fieldname)
            self._lengths[fieldname] = values
        return self._lengths[fieldname]

    # -- postings -------------------------------------------------------------------------------

    def postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray, int]:
        """(global docnums, weights, document frequency) of a term over every segment.

        The docnums may include deleted documents (masked by ``live``); the frequency counts them
        all, as Whoosh's ``doc_frequency`` does.
        """
        ids, weights, frequency = [], [], 0
        for leaf, offset in self.leaves:
            try:
                matcher = leaf.postings(fieldname, text)
            except TermNotFound:
                continue
            part_ids, part_weights = _read_postings(matcher)
            ids.append(part_ids + offset)
            weights.append(part_weights)
            # A segment with deletions may have skipped its first (deleted) postings.
            frequency += leaf.doc_frequency(fieldname, text) if leaf.has_deletions() else len(part_ids)
        if not ids:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float64), 0
        return np.concatenate(ids).astype(np.int32), np.concatenate(weights), frequency

    def doc_mask(self, query: Query) -> np.ndarray:
        """The documents matching ``query`` (a filter) as a boolean array, cached."""
        key = repr(query)
        mask = self._masks.get(key)
        if mask is None:
            mask = np.zeros(self.size, dtype=bool)
            mask[self._doc_ids(query)] = True
            self._masks[key] = mask
            while len(self._masks) > MASK_CACHE:
                self._masks.popitem(last=False)
        else:
            self._masks.move_to_end(key)
        return mask

    def _doc_ids(self, query: Query) -> np.ndarray:
        if isinstance(query, Term):
            return self.postings(query.fieldname, query.text)[0]
        if isinstance(query, Or):
            parts = [self._doc_ids(q) for q in query.subqueries]
            return np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)
        if isinstance(query, And) and query.subqueries:
            ids = self._doc_ids(query.subqueries[0])
            for q in query.subqueries[1:]:
                ids = np.intersect1d(ids, self._doc_ids(q))
            return ids
        return np.fromiter(self.searcher.docs_for_query(query), dtype=np.int64)

    # -- scoring --------------------------------------------------------------------------------

    def scores(self, query: Query) -> np.ndarray:
        """The score of every document (0 where it does not match)."""
        if not self.usable:
            raise Unsupported(type(self.searcher.weighting).__name__)
        if self._last is not None and self._last[0] is query:
            return self._last[1]
        total = np.zeros(self.size, dtype=np.float64)
        self._add(query, total, 1.0)
        total.flags.writeable = False
        self._last = (query, total)
        return total

    def _add(self, query: Query, total: np.ndarray, factor: float) -> None:
        boost = factor * query.boost
        if isinstance(query, Term):
            ids, score = self._term(query.fieldname, query.text)
            if len(ids):
                total[ids] += score * boost
        elif isinstance(query, Or):
            for sub in query.subqueries:
                self._add(sub, total, boost)
        elif isinstance(query, And):
            parts = []
            for sub in query.subqueries:
                part = np.zeros(self.size, dtype=np.float64)
                self._add(sub, part, boost)
                parts.append(part)
            if parts:
                matched = np.logical_and.reduce([p > 0 for p in parts])
                total[matched] += np.sum(parts, axis=0)[matched]
        else:
            raise Unsupported(type(query).__name__)

    def _average_length(self, fieldname: str) -> float:
        if fieldname not in self._averages:
            self._averages[fieldname] = self.searcher.avg_field_length(fieldname) or 1
        return self._averages[fieldname]

    def _term(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, BM25F scores) of a term, from the cache of frequent terms when there."""
        key = (fieldname, text)
        cached = self._scored.get(key)
        if cached is not None:
            self._scored.move_to_end(key)
            return cached
        ids, scores = self._score_term(fieldname, text)
        self._scored[key] = (ids, scores)
        self._scored_size += len(ids)
        while (self._scored_size > CACHE_POSTINGS or len(self._scored) > CACHE_TERMS) and len(self._scored) > 1:
            _, (old, _) = self._scored.popitem(last=False)
            self._scored_size -= len(old)
        return ids, scores

    def term_ids(self, fieldname: str, text: str) -> np.ndarray:
        """The docnums holding a term (from the scored-postings cache; what ``ranking`` checks)."""
        return self._term(fieldname, text)[0]

    def idf(self, fieldname: str, text: str) -> float:
        """Whoosh's BM25 idf of a term, 0 when no entry holds it."""
        frequency = self.doc_frequency(fieldname, text)
        return math.log(self.size / (frequency + 1)) + 1 if frequency else 0.0

    def doc_frequency(self, fieldname: str, text: str) -> int:
        """The reader's ``doc_frequency``, remembered."""
        key = (fieldname, text)
        frequency = self._frequencies.get(key)
        if frequency is None:
            frequency = self._frequencies[key] = self.searcher.reader().doc_frequency(fieldname, text)
            if len(self._frequencies) > CACHE_TERMS:
                self._frequencies.clear()
        return frequency

    def doc_count(self) -> int:
        """The reader's ``doc_count`` (live entries), remembered."""
        if self._count is None:
            self._count = self.searcher.reader().doc_count()
        return self._count

    def stored_fields(self, docnum: int) -> dict:
        """The searcher's ``stored_fields(docnum)``, the last ``CACHE_FIELDS`` remembered: the same dict
        is handed to every caller, so it is read, never changed. ``CACHE_FIELDS`` 0: none remembered."""
        if not CACHE_FIELDS:
            return self.searcher.stored_fields(docnum)
        fields = self._fields.get(docnum)
        if fields is None:
            fields = self._fields[docnum] = self.searcher.stored_fields(docnum)
            if len(self._fields) > CACHE_FIELDS:
                self._fields.popitem(last=False)
        else:
            self._fields.move_to_end(docnum)
        return fields

    def _score_term(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        ids, weights, frequency = self.postings(fieldname, text)
        if not len(ids):
            return ids, weights
        field = self.searcher.schema[fieldname]
        if not field.scorable:
            return ids, weights
        # Whoosh's idf (every posting counts, deleted documents' too, as in its doc_frequency)
        idf = math.log(self.size / (frequency + 1)) + 1
        avg = self._average_length(fieldname)
        b = field_b(self.weighting, fieldname)
        k1 = self.K1
        lengths = self.lengths(fieldname)[ids]
        return ids, idf * (weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * lengths / avg))

    def kept(self, allow: Query | None = None, exclude: Query | None = None) -> np.ndarray:
        """The live documents matching ``allow`` and not ``exclude``, as a boolean array."""
        keep = self.live()
        if allow is not None:
            keep = keep & self.doc_mask(allow)
        if exclude is not None:
            keep = keep & ~self.doc_mask(exclude)
        return keep

    def top(self, query: Query, limit: int, allow: Query | None = None,
            exclude: Query | None = None) -> list[tuple[int, float]]:
        """The best ``limit`` (docnum, score), best first (ties: lower docnum first, as Whoosh)."""
        total = self.scores(query)
        keep = self.kept(allow, exclude)
        candidates = np.flatnonzero((total > 0) & keep)
        # Scores equal but for the order of additions are ties, broken by docnum as Whoosh does.
        rounded = np.round(total[candidates], 9)
        if len(candidates) > limit:
            # every candidate tying with the limit-th score stays: argpartition alone keeps an arbitrary few
            kth = -np.partition(-rounded, limit - 1)[limit - 1]
            within = rounded >= kth
            candidates, rounded = candidates[within], rounded[within]
        order = np.lexsort((candidates, -rounded))[:limit]
        return [(int(d), float(total[d])) for d in candidates[order]]


def _length_values(leaf, fieldname: str) -> np.ndarray:
    """Every document's length of ``fieldname`` in one segment, as Whoosh scores it (0: none)."""
    codes = length_codes(leaf, fieldname)  # Whoosh's W3 codec: one byte a document, read at once
    if codes is not None:
        return _LENGTHS[codes]
    count = leaf.doc_count_all()  # any other codec: one document at a time
    return np.fromiter((leaf.doc_field_length(i, fieldname, 0) or 0 for i in range(count)),
                       dtype=np.float64, count=count)


def _read_postings(matcher) -> tuple[np.ndarray, np.ndarray]:
    """(ids, weights) of a segment's posting list: whole blocks at a time for Whoosh's W3 codec."""
    if isinstance(matcher, FilterMatcher):  # deleted documents: masked by ``live`` instead
        matcher = matcher.child
    blocks = posting_blocks(matcher)
    if blocks is None:  # any other matcher: one posting at a time
        one_ids, one_weights = [], []
        while matcher.is_active():
            one_ids.append(matcher.id())
            one_weights.append(matcher.weight())
            matcher.next()
        blocks = [(np.asarray(one_ids, dtype=np.int64), np.asarray(one_weights, dtype=np.float64))]
    blocks = list(blocks)
    if not blocks:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    return np.concatenate([ids for ids, _ in blocks]), np.concatenate([weights for _, weights in blocks])


class FastHit:
    """What the search code uses of a Whoosh ``Hit``: ``docnum``, ``score``, ``fields()``."""

    def __init__(self, scorer: FastScorer, docnum: int, score: float):
        self.scorer = scorer
        self.docnum = docnum
        self.score = score

    def fields(self) -> dict:
        return self.scorer.stored_fields(self.docnum)


class FastSearcher:
    """A Whoosh searcher whose ``search(query, limit=, filter=, mask=)`` is ``FastScorer.top``.

    Any other argument (``terms``, ``sortedby`` …) or query goes to Whoosh's own ``search``;
    every other attribute is the searcher's. Lets code written for a searcher (``faq_entries``'s
    ``best_faq``) use the fast path without knowing about it.
    """

    def __init__(self, scorer: FastScorer):
        self.scorer = scorer
        self.searcher = scorer.searcher

    def __getattr__(self, name):
        return getattr(self.searcher, name)

    def search(self, query, limit: int | None = 10, filter=None, mask=None, **options):
        if not options and limit:
            try:
                top = self.scorer.top(query, limit, allow=filter, exclude=mask)
                return [FastHit(self.scorer, docnum, score) for docnum, score in top]
            except Unsupported:
                pass
        return self.searcher.search(query, limit=limit, filter=filter, mask=mask, **options)
