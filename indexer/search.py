"""The search core that the CLI, the web pages and the benchmarks call.

``SearchIndex(index_dir, data_dir)`` opens (or creates) the index, loads jieba once and keeps a
searcher that is reopened when a writer publishes a new generation. ``SearchIndex.search``
returns a ``SearchResponse`` whose ``results`` turn into the dicts of the CLI's JSON lines with
``SearchResult.to_dict``.
"""
from __future__ import annotations

import datetime as dt
import functools
import threading
import time
import weakref
from dataclasses import asdict, dataclass, field
from pathlib import Path

from whoosh.query import And, NumericRange, Or, Term
from whoosh.scoring import BM25F

from indexer.citation_query import DocumentNames, look_up
from indexer.confidence import Signals, signals
from indexer.faq_entries import best_faq, exclude_faq
from indexer.learned import LearnedFile, LearnedModel
from indexer.query import ParsedQuery, QueryBuilder
from indexer import nearest, question_adapter, ranking, semantic
from indexer.pairs import FILE_NAME as PAIRS_FILE
from indexer.pairs import PairFrequencies
from indexer.ranking import rerank, weigh_documents, weigh_pairs
from indexer.scoring import FastScorer, FastSearcher, Unsupported
from indexer.segmenter import load_segmenter
from indexer.snippets import make_snippet
from indexer.synonyms import OVERRIDE_NAME, SynonymTable
from indexer.typos import TypoFinder
from indexer.vectors import VectorStore
from indexer.validity import IN_FORCE, OUTDATED, PENALTY, lineage, order_by_validity, today, validity
from indexer.writing import open_or_create, read_retrying

# BM25F parameters chosen by 5-fold cross-validation on the tune split of bench/data/tax-questions.jsonl,
# together with the second stage (``ranking``): K1 0.9-1.2 and B 0.5-0.75 form a plateau (MRR@10
# 0.705-0.713 on tune); K1 2.0 / B 0.5, swept earlier on the 30 dev cases, gave 0.695 there. Within the
# plateau, Whoosh's and the STARD reference's own K1 1.2 (the plain baseline's).
WEIGHTING = BM25F(K1=1.2, B=0.75)
CANDIDATES = 60  # entries fetched from Whoosh before validity ranking (at least limit * 3)
OLD_STATUSES = ("失效", "已修订")
# Agents cite articles: a table row or an attachment matching as well ranks a little lower.
KIND_WEIGHT = {"table_row": 0.8, "attachment": 0.8, "preamble": 0.8}


@dataclass
class SearchResult:
    type: str
    source: str
    doc_title: str
    unit: str
    status: str
    score: float
    snippet: str
    citation: str
    unit_id: int
    document_id: int
    chapter: str | None
    tax_types: list[str]
    level: str | None
    validity: str  # in_force | pending | outdated (on the reference date)
    outdated: bool
    superseded_by: str | None
    effective_on: str | None
    valid_until: str | None
    match: str  # "citation" (looked up by 文件名+条号) or "text"
    key: str
    kind: str  # article | table_row | attachment | section | preamble
    lineage: int = field(repr=False, default=0)
    pair_factor: float = field(repr=False, default=1.0)  # what ``ranking.weigh_pairs`` multiplied ``score`` by
    meaning_factor: float = field(repr=False, default=1.0)  # what ``semantic.weigh_meaning`` multiplied it by
    meaning: float | None = field(repr=False, default=None)  # its cosine with the question, where it has a vector

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("lineage")
        data.pop("pair_factor")
        data.pop("meaning_factor")
        data.pop("meaning")
        data["score"] = round(self.score, 4)
        return data


@dataclass
class SearchResponse:
    query: str
    results: list[SearchResult]
    took_ms: float
    as_of: str | None = None
    suggestion: str | None = None  # did-you-mean (homophone typos corrected)
    words: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # e.g. a cited article that does not exist
    confidence: str = "high"  # "low": the library may not answer the question (``indexer.confidence``)
    signals: Signals = field(default_factory=Signals)

    def to_dict(self) -> dict:
        return {"query": self.query, "results": [r.to_dict() for r in self.results],
                "took_ms": round(self.took_ms, 2), "suggestion": self.suggestion, "notices": self.notices,
                "confidence": self.confidence}


class _SearcherSlot:
    searcher = None
    scorer: FastScorer | None = None

    def close(self) -> None:
        if self.searcher is not None:
            self.searcher.close()
        self.searcher = self.scorer = None


class SearchIndex:
    def __init__(self, index_dir: str | Path, data_dir: str | Path | None = None):
        self.index_dir = Path(index_dir)
        self.data_dir = Path(data_dir) if data_dir else self.index_dir.parent
        self.segmenter = load_segmenter(self.data_dir)
        self.synonyms = SynonymTable(self.data_dir / OVERRIDE_NAME)
        self.ix = open_or_create(self.index_dir)
        # Held by ``searcher()`` and by a whole search: a searcher's files are read with seek/read
        # (no mmap), so one search at a time per process; never closed while a search reads it.
        self._lock = threading.RLock()
        # The open searcher (and its scorer) live in a slot closed with this object: the index is
        # read without mmap (see ``writing.open_or_create``), so a searcher holds open files.
        self._slot = _SearcherSlot()
        weakref.finalize(self, self._slot.close)
        self._names: tuple[int, DocumentNames] | None = None
        self._typos: tuple[tuple, TypoFinder] | None = None
        self._pairs: tuple[int, PairFrequencies] | None = None
        self.vectors = VectorStore(self.index_dir)  # the entries' sentence vectors (``indexer.semantic``)
        self.nearest = nearest.NearestEntries(self.vectors.folder)  # candidates by meaning
        if self.vectors.folder.exists():
            semantic.preload(self.vectors.folder)
        self.learned = LearnedFile(self.data_dir)  # the confidence rule and unit prior (``flask train-ranker``)

    # -- writing ------------------------------------------------------------------------------
    # ``indexer.feeding`` loads SQLAlchemy and the ORM: imported on the first write, so that a
    # process that only searches starts without them.

    def rebuild(self, session, procs: int = 1, progress=None) -> int:
        from indexer import feeding

        count = feeding.build_index(self.index_dir, session, procs=procs, progress=progress)
        self.ix = open_or_create(self.index_dir)
        return count

    def update_documents(self, session, document_ids) -> int:
        from indexer import feeding

        return feeding.update_documents(self.index_dir, session, document_ids)

    def update_faq(self, session, entry_ids) -> int:
        from indexer import feeding

        return feeding.update_faq(self.index_dir, session, entry_ids)

    # -- reading ------------------------------------------------------------------------------

    def searcher(self):
        """The current searcher, reopened when a writer has committed a new generation.

        Not ``Searcher.refresh()``: whoosh3 3.54's reader reuse keys segments by id, so it keeps
        serving a segment's old deletions (and segments merged away). A fresh searcher is exact.
        """
        with self._lock:
            slot = self._slot
            if slot.searcher is not None and not slot.searcher.up_to_date():
                slot.close()
            if slot.searcher is None:
                slot.searcher = read_retrying(lambda: self.ix.searcher(weighting=WEIGHTING))
                slot.scorer = FastScorer(slot.searcher)
            return slot.searcher

    def scorer(self, searcher) -> FastScorer:
        """The numpy scorer of ``searcher`` (one per generation; see ``scoring``)."""
        scorer = self._slot.scorer
        if scorer is None or scorer.searcher is not searcher:
            scorer = FastScorer(searcher)
            if searcher is self._slot.searcher:
                self._slot.scorer = scorer
        return scorer

    def close(self) -> None:
        self._slot.close()

    def document_names(self, searcher) -> DocumentNames:
        generation = searcher.reader().generation()
        if self._names is None or self._names[0] != generation:
            names = [n.decode() if isinstance(n, bytes) else n for n in searcher.reader().lexicon("doc_names")]
            self._names = (generation, DocumentNames(names))
        return self._names[1]

    def pair_frequencies(self, searcher) -> PairFrequencies:
        """Character pairs' document frequencies (``indexer.pairs``): the full build's file, read again
        when a build replaces it. An index built without one (before the file existed) has them counted
        from its stored texts once and saved (the first search pays: 0.3 s on the tax library, ~10 s on
        the full laws corpus)."""
        path = self.index_dir / PAIRS_FILE
        stamp = path.stat().st_mtime_ns if path.exists() else ("counted", searcher.reader().generation())
        if self._pairs is None or self._pairs[0] != stamp:
            if isinstance(stamp, int):
                pairs = PairFrequencies.load(path)
            else:
                pairs = PairFrequencies.of_reader(searcher.reader())
                try:
                    pairs.save(path)
                    stamp = path.stat().st_mtime_ns
                except OSError:  # a read-only index folder: kept in memory for this generation
                    pass
            self._pairs = (stamp, pairs)
        return self._pairs[1]

    def typo_finder(self, searcher) -> TypoFinder:
        names = self.document_names(searcher)
        key = (id(names), self.segmenter.version, self.synonyms._mtime, id(searcher))
        if self._typos is None or self._typos[0] != key:
            vocabulary = self.segmenter.user_words() | self.synonyms.terms()
            vocabulary |= {n for group in names.by_last.values() for n in group if len(n) <= 8}
            reader = searcher.reader()

            @functools.lru_cache(maxsize=100_000)  # a long question asks about ~250 stretches
            def occurs(word: str) -> bool:
                """A stretch that occurs in the index is a real word, not a typo."""
                return reader.doc_frequency("text", word) > 0

            self._typos = (key, TypoFinder(vocabulary, occurs))
        return self._typos[1]

    def parse(self, text: str, searcher=None) -> ParsedQuery:
        searcher = searcher or self.searcher()
        # The schema of the generation the searcher holds open, not ``self.ix.schema``: that lists the
        # folder and opens the newest table of contents again, which a writer committing meanwhile (the
        # applier thread, another process on this folder) deletes in between: FileNotFoundError.
        builder = QueryBuilder(searcher.schema["text"].analyzer, self.synonyms, self.typo_finder(searcher),
                               self.scorer(searcher))
        return builder.build(text)

    def search(self, text: str, *, limit: int = 10, include_old: bool = False, as_of: dt.date | str | None = None,
               tax_type: str | None = None, level: str | None = None, status: str | None = None,
               date_from: dt.date | str | None = None, date_to: dt.date | str | None = None,
               today_override: str | None = None, learned: LearnedModel | None = None) -> SearchResponse:
        """``learned``: use this model instead of the data folder's (``indexer.training`` compares two)."""
        with self._lock:
            return self._search(text, limit=limit, include_old=include_old, as_of=as_of, tax_type=tax_type,
                                level=level, status=status, date_from=date_from, date_to=date_to,
                                today_override=today_override, learned=learned or self.learned.model())

    def _search(self, text: str, *, limit: int, include_old: bool, as_of, tax_type, level, status, date_from,
                date_to, today_override, learned: LearnedModel) -> SearchResponse:
        started = time.perf_counter()
        as_of = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
        day = as_of or today(today_override)
        include_old = include_old or status in OLD_STATUSES
        searcher = self.searcher()
        scorer = self.scorer(searcher)  # what this search reads of the generation is remembered there
        parsed = self.parse(text, searcher)
        filters = _filters(tax_type, level, status, date_from, date_to)
        mask = None
        if not include_old and as_of is None:
            mask = Or([Term("status", s) for s in OLD_STATUSES])
        mask = exclude_faq(mask)  # FAQ entries: only as the answer card below

        def convert(hit, score, match) -> SearchResult:
            return self._result(hit.fields(), score, match, day)

        cited: list[SearchResult] = []
        seen: set[str] = set()
        groups, notices = look_up(searcher, text, self.document_names(searcher), filters,
                                  lambda hit: convert(hit, 0.0, "citation"))
        for hits in groups:
            current = [r for r in hits if r.validity != OUTDATED]
            hits = hits if include_old or not current else current
            rank = {IN_FORCE: 0, "pending": 1, OUTDATED: 2}
            for r in sorted(hits, key=lambda r: rank[r.validity]):
                if r.key not in seen:
                    seen.add(r.key)
                    cited.append(r)
        found: list[SearchResult] = []
        question = question_adapter.Question(parsed.text or text, learned.adapter)
        if parsed.query is not None:
            top = self._top(searcher, parsed.query, max(CANDIDATES, limit * 3), filters, mask)
            if semantic.MEANING_POWER and self.nearest.available():
                top = self._with_nearest(searcher, parsed.query, top, question.moved(),
                                         min(limit * 3, nearest.CANDIDATES), filters, mask)
            for docnum, score in rerank(scorer, text, parsed.concepts, top):
                result = self._result(scorer.stored_fields(docnum), score, "text", day)
                if result.key in seen or (result.validity == OUTDATED and not include_old):
                    continue
                result.score *= PENALTY[result.validity] * KIND_WEIGHT.get(result.kind, 1.0)
                result.score *= learned.prior.factor(result.unit_id)
                found.append(result)
        if ranking.PAIR_POWER and found:
            weigh_pairs(found, self.pair_frequencies(searcher).weights(parsed.text))
        vectors = self.vectors.vectors_of(found) if semantic.MEANING_POWER else []
        if any(v is not None for v in vectors):  # the question is encoded only where the index has vectors
            semantic.weigh_meaning(found, question.moved(), vectors, question.plain())
        weigh_documents(found)
        found = order_by_validity(found)
        top = max((r.score for r in found), default=0.0)
        for i, r in enumerate(cited):
            r.score = top + len(cited) - i
        results = (cited + found)[:limit]
        fast = FastSearcher(scorer)  # best_faq's search, without walking every match
        faq = None if cited or as_of is not None else best_faq(fast, parsed, filters, top, self.synonyms)
        if faq is not None:  # the answer card first
            faq.put_matching_first(found)
            results = [faq] + results[:limit - 1]
        found_signals = signals(parsed, results, scorer, self.synonyms)  # before snippets cut the text
        confidence = learned.confidence.judge(found_signals)
        for r in results:
            r.snippet = make_snippet(r.snippet, parsed.marks)
        took = (time.perf_counter() - started) * 1000
        return SearchResponse(query=text, results=results, took_ms=took, as_of=as_of.isoformat() if as_of else None,
                              suggestion=parsed.suggestion, words=parsed.words, notices=notices,
                              confidence=confidence, signals=found_signals)

    def _top(self, searcher, query, limit: int, filters, mask) -> list[tuple[int, float]]:
        """(docnum, score) of the best ``limit`` entries: numpy BM25F, or Whoosh for other queries."""
        try:
            return self.scorer(searcher).top(query, limit, allow=filters, exclude=mask)
        except Unsupported:
            return [(hit.docnum, hit.score) for hit in searcher.search(query, limit=limit, filter=filters, mask=mask)]

    def _with_nearest(self, searcher, query, top, question, count: int, filters, mask) -> list[tuple[int, float]]:
        """``top`` and the ``count`` entries nearest ``question`` by meaning that the query's words match,
        within the filters (``nearest.NearestEntries.added``): the second stage weighs them with the others."""
        scorer = self.scorer(searcher)
        try:
            scores = scorer.scores(query)
        except Unsupported:
            return top
        added = self.nearest.added(searcher, question, count, scores, scorer.kept(filters, mask))
        have = {docnum for docnum, _ in top}
        return top + [(docnum, score) for docnum, score in added if docnum not in have]

    def _result(self, fields: dict, score: float, match: str, day: dt.date) -> SearchResult:
        meta = fields["meta"]
        state = validity(meta, fields["status"], day)
        return SearchResult(
            type=fields["type"], source=meta["source"], doc_title=meta["doc_title"], unit=meta["unit"],
            status=fields["status"], score=float(score), snippet=fields.get("text", ""), citation=meta["citation"],
            unit_id=meta["unit_id"], document_id=meta["document_id"], chapter=meta.get("chapter"),
            tax_types=[t for t in fields.get("tax_types", "").split(",") if t], level=meta.get("level"),
            validity=state, outdated=state == OUTDATED, superseded_by=meta.get("superseded_by"),
            effective_on=meta.get("effective_on"), valid_until=meta.get("valid_until"), match=match,
            key=fields["key"], kind=meta.get("kind", "article"), lineage=lineage(meta),
        )


def _filters(tax_type, level, status, date_from, date_to):
    parts = []
    if tax_type:
        parts.append(Term("tax_types", tax_type))
    if level:
        parts.append(Term("level", level))
    if status:
        parts.append(Term("status", status))
    if date_from or date_to:
        low = _date_number(date_from)
        high = _date_number(date_to)
        parts.append(NumericRange("published", low, high))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(parts)


def _date_number(value) -> int | None:
    if not value:
        return None
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return day.year * 10000 + day.month * 100 + day.day
