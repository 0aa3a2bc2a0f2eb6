"""From what the agent typed to a Whoosh query: words, synonyms, typo corrections, exact fields.

Steps (each a small function):
1. ``normalise_text`` (full-width to half-width, lower case);
2. the index's own analyzer cuts the query (the same segmentation as the index);
3. each word becomes a clause over ``text`` and ``title`` (BM25F, field boosts in
   ``schema``; matching chapter headings too was measured worse on the dev set); its dictionary
   sub-words and lone characters count in full (房, 车, 债 carry the question as much as a word: halving
   sub-words and dropping lone characters, chosen on the 30 dev cases, lost on held-out tax questions and on
   STARD and made no difference on the tune split; see bench/README.md);
4. synonyms and colloquial phrasing add their expansions (``synonyms``);
5. homophone typos add the word they sound like (``typos``);
6. 文号 and article numbers found by the regex step also query the exact-match fields.
The clauses are OR-ed: the more of the query an article covers, the higher it scores.
Words found in more than ``COMMON_SHARE`` of the entries are dropped when rarer words remain.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from whoosh.query import And, Or, Query, Term

from indexer.analysis import find_exact_spans, normalise_text, stopwords
from indexer.ranking import Concept
from indexer.synonyms import SynonymTable
from indexer.typos import Correction, TypoFinder, apply_corrections

FIELDS = ("text", "title")
# A title word counts half: the title field holds the title in two or three forms (normalised, as written,
# abbreviated: ``unit_entries.document_names``), so a word of it already counts two or three times. Tune split
# flat from 1.0 to 0.25 (MRR@10 0.706-0.707); see bench/README.md.
FIELD_WEIGHT = {"title": 0.5}
SUB_WORD_WEIGHT = 1.0
SYNONYM_WEIGHT = 0.8
CORRECTION_WEIGHT = 1.0
DOC_NUMBER_BOOST = 20.0
ARTICLE_NO_BOOST = 2.0
COMMON_SHARE = 0.2


@dataclass
class ParsedQuery:
    text: str
    words: list[str] = field(default_factory=list)  # the query's words (no stop words)
    marks: list[str] = field(default_factory=list)  # words to highlight in snippets
    corrections: list[Correction] = field(default_factory=list)
    query: Query | None = None
    concepts: list[Concept] = field(default_factory=list)  # for the second stage (``ranking``)

    @property
    def suggestion(self) -> str | None:
        return apply_corrections(self.text, self.corrections) if self.corrections else None


def analyse(analyzer, text: str) -> list[tuple[str, list[str]]]:
    """[(word, [its sub-words])] in order, stop words removed."""
    groups: dict[int, list[str]] = {}
    for token in analyzer(text, positions=True, mode="query"):
        groups.setdefault(token.pos, []).append(token.text)
    return [(tokens[-1], tokens[:-1]) for _, tokens in sorted(groups.items())]


class QueryBuilder:
    def __init__(self, analyzer, synonyms: SynonymTable, typos: TypoFinder | None, reader=None):
        """``reader``: what answers ``doc_count()`` and ``doc_frequency(field, word)`` (a Whoosh reader, or
        the search's ``scoring.FastScorer``); without one, no word counts as common."""
        self.analyzer = analyzer
        self.synonyms = synonyms
        self.typos = typos
        self.reader = reader
        self._common_limit = reader.doc_count() * COMMON_SHARE if reader is not None else None

    def _is_common(self, word: str) -> bool:
        if self._common_limit is None or self._common_limit < 50:
            return False
        return self.reader.doc_frequency("text", word) > self._common_limit

    def word_clause(self, word: str, boost: float = 1.0) -> Query:
        return Or([Term(name, word) for name in FIELDS], boost=boost)

    def add_word(self, weights: dict, word: str, boost: float = 1.0) -> None:
        """Flat clauses: one Term per field and word, boosts of repeated words added up."""
        for name in FIELDS:
            weight = boost * FIELD_WEIGHT.get(name, 1.0)
            weights[(name, word)] = weights.get((name, word), 0.0) + weight

    def add_phrase(self, weights: dict, extra: list, text: str, boost: float) -> bool:
        """All the words of ``text`` (an expansion such as 退还税款); False if it has none."""
        words = [w for w, _ in analyse(self.analyzer, text)]
        if not words:
            return False
        if len(words) == 1:
            self.add_word(weights, words[0], boost)
        else:
            extra.append(And([self.word_clause(w) for w in words], boost=boost))
        return True

    def build(self, text: str) -> ParsedQuery:
        text = normalise_text(text).strip()
        parsed = ParsedQuery(text=text)
        groups = analyse(self.analyzer, text)
        rare = [g for g in groups if not self._is_common(g[0])]
        groups = rare or groups
        weights: dict[tuple[str, str], float] = {}
        extra: list[Query] = []
        for word, subs in groups:
            parsed.words.append(word)
            parsed.marks += [word] + subs
            self.add_word(weights, word)
            for sub in subs:
                self.add_word(weights, sub, SUB_WORD_WEIGHT)
            concept = Concept(word, [word] + subs)
            for expansion in self.synonyms.expansions(word):
                concept.terms += [w for w, _ in analyse(self.analyzer, expansion)]
            parsed.concepts.append(concept)
        tokenizer = self.analyzer[0]
        words = [(w, start, end) for w, start, end, sub in tokenizer.words(text) if not sub]
        for _first, _last, expansions in self.synonyms.find([w for w, _, _ in words]):
            for expansion in expansions:
                if self.add_phrase(weights, extra, expansion, SYNONYM_WEIGHT):
                    parsed.marks.append(expansion)
        if self.typos is not None:
            parsed.corrections = self.typos.find(text, words)
            for correction in parsed.corrections:
                if self.add_phrase(weights, extra, correction.word, CORRECTION_WEIGHT):
                    parsed.marks.append(correction.word)
                    parsed.concepts.append(Concept(correction.word, [w for w, _ in analyse(self.analyzer, correction.word)]))
                for synonym in self.synonyms.expansions(correction.word):
                    self.add_phrase(weights, extra, synonym, SYNONYM_WEIGHT)
        for *_span, token, kind in find_exact_spans(text):
            if kind == "doc_number":
                extra.append(Term("doc_number", token, boost=DOC_NUMBER_BOOST))
            else:
                extra.append(Term("article_no", token, boost=ARTICLE_NO_BOOST))
        clauses = [Term(name, word, boost=boost) for (name, word), boost in weights.items()] + extra
        stop = stopwords()
        parsed.marks = [m for m in dict.fromkeys(parsed.marks) if m not in stop]
        parsed.query = Or(clauses) if clauses else None
        return parsed
