"""Second stage: the candidates BM25F found, re-scored for how much of the question each one covers.

BM25F adds up the words of a question one by one, so an article that repeats one frequent word
(罚款 ten times) can outscore one that holds all of the question's rarer words once. Five factors
multiply each candidate's score (all parameters chosen by cross-validation on the tune split of
``bench/data/tax-questions.jsonl``; see bench/README.md):

- coverage: each of the question's concepts (a word with its sub-words and synonyms, or a typo's
  correction) weighs its idf; the share of that weight an entry matches (text or title), to the power
  ``COVERAGE_POWER``;
- the rule asked for: a question that asks for a rate (税率, 交多少), a time limit (多久, 几天), a
  penalty (罚多少), a refund (能退吗) or an exemption (免不免) multiplies by ``1 + ASK_BOOST`` the
  entries whose text states that kind of rule (税率/征收率, 之日起/期限, 罚款/罚金, 退还, 免征);
- the question's character pairs (``weigh_pairs``, once the results' stored fields are read): the
  idf-weighted share of the pairs of adjacent characters of the question (``indexer.pairs``) that the
  entry's text or its document's title holds, to the power ``PAIR_POWER``; it catches what jieba cuts
  differently in the question and the article, where the words do not match;
- the question's meaning (``indexer.semantic.weigh_meaning``, after the pairs): the cosine of the question's
  sentence vector with the entry's, to the power ``semantic.MEANING_POWER``;
- the document (``weigh_documents``, after the meaning): an entry's score
  times (its document's best score / the best score of all) to the power ``DOCUMENT_POWER``: an
  article of the law that matches the question as a whole beats a stray article of another law.

The first two read the postings the first stage already scored (``scoring.FastScorer``'s cache): no stored
field is read, so they cost a fraction of a millisecond; the pairs are looked for in the texts the search
reads anyway (see bench/README.md for the cost).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from indexer.pairs import coverages as pair_coverages

COVERAGE_POWER = 1.0
DOCUMENT_POWER = 1.0
COVERAGE_FLOOR = 0.05
ASK_BOOST = 1.0
PAIR_POWER = 1.5  # the question's character pairs (``indexer.pairs``): 0 = off
PAIR_TITLE = True  # whether a pair found in the document's title counts
FIELDS = ("text", "title")

# (what the question asks, how a caller asks it, index words of an article stating that kind of rule)
ASKS = (
    ("rate", re.compile(r"税率|征收率|费率|多少钱|交多少|缴多少|多少税|几个点|百分之|%|按多少"),
     ("税率", "征收率", "百分之", "附加率", "税额")),
    ("time_limit", re.compile(r"多久|几天|多少天|几号|期限|什么时候|多长时间|几年|几个月|时限|日内|最晚|最迟|截止|哪天"),
     ("之日起", "期限", "次月", "届满")),
    ("penalty", re.compile(r"罚|后果|会怎样|会怎么样|怎么处理|坐牢|判刑|判几年"),
     ("罚款", "罚金", "处罚", "有期徒刑")),
    ("refund", re.compile(r"退"), ("退还",)),
    ("exemption", re.compile(r"免|不用交|用不用交|要不要交|交不交|要交吗"), ("免征", "免税", "不征收", "免纳", "免缴")),
)


@dataclass
class Concept:
    """One thing the question says: its words as they may appear in an article (weighed by idf in ``rerank``)."""
    word: str
    terms: list[str] = field(default_factory=list)


def asks(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """The kinds of rule ``text`` asks for, with the index words that state each."""
    return [(name, markers) for name, cue, markers in ASKS if cue.search(text)]


def rerank(scorer, text: str, concepts: list[Concept], candidates: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """``candidates`` (docnum, score) re-scored; best first."""
    if not candidates:
        return candidates
    docs = np.fromiter((d for d, _ in candidates), dtype=np.int64, count=len(candidates))
    scores = np.fromiter((s for _, s in candidates), dtype=np.float64, count=len(candidates))
    factor = np.ones(len(docs))
    if COVERAGE_POWER and len(concepts) > 1:
        factor *= _coverage(scorer, concepts, docs) ** COVERAGE_POWER
    if ASK_BOOST:
        for _name, markers in asks(text):
            factor *= np.where(_has_any(scorer, markers, docs, ("text",)), 1.0 + ASK_BOOST, 1.0)
    scores = scores * factor
    order = np.lexsort((docs, -np.round(scores, 9)))
    return [(int(docs[i]), float(scores[i])) for i in order]


def _has_any(scorer, terms, docs: np.ndarray, fields=FIELDS) -> np.ndarray:
    found = np.zeros(len(docs), dtype=bool)
    for name in fields:
        for term in terms:
            ids = scorer.term_ids(name, term)
            if len(ids):
                found |= _contains(ids, docs)
    return found


def _contains(ids: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Which of ``docs`` are in ``ids`` (ascending docnums, as postings are): a binary search each."""
    at = np.minimum(np.searchsorted(ids, docs), len(ids) - 1)
    return ids[at] == docs


def _coverage(scorer, concepts: list[Concept], docs: np.ndarray) -> np.ndarray:
    total = np.zeros(len(docs))
    weight_sum = 0.0
    for concept in concepts:
        weight = max((scorer.idf("text", t) for t in concept.terms), default=0.0)
        if weight <= 0:
            continue  # no article has it (a caller's word the synonyms do not know): no entry can
        weight_sum += weight
        total += weight * _has_any(scorer, concept.terms, docs)
    if weight_sum == 0:
        return np.ones(len(docs))
    return np.maximum(total / weight_sum, COVERAGE_FLOOR)


def weigh_pairs(results: list, weights: dict[str, float]) -> None:
    """Multiply each result's ``score`` by the idf-weighted share of the question's character pairs
    (``weights``, ``indexer.pairs``) its text (and title, ``PAIR_TITLE``) holds, to ``PAIR_POWER``.

    Called once the results' stored fields are read, before ``weigh_documents``; ``snippet`` still
    holds the whole text then. The factor is kept (``pair_factor``): the confidence rule reads the
    scores without it (``indexer.confidence``)."""
    if not PAIR_POWER or not weights:
        return
    held = [f"{r.snippet}\n{r.doc_title}" if PAIR_TITLE else r.snippet for r in results]
    factors = np.maximum(pair_coverages(weights, held), COVERAGE_FLOOR) ** PAIR_POWER
    for r, factor in zip(results, factors):
        r.pair_factor = float(factor)
        r.score *= r.pair_factor


def weigh_documents(results: list) -> None:
    """Multiply each result's ``score`` by its document's share of the best score (``DOCUMENT_POWER``)."""
    if not DOCUMENT_POWER or not results:
        return
    best: dict[int, float] = {}
    for r in results:
        best[r.document_id] = max(best.get(r.document_id, 0.0), r.score)
    top = max(best.values())
    if top <= 0:
        return
    for r in results:
        r.score *= (best[r.document_id] / top) ** DOCUMENT_POWER
