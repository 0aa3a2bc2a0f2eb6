"""Knowing when the library does not answer: a response's confidence, ``"high"`` or ``"low"``.

Signals of a response (``signals``), each independent of how a question is worded at length:

- ``coverage``: the share of the question's weight (each word weighted by its idf in the index,
  so a rare word counts more than a frequent one, and a word the library never uses counts most)
  that the best of the top articles contains, directly or through a synonym or typo correction;
- ``unknown_share``: the share of that weight in words the library never uses (社保, APP);
- ``top_score``: the first article's score; ``gap``: how far the second falls behind it (0..1);
- more, measured and available by name (``FEATURE_VALUES``): the gap to the fifth, agreement of the first
  five on one document, character-pair, rare-word and title coverage, score per unit of idf, unknown words,
  and ``meaning``: the best cosine of the question's sentence vector with a top article's (``indexer.semantic``).

The question's wording (``Wording``): a logistic regression on its characters and character pairs, whose
decision is one more input named ``"wording"`` (out-of-fold while the rule is fitted).

The rule (``ConfidenceRule``): a logistic regression on the inputs it names (``features``; a rule saved
without names uses ``LEGACY_FEATURES``), low when the probability that the library answers falls below a
threshold set on out-of-fold predictions. The shipped rule: the four signals above plus the wording.
A citation found (征管法第32条) or an FAQ answer card is always high; no article at all is low.
It is chosen (inputs, penalties, by cross-validation) and fitted (``fit_rule``) on the tune splits of
``bench/data/confidence-questions.jsonl`` and ``tax-questions.jsonl`` by ``bench/confidence.py`` (the
shipped ``data/confidence.json``) and refitted with the usage log by ``flask train-ranker`` (``indexer.training``; the learned model, ``indexer.learned``, wins when present).
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field

from indexer.segmenter import DATA_DIR

HIGH, LOW = "high", "low"
SHIPPED_PATH = DATA_DIR / "confidence.json"
TOP_ARTICLES = 3  # the best article for coverage is looked for among the first three
MAX_FALSE_FLAG = 0.05  # the share of answerable questions a fitted rule may flag, at most


@dataclass
class Signals:
    coverage: float = 0.0  # idf-weighted share of the question's words in the best top article
    unknown_share: float = 0.0  # idf-weighted share of the question's words the library never uses
    top_score: float = 0.0
    gap: float = 0.0  # how far the second article's score falls behind the first's (0..1)
    gap5: float = 0.0  # how far the fifth article's score falls behind the first's (0..1)
    agreement: float = 0.0  # the share of the first five articles from the first one's document
    pair_coverage: float = 0.0  # the share of the question's character pairs in the best top article
    rare_coverage: float = 0.0  # ``coverage`` with each word weighted by its idf squared (rare words count most)
    title_coverage: float = 0.0  # idf-weighted share of the question's words in the first article's title
    score_per_weight: float = 0.0  # the top score over the question's total idf weight
    unknown_words: int = 0  # how many of the question's words the library never uses
    meaning: float | None = None  # the best cosine of the question with a top article (``indexer.semantic``);
    # None where the index holds no sentence vectors: a rule on it then reads its mean (a neutral input)
    words: int = 0  # how many content words the question has
    text: str = ""  # the question as typed (the rule's ``Wording`` reads it)
    cited: bool = False
    faq: bool = False
    articles: int = 0

    def to_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def grams(text: str) -> dict[str, int]:
    """How often each character and pair of characters occurs in ``text`` (lower case, runs of spaces as one)."""
    text = " ".join(text.lower().split())
    counts: dict[str, int] = {}
    for n in (1, 2):
        for i in range(len(text) - n + 1):
            counts[text[i:i + n]] = counts.get(text[i:i + n], 0) + 1
    return counts


@dataclass
class Wording:
    """How the question is worded: a logistic regression on its characters and character pairs (tf-idf,
    L2-normalised), fitted on labelled questions; ``decision`` > 0 leans to answerable. It learns the wording
    of what the library does not hold (社保, APP, 大厅, 怎么办理) and of what it does (税率, 罚款, 申报)."""

    grams: dict[str, list[float]] = field(default_factory=dict)  # gram -> [idf, weight]
    intercept: float = 0.0

    def vector(self, text: str) -> dict[str, float]:
        found = {g: n * self.grams[g][0] for g, n in grams(text).items() if g in self.grams}
        norm = math.sqrt(sum(v * v for v in found.values())) or 1.0
        return {g: v / norm for g, v in found.items()}

    def decision(self, text: str) -> float:
        return self.intercept + sum(v * self.grams[g][1] for g, v in self.vector(text).items())

    @classmethod
    def fit(cls, texts: list[str], answerable: list[bool], c: float) -> Wording:
        from sklearn.linear_model import LogisticRegression

        counted = [grams(t) for t in texts]
        df: dict[str, int] = {}
        for counts in counted:
            for g in counts:
                df[g] = df.get(g, 0) + 1
        vocabulary = sorted(df)
        column = {g: i for i, g in enumerate(vocabulary)}
        idf = [math.log((1 + len(texts)) / (1 + df[g])) + 1.0 for g in vocabulary]
        model = cls(grams={g: [idf[i], 0.0] for i, g in enumerate(vocabulary)})
        import numpy as np
        from scipy.sparse import csr_matrix

        cells = [(row, column[g], v) for row, text in enumerate(texts) for g, v in model.vector(text).items()]
        x = csr_matrix(([v for _, _, v in cells], ([r for r, _, _ in cells], [k for _, k, _ in cells])),
                       shape=(len(texts), len(vocabulary)))
        fitted = LogisticRegression(C=c, max_iter=2000).fit(x, np.array(answerable, dtype=int))
        for g, w in zip(vocabulary, fitted.coef_[0]):
            model.grams[g] = [round(model.grams[g][0], 5), round(float(w), 5)]
        model.intercept = float(fitted.intercept_[0])
        return model


@dataclass
class ConfidenceRule:
    """Logistic regression on standardised ``FEATURES``: low when P(answerable) < ``threshold``.
    The default rule (nothing fitted) flags only a response without any article."""

    weights: list[float] = field(default_factory=list)
    features: list[str] = field(default_factory=lambda: list(LEGACY_FEATURES))  # names, in ``FEATURE_VALUES``
    intercept: float = 0.0
    means: list[float] = field(default_factory=list)
    scales: list[float] = field(default_factory=list)
    threshold: float = 0.0
    wording: Wording | None = None  # when ``features`` holds "wording"
    wording_c: float = 10.0  # the inverse L2 penalty the wording model is fitted with
    fitted: dict = field(default_factory=dict)  # how and on what it was fitted, and what it scored

    def probability(self, signals: Signals) -> float:
        if not self.weights:
            return 1.0
        z = self.intercept + sum(w * (x - m) / s for w, x, m, s in
                                 zip(self.weights, self.values(signals), self.means, self.scales)
                                 if x is not None)  # an input not measured (``meaning``) sits at its mean
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def values(self, signals: Signals) -> list[float]:
        return [self.wording.decision(signals.text) if n == WORDING else FEATURE_VALUES[n](signals)
                for n in self.features]

    def judge(self, signals: Signals) -> str:
        if signals.cited or signals.faq:
            return HIGH
        if not signals.articles:
            return LOW
        return LOW if self.probability(signals) < self.threshold else HIGH

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> ConfidenceRule:
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, data: dict) -> ConfidenceRule:
        names = [str(n) for n in data.get("features") or LEGACY_FEATURES]
        if any(n not in FEATURE_VALUES and n != WORDING for n in names) or len(names) != len(data["weights"]):
            raise ValueError(f"unknown confidence features: {names}")
        wording = data.get("wording")
        if WORDING in names and not wording:
            raise ValueError("a rule on the wording needs its wording model")
        return cls(weights=[float(w) for w in data["weights"]], features=names,
                   wording=Wording(grams=dict(wording["grams"]), intercept=float(wording["intercept"])) if wording else None,
                   wording_c=float(data.get("wording_c", 10.0)), intercept=float(data["intercept"]),
                   means=[float(m) for m in data["means"]], scales=[float(x) for x in data["scales"]],
                   threshold=float(data["threshold"]), fitted=dict(data.get("fitted") or {}))


def _log(value: float) -> float:
    return math.log1p(max(0.0, value))


FEATURE_VALUES = {  # a rule's inputs, by name, from a response's signals
    "coverage": lambda s: s.coverage,
    "unknown_share": lambda s: s.unknown_share,
    "log_top_score": lambda s: _log(s.top_score),
    "gap": lambda s: s.gap,
    "gap5": lambda s: s.gap5,
    "agreement": lambda s: s.agreement,
    "pair_coverage": lambda s: s.pair_coverage,
    "rare_coverage": lambda s: s.rare_coverage,
    "title_coverage": lambda s: s.title_coverage,
    "log_score_per_weight": lambda s: _log(s.score_per_weight),
    "unknown_words": lambda s: float(min(s.unknown_words, 3)),
    "log_words": lambda s: _log(s.words),
    "meaning": lambda s: s.meaning,
}
WORDING = "wording"  # the rule's own ``Wording`` model's decision on the question's text
LEGACY_FEATURES = ("coverage", "unknown_share", "log_top_score", "gap")  # a rule saved without names used these
FEATURES = LEGACY_FEATURES  # the default set ``fit_rule`` fits


def features(signals: Signals, names=FEATURES) -> list[float]:
    return [FEATURE_VALUES[n](signals) for n in names]


def _pairs(text: str) -> set[str]:
    """The character pairs of ``text``'s runs of Chinese characters, letters and digits."""
    runs = re.findall(r"[\u4e00-\u9fff]+|[a-z0-9]+", text.lower())
    return {run[i:i + 2] for run in runs for i in range(len(run) - 1)}


def _idf(reader, word: str, total: int) -> float:
    return math.log((total + 1) / (reader.doc_frequency("text", word) + 1)) + 1.0


def _variants(word: str, synonyms, corrections) -> set[str]:
    """``word`` and what the query builder also searched for it (synonyms, the typo's correction)."""
    found = {word} | set(synonyms.expansions(word))
    for c in corrections:
        if word in c.typed or c.typed in word:
            found.add(c.word)
            found |= set(synonyms.expansions(c.word))
    return found


def coverage(words: list[str], weights: dict[str, float], variants: dict[str, set[str]], text: str) -> float:
    total = sum(weights[w] for w in words)
    if not total:
        return 0.0
    return sum(weights[w] for w in words if any(v and v in text for v in variants[w])) / total


def signals(parsed, results, reader, synonyms) -> Signals:
    """The signals of a response: ``parsed`` the ``ParsedQuery``, ``results`` the ranked results; ``reader``
    answers ``doc_count()`` and ``doc_frequency("text", word)`` (a Whoosh reader, or the search's
    ``scoring.FastScorer``, which remembers them)."""
    articles = [r for r in results if r.type != "faq"]
    found = Signals(text=parsed.text, cited=any(r.match == "citation" for r in results), faq=any(r.type == "faq" for r in results),
                    articles=len(articles))
    if not articles:
        return found
    # The scores without the character pairs' and the meaning's factors (``ranking.weigh_pairs``,
    # ``semantic.weigh_meaning``): how strongly the words matched.
    scores = [r.score / (getattr(r, "pair_factor", 1.0) * getattr(r, "meaning_factor", 1.0)) for r in articles]
    found.top_score = scores[0]
    if len(articles) > 1 and scores[0] > 0:
        found.gap = max(0.0, 1.0 - scores[1] / scores[0])
        found.gap5 = max(0.0, 1.0 - scores[min(4, len(scores) - 1)] / scores[0])
    first_five = articles[:5]
    found.agreement = sum(r.document_id == articles[0].document_id for r in first_five) / len(first_five)
    texts = [f"{r.doc_title} {r.snippet}".lower() for r in articles[:TOP_ARTICLES]]
    cosines = [r.meaning for r in articles[:TOP_ARTICLES] if getattr(r, "meaning", None) is not None]
    found.meaning = max(cosines) if cosines else None
    pairs = _pairs(parsed.text)
    if pairs:
        found.pair_coverage = max(sum(p in t for p in pairs) for t in texts) / len(pairs)
    words = [w for w in dict.fromkeys(parsed.words) if len(w) > 1 or w.isdigit()] or list(dict.fromkeys(parsed.words))
    if not words:
        return found
    found.words = len(words)
    total = reader.doc_count() or 1
    weights = {w: _idf(reader, w, total) for w in words}
    variants = {w: _variants(w, synonyms, parsed.corrections) for w in words}
    found.coverage = max(coverage(words, weights, variants, t) for t in texts)
    squared = {w: v * v for w, v in weights.items()}
    found.rare_coverage = max(coverage(words, squared, variants, t) for t in texts)
    found.title_coverage = coverage(words, weights, variants, articles[0].doc_title.lower())
    unknown = [w for w in words if not any(reader.doc_frequency("text", v) for v in variants[w])]
    found.unknown_words = len(unknown)
    weight = sum(weights.values())
    found.unknown_share = sum(weights[w] for w in unknown) / weight
    found.score_per_weight = found.top_score / weight
    return found


def shipped_rule() -> ConfidenceRule:
    try:
        return ConfidenceRule.from_json(SHIPPED_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError):
        return ConfidenceRule()


def flag_rates(rule: ConfidenceRule, rows: list[tuple[Signals, bool]]) -> dict:
    """{"unanswerable_flagged": share, "answerable_flagged": share, counts} of ``rows`` (signals, answerable)."""
    answerable = [s for s, a in rows if a]
    unanswerable = [s for s, a in rows if not a]

    def share(items):
        return sum(rule.judge(s) == LOW for s in items) / len(items) if items else 0.0

    return {"unanswerable_flagged": round(share(unanswerable), 4), "answerable_flagged": round(share(answerable), 4),
            "unanswerable": len(unanswerable), "answerable": len(answerable)}


def _logistic(x, y, l2: float = 1.0, steps: int = 30):
    """Weights and intercept of an L2-regularised logistic regression (Newton's method)."""
    import numpy as np

    design = np.hstack([x, np.ones((len(x), 1))])
    beta = np.zeros(design.shape[1])
    penalty = np.eye(design.shape[1]) * l2
    penalty[-1, -1] = 0.0  # the intercept is not shrunk
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ beta, -50, 50)))
        gradient = design.T @ (p - y) + penalty @ beta
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta[:-1], float(beta[-1])


def _fit_model(rows: list[tuple[Signals, bool]], names=FEATURES, l2: float = 1.0, wording_c: float = 10.0,
               folds: int = 5) -> ConfidenceRule:
    """The logistic regression on ``names``; with "wording", the wording model's decisions it learns from are
    out-of-fold ones (``folds``-fold by position), as new questions will give, and the model kept is fitted on all."""
    import numpy as np

    wording = None
    if WORDING in names:
        texts, labels = [s.text for s, _ in rows], [a for _, a in rows]
        decided = [0.0] * len(rows)
        for fold in range(folds):
            train = [i for i in range(len(rows)) if i % folds != fold]
            if len({labels[i] for i in train}) < 2:
                continue
            model = Wording.fit([texts[i] for i in train], [labels[i] for i in train], wording_c)
            for i in range(fold, len(rows), folds):
                decided[i] = model.decision(texts[i])
        wording = Wording.fit(texts, labels, wording_c)
    else:
        decided = [0.0] * len(rows)
    x = np.array([[d if n == WORDING else FEATURE_VALUES[n](s) for n in names] for (s, _), d in zip(rows, decided)],
                 dtype=float)
    y = np.array([1.0 if a else 0.0 for _, a in rows])
    # An input not measured for a response (``meaning`` from an index without vectors) counts at its mean.
    means = np.array([column[~np.isnan(column)].mean() if (~np.isnan(column)).any() else 0.0 for column in x.T])
    x = np.where(np.isnan(x), means, x)
    scales = x.std(axis=0)
    scales[scales < 1e-9] = 1.0  # a constant input (its std only rounding error) is left unscaled
    weights, intercept = _logistic((x - means) / scales, y, l2=l2)
    return ConfidenceRule(weights=[float(w) for w in weights], features=list(names), intercept=intercept,
                          means=[float(m) for m in means], scales=[float(v) for v in scales], wording=wording,
                          wording_c=wording_c)


def fit_rule(rows: list[tuple[Signals, bool]], max_false_flag: float = MAX_FALSE_FLAG, folds: int = 5,
             names=FEATURES, l2: float = 1.0, wording_c: float = 10.0) -> ConfidenceRule:
    """Fit on ``rows`` (signals, answerable). The threshold is set on out-of-fold probabilities
    (``folds``-fold, by position): the highest that flags at most ``max_false_flag`` of the answerable
    questions, so that it is not fitted on the very probabilities the model was trained to push apart."""
    judged = [(s, a) for s, a in rows if not (s.cited or s.faq) and s.articles]
    if len({a for _, a in judged}) < 2:
        return ConfidenceRule()
    held: list[tuple[float, bool]] = []
    for fold in range(folds):
        train = [r for i, r in enumerate(judged) if i % folds != fold]
        test = [r for i, r in enumerate(judged) if i % folds == fold]
        if len({a for _, a in train}) < 2:
            continue
        model = _fit_model(train, names, l2, wording_c)
        held += [(model.probability(s), a) for s, a in test]
    answerable = sorted(p for p, a in held if a)
    allowed = int(math.floor(max_false_flag * len(answerable)))
    rule = _fit_model(judged, names, l2, wording_c)
    rule.threshold = answerable[allowed] if allowed < len(answerable) else 0.0
    return rule
