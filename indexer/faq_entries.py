"""FAQ entries in the index: their keys, and the best answer card for a query.

An entry is indexed as ``type="faq"``, ``key="faq:<entry id>"``, with the display fields of a unit:
- ``title`` (the boosted field) holds the question and every other phrasing callers use, so a
  query worded like any of them scores high; ``text`` holds the answer as plain text;
- ``meta`` holds everything the answer card shows: question, phrasings, the sanitised answer HTML,
  each citation with its unit, document and the document's status when indexed, and the 需复核 flag
  (flagged entries stay searchable and carry the warning).
Only published entries are indexed (``indexer.faq_index_entries`` builds them from the database;
it names the entries whose card must be refreshed when a cited document changes).

Searching: the article search masks FAQ entries out (``exclude_faq``); ``best_faq`` runs the same
parsed query over FAQ entries only and keeps the best one when it really matches (``MIN_COVERAGE``
of the query's words in its wordings, ``MIN_SCORE``, ``FAQ_RATIO``): it is then placed first among
the results as a ``FaqResult``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Callable

from whoosh.query import And, Or, Term

from indexer.analysis import normalise_text
from indexer.query import analyse

FAQ_TYPE = "faq"  # = indexer.schema.FAQ_TYPE
KEY_PREFIX = f"{FAQ_TYPE}:"
# The best FAQ entry is shown when its score reaches FAQ_RATIO of the top article's score (or there
# is no article) and MIN_SCORE at least: a question matched on its own words, not on one common word.
FAQ_RATIO = 0.6
MIN_SCORE = 8.0
MIN_COVERAGE = 0.6
SUB_WORD_CREDIT = 0.5
CANDIDATES = 5  # FAQ entries considered, best score first


def faq_key(entry_id: int) -> str:
    return f"{KEY_PREFIX}{entry_id}"


# -- searching ----------------------------------------------------------------------------------

def exclude_faq(mask):
    """The article search's mask, extended to leave FAQ entries out."""
    faq = Term("type", FAQ_TYPE)
    return faq if mask is None else Or([mask, faq])


@dataclass
class FaqResult:
    """An answer card: a result of ``type="faq"`` with the display fields of an article result
    (``indexer.search.SearchResult``; ``citation`` is the question, ``unit_id`` the first cited unit
    in force) plus the entry's question, sanitised answer, citations and 需复核 flag."""

    faq_id: int
    question: str
    answer_html: str
    citations: list[dict]  # {citation, unit_id, document_id, status, in_force}
    needs_review: bool
    warning: str | None
    score: float
    snippet: str
    key: str
    tax_types: list[str]
    status: str
    unit_id: int | None = None
    document_id: int | None = None
    type: str = FAQ_TYPE
    source: str = FAQ_TYPE
    unit: str = ""
    chapter: str | None = None
    level: str | None = None
    validity: str = "in_force"
    outdated: bool = False
    superseded_by: str | None = None
    effective_on: str | None = None
    valid_until: str | None = None
    match: str = "text"
    kind: str = FAQ_TYPE

    @property
    def doc_title(self) -> str:
        return self.question

    @property
    def citation(self) -> str:
        return self.question

    def put_matching_first(self, articles) -> None:
        """Order the card's citations as the cited articles rank among ``articles`` (the search's
        article results, best first): the basis that best matches the question is read first; the
        others follow in the director's order. ``unit_id`` becomes the first cited unit in force."""
        rank = {r.unit_id: i for i, r in enumerate(articles)}
        self.citations.sort(key=lambda c: rank.get(c.get("unit_id"), len(rank)))
        first = _first_in_force(self.citations)
        self.unit_id = first["unit_id"] if first else None
        self.document_id = first["document_id"] if first else None

    def to_dict(self) -> dict:
        data = asdict(self)
        data.update(doc_title=self.question, citation=self.question, score=round(self.score, 4))
        data["citations"] = [{k: c.get(k) for k in ("citation", "unit_id", "status")} for c in self.citations]
        return data


def word_terms(analyzer, synonyms, word: str) -> tuple[set[str], set[str]]:
    """The index terms that stand for a query word: (itself and its synonyms' words, its sub-words)."""
    whole = {word}
    for expansion in synonyms.expansions(word) if synonyms is not None else ():
        whole |= {t.text for t in analyzer(expansion, mode="query")}
    parts = {t.text for t in analyzer(word, mode="query")} - whole
    return whole, parts


def coverage(words: list[str], matched: set[str], terms) -> float:
    """The share of the query's words (lone characters aside) found in the entry's wordings; a word
    found only through one of its sub-words counts half."""
    counted = [w for w in words if len(w) > 1 or w.isdigit()] or words
    if not counted:
        return 0.0
    found = 0.0
    for word in counted:
        whole, parts = terms(word)
        found += 1.0 if whole & matched else SUB_WORD_CREDIT if parts & matched else 0.0
    return found / len(counted)


def best_faq(searcher, parsed, filters, top_score: float, synonyms=None) -> FaqResult | None:
    """The FAQ entry that best answers the parsed query when it really matches, else None.

    It really matches when MIN_COVERAGE of the query's words occur in its question or another
    phrasing (synonyms count), its score reaches MIN_SCORE and FAQ_RATIO of the top article's.
    """
    if parsed.query is None:
        return None
    only_faq = Term("type", FAQ_TYPE)
    # Not Require(query, only_faq): whoosh3 3.54's IntersectionMatcher trips its own assertion
    # (a_id != b_id) on these queries. A filter is exact, though it walks the whole index's postings.
    hits = searcher.search(parsed.query, limit=CANDIDATES,
                           filter=only_faq if filters is None else And([filters, only_faq]))
    analyzer = searcher.schema["title"].analyzer
    cache: dict[str, tuple[set[str], set[str]]] = {}

    def terms(word: str) -> tuple[set[str], set[str]]:
        if word not in cache:
            cache[word] = word_terms(analyzer, synonyms, word)
        return cache[word]

    for hit in hits:
        if hit.score < MIN_SCORE or hit.score < FAQ_RATIO * top_score:
            break
        fields = hit.fields()
        # The words of its wordings (not hit.matched_terms(): whoosh3 trips on it under Require).
        wordings = [fields["meta"]["question"]] + list(fields["meta"].get("phrasings") or [])
        present = {token.text for token in analyzer("\n".join(wordings), mode="index")}
        if coverage(parsed.words, present, terms) >= MIN_COVERAGE:
            return faq_result(fields, hit.score)
    return None


def _first_in_force(citations: list[dict]) -> dict | None:
    return next((c for c in citations if c.get("in_force") and c.get("unit_id")), None)


def faq_result(fields: dict, score: float) -> FaqResult:
    meta = fields["meta"]
    citations = list(meta.get("citations") or [])
    first = _first_in_force(citations)
    return FaqResult(
        faq_id=meta["faq_id"], question=meta["question"], answer_html=meta["answer_html"], citations=citations,
        needs_review=bool(meta.get("needs_review")), warning=meta.get("warning"), score=float(score),
        snippet=fields.get("text", ""), key=fields["key"], status=fields.get("status", ""),
        tax_types=[t for t in fields.get("tax_types", "").split(",") if t],
        unit_id=first["unit_id"] if first else None, document_id=first["document_id"] if first else None,
    )


# -- the gaps queue's grouping ------------------------------------------------------------------

def gap_key(index) -> Callable[[str], str]:
    """The key that groups queries in the gaps queue (``kb.reports.gaps``): the query's content words after
    synonyms, sorted; so 个税专项扣除 and 个人所得税 专项扣除, or 发票丢了 and 丢失发票, fall together.
    ``index`` is a ``SearchIndex`` (its analyzer and synonym table)."""
    analyzer = index.searcher().schema["text"].analyzer  # not ``index.ix.schema``: see ``SearchIndex.parse``
    synonyms = index.synonyms

    def content(text: str) -> list[str]:
        """Words without stop words; a compound as its dictionary sub-words; lone characters aside."""
        words = [w for word, subs in analyse(analyzer, text) for w in (subs or [word])]
        return [w for w in words if len(w) > 1 or w.isdigit()] or words

    def canonical(term: str) -> str:
        """One name for a term and its synonyms: the one that keeps most after analysis, the longest."""
        options = [term] + list(synonyms.expansions(term))
        return min(options, key=lambda w: (-len("".join(content(w))), -len(w), w))

    def key(text: str) -> str:
        text = normalise_text(text or "")
        words = [w for w, _start, _end, sub in analyzer[0].words(text) if not sub]
        for first, last, _expansions in reversed(synonyms.find(words)):
            words[first:last] = [canonical("".join(words[first:last]))]
        return " ".join(sorted({w for piece in words for w in content(piece)}))

    return key
