"""Knowing when the library does not answer: a response's confidence, ``"high"`` or ``"low"``.

Signals of a response (``signals``), each independent of how a question is worded at length:

- ``coverage``: the share of the question's weight (each word weighted by its idf in the index,
  so a rare word counts more than a frequent one, and a word the library never uses counts most)
  that the best of the top articles contains, directly or through a synonym or typo correction;
- ``unknown_share``: the share of that weight in words the library never uses (社保, APP);
- ``top_score``: the first article's score; ``gap``: how far the second falls behind it (0..1).

The rule (``ConfidenceRule``): a logistic regression on these signals (``FEATURES``), low when the
probability that the library answers falls below a threshold set on out-of-fold predictions.
A citation found (征管法第32条) or an FAQ answer card is always high; no article at all is low.
It is fitted (``fit_rule``) on the tune split of ``bench/data/confidence-questions.jsonl``
by ``bench/confidence.py`` (the shipped ``data/confidence.json``) and refitted with the usage log
by ``flask train-ranker`` (``indexer.training``; the learned model, ``indexer.learned``, wins when present).
"""
from __future__ import annotations

import json
import math
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
    cited: bool = False
    faq: bool = False
    articles: int = 0

    def to_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


@dataclass
class ConfidenceRule:
    """Logistic regression on standardised ``FEATURES``: low when P(answerable) < ``threshold``.
    The default rule (nothing fitted) flags only a response without any article."""

    weights: list[float] = field(default_factory=list)
    intercept: float = 0.0
    means: list[float] = field(default_factory=list)
    scales: list[float] = field(default_factory=list)
    threshold: float = 0.0
    fitted: dict = field(default_factory=dict)  # how and on what it was fitted, and what it scored

    def probability(self, signals: Signals) -> float:
        if not self.weights:
            return 1.0
        z = self.intercept + sum(w * (x - m) / s for w, x, m, s in
                                 zip(self.weights, features(signals), self.means, self.scales))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def judge(self, signals: Signals) -> str:
        if signals.cited or signals.faq:
            return HIGH
        if not signals.articles:
            return LOW
        return LOW if self.probability(signals) < self.threshold else HIGH

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> "ConfidenceRule":
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, data: dict) -> "ConfidenceRule":
        return cls(weights=[float(w) for w in data["weights"]], intercept=float(data["intercept"]),
                   means=[float(m) for m in data["means"]], scales=[float(x) for x in data["scales"]],
                   threshold=float(data["threshold"]), fitted=dict(data.get("fitted") or {}))


FEATURES = ("coverage", "unknown_share", "log_top_score", "gap")


def features(signals: Signals) -> list[float]:
    return [signals.coverage, signals.unknown_share, math.log1p(max(0.0, signals.top_score)), signals.gap]


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
    """The signals of a response: ``parsed`` the ``ParsedQuery``, ``results`` the ranked results."""
    articles = [r for r in results if r.type != "faq"]
    found = Signals(cited=any(r.match == "citation" for r in results), faq=any(r.type == "faq" for r in results),
                    articles=len(articles))
    if not articles:
        return found
    # The scores without the character pairs' factor (``ranking.weigh_pairs``): how strongly the words matched.
    first, second = (r.score / getattr(r, "pair_factor", 1.0) for r in (articles + articles)[:2])
    found.top_score = first
    if len(articles) > 1 and first > 0:
        found.gap = max(0.0, 1.0 - second / first)
    words = [w for w in dict.fromkeys(parsed.words) if len(w) > 1 or w.isdigit()] or list(dict.fromkeys(parsed.words))
    if not words:
        return found
    total = reader.doc_count() or 1
    weights = {w: _idf(reader, w, total) for w in words}
    variants = {w: _variants(w, synonyms, parsed.corrections) for w in words}
    texts = [f"{r.doc_title} {r.snippet}".lower() for r in articles[:TOP_ARTICLES]]
    found.coverage = max(coverage(words, weights, variants, t) for t in texts)
    unknown = [w for w in words if not any(reader.doc_frequency("text", v) for v in variants[w])]
    found.unknown_share = sum(weights[w] for w in unknown) / sum(weights.values())
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


def _fit_model(rows: list[tuple[Signals, bool]]) -> ConfidenceRule:
    import numpy as np

    x = np.array([features(s) for s, _ in rows], dtype=float)
    y = np.array([1.0 if a else 0.0 for _, a in rows])
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales == 0] = 1.0
    weights, intercept = _logistic((x - means) / scales, y)
    return ConfidenceRule(weights=[float(w) for w in weights], intercept=intercept, means=[float(m) for m in means],
                          scales=[float(v) for v in scales])


def fit_rule(rows: list[tuple[Signals, bool]], max_false_flag: float = MAX_FALSE_FLAG, folds: int = 5) -> ConfidenceRule:
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
        model = _fit_model(train)
        held += [(model.probability(s), a) for s, a in test]
    answerable = sorted(p for p, a in held if a)
    allowed = int(math.floor(max_false_flag * len(answerable)))
    rule = _fit_model(judged)
    rule.threshold = answerable[allowed] if allowed < len(answerable) else 0.0
    return rule
