"""The routing classifier: which department a request belongs to, learnt from labelled requests.

The pieces, in order:

- ``Example``: a labelled request. ``kb/hotline/data/routing_examples.jsonl`` ships 772 of them, written
  the way callers speak, each marked ``train`` or ``test`` and with the frozen ``part`` it was
  written in: a (466, every 4th of each class held out), b (158, all held out, written for the
  kinds the router got wrong), c and d (148 more for training); corrections made in use
  (``kb.hotline.routing_training``) are examples too.
- ``kb.hotline.negation``: the parts of a sentence that a negation governs (``不是要举报，只是想问…``: 举报
  is negated up to the comma). Rules do not match there, and the classifier sees those characters
  as negated (``n:举报``), not as the word itself.
- ``features``: character 1- to 3-grams, plus the vocabulary words and groups of
  ``kb.hotline.routing_lexicon`` (``kb`` does not import jieba: tokenising is ``indexer``'s).
- ``RouterModel``: two linear SVMs over TF-IDF of those features: the destination (稽查局, 监察室,
  法规处, 征管处, 业务处室, 办公室, 区（市、县）局), then for a policy question the policy department;
  the district named in the request picks the liaison. Scores become probabilities through a
  softmax whose temperature is fitted by cross-validation. ``candidates`` gives the likeliest
  destinations with their confidence and the words that weighed most (the reason shown).
- ``calibrate``: the temperature, and the confidence below which the agent is asked to choose
  between the two likeliest departments, by cross-validation on the training examples only.

Everything is fitted here from shipped data (about a second); nothing is downloaded.
"""
from __future__ import annotations

import json
import re
import threading
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC
from sklearn.model_selection import StratifiedKFold

from kb.hotline.departments import DISTRICTS, POLICY, SEED_BY_NAME, group_of, office_for_tax
from kb.hotline.negation import mask_negated, negated_spans
from kb.hotline.routing import normalise
from kb.hotline.routing_lexicon import district_in, groups_in, words_in

EXAMPLES_FILE = Path(__file__).resolve().parent / "data" / "routing_examples.jsonl"

# Hyperparameters, chosen by 5-fold cross-validation on the training split only (bench/routing.py).
C = 1.0
# Extra weight for a class beside balanced weights (a staff-conduct complaint sent elsewhere exposes
# its caller, so 监察室 ×1.25 and ×1.5 were tried). 5-fold cross-validation (4 shuffles) on the 499
# training requests over C 0.5/1/2, LEXICON_WEIGHT 2/3 and 监察室 ×1/1.25/1.5 (``python
# bench/routing.py --cv-grid``): all within 97.1-97.5 %; C = 1, weight 2, no extra weight ties for best.
CLASS_BOOST: dict[str, float] = {}
NGRAMS = (1, 2, 3)
LEXICON_WEIGHT = 2  # a vocabulary group counts as this many occurrences (5-fold CV on the training split)
# The threshold is the lowest confidence at which cross-validated predictions are right this often:
# what the router sends without asking should be right more often than the 95 % asked of it overall.
TARGET_PRECISION = 0.99
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(4, 19))  # 0.20 … 0.90
FOLDS = 5
TEMPERATURE = 1.0
TEMPERATURES = (1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 10.0, 12.0, 16.0, 20.0, 30.0)

_PIECES = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Example:
    text: str
    office: str                     # the receiving department (a seed name)
    id: str = ""
    split: str = "train"            # train / test
    source: str = "shipped"         # shipped / correction
    part: str = "a"                 # which frozen batch of shipped examples (each measured on its own too)

    @property
    def label(self) -> str:
        return label_of(self.office)


def label_of(office: str) -> str:
    """The class of a receiving department: itself, or 区（市、县）局 for a district liaison."""
    return DISTRICTS if group_of(office) == DISTRICTS else office


def load_examples(path: Path | str = EXAMPLES_FILE) -> list[Example]:
    with open(path, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [Example(text=r["text"], office=r["office"], id=r.get("id", ""), split=r.get("split", "train"),
                    part=r.get("part", "a")) for r in rows]


# -- features ----------------------------------------------------------------------

@lru_cache(maxsize=4096)
def features(text: str) -> tuple[str, ...]:
    """The features of a request: ``c:`` character n-grams of what is not negated, ``n:`` bigrams
    of what is (``不是要举报`` gives ``n:举报``), ``w:`` the vocabulary words it uses and ``L:`` their
    groups (``kb.hotline.routing_lexicon``, counted ``LEXICON_WEIGHT`` times). Words come from the vocabulary,
    not from jieba: ``kb`` does not tokenise (``indexer`` does)."""
    clean = normalise(text)
    masked = mask_negated(clean, " ")
    out = []
    for piece in _PIECES.split(masked):
        for n in NGRAMS:
            out.extend("c:" + piece[i:i + n] for i in range(len(piece) - n + 1))
    for start, end in negated_spans(clean):
        for piece in _PIECES.split(clean[start:end]):
            out.extend("n:" + piece[i:i + 2] for i in range(len(piece) - 1))
    out.extend("w:" + word for word in words_in(masked))
    out.extend("L:" + group for group, _word in groups_in(masked) for _ in range(LEXICON_WEIGHT))
    return tuple(out)


STOP_WORDS = frozenset("我们 你们 他们 一下 怎么 什么 这个 那个 就是 还是 可以 能不能 是不是 要不要 一个 现在 已经 "
                       "请问 想问 问问 知道 时候 没有 不是 只是 问题".split())


def _shown(feature: str, matched: dict[str, str] | None = None) -> str:
    kind, body = feature[:2], feature[2:]
    if kind == "L:":
        return (matched or {}).get(body, "")
    if kind == "n:":
        return f"不是…{body}"
    return body


def class_weights(labels: Sequence[str]) -> dict[str, float]:
    """Balanced weights (each class weighs as much as the others in total), times ``CLASS_BOOST``."""
    counts = Counter(labels)
    return {label: len(labels) / (len(counts) * n) * CLASS_BOOST.get(label, 1.0) for label, n in counts.items()}


# -- the model -----------------------------------------------------------------------------------

class _Classifier:
    """TF-IDF over ``features`` and a linear SVM; its scores become probabilities through a
    softmax whose temperature is fitted by cross-validation (``calibrate``)."""

    def __init__(self, c: float = C):
        self.vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True)
        self.c = c
        self.temperature = TEMPERATURE

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> "_Classifier":
        self.model = LinearSVC(C=self.c, class_weight=class_weights(labels), random_state=0)
        self.model.fit(self.vectorizer.fit_transform(list(texts)), list(labels))
        self.classes = [str(c) for c in self.model.classes_]
        self.names = self.vectorizer.get_feature_names_out()
        self.coef = self.model.coef_
        return self

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        scores = self.model.decision_function(self.vectorizer.transform(list(texts)))
        return np.column_stack([-scores, scores]) if scores.ndim == 1 else scores

    def rank_many(self, texts: Sequence[str]) -> list[list[tuple[str, float]]]:
        probs = softmax(self.scores(texts), self.temperature)
        return [sorted(zip(self.classes, map(float, row)), key=lambda item: -item[1]) for row in probs]

    def rank(self, text: str) -> list[tuple[str, float]]:
        return self.rank_many([text])[0]

    def evidence(self, text: str, label: str, limit: int = 4) -> list[str]:
        """The words of ``text`` that weighed most for ``label``: whole words first (a vocabulary
        group shows the word that matched it), character n-grams only when no word weighs."""
        row = self.vectorizer.transform([text]).tocoo()
        index = self.classes.index(label)
        weights = self.coef[0] * (1 if index == 1 else -1) if len(self.classes) == 2 else self.coef[index]
        scored = sorted(((value * weights[col], self.names[col]) for col, value in zip(row.col, row.data)),
                        reverse=True)
        positive = [name for score, name in scored if score > 0]
        matched = dict(groups_in(mask_negated(normalise(text), " ")))
        words = [_shown(name, matched) for name in positive if name[:2] in ("w:", "L:")]
        words = [w for w in words if len(w) > 1 and w not in STOP_WORDS]
        if not words:
            words = [w for w in (_shown(name, matched) for name in positive) if len(w) > 1 and w not in STOP_WORDS]
        shown: list[str] = []
        for word in words:
            if len(shown) >= limit:
                break
            if word and not any(word in other or other in word for other in shown):
                shown.append(word)
        return shown


@dataclass
class Candidate:
    """One department the model proposes, with its probability and the words that weighed most."""
    label: str                 # a destination group, 办公室 or 区（市、县）局
    office: Optional[str]      # the receiving department (None: the agent picks it)
    confidence: float
    evidence: list[str]


class RouterModel:
    """Two classifiers: the destination (稽查局, 监察室, 法规处, 征管处, 业务处室, 办公室, 区（市、县）局), then,
    for a policy question, the policy department."""

    def __init__(self, threshold: float = 0.5):
        self.threshold = threshold
        self.examples: list[Example] = []

    def fit(self, examples: Sequence[Example]) -> "RouterModel":
        self.examples = list(examples)
        self.groups = _Classifier().fit([e.text for e in self.examples], [group_label(e.office) for e in self.examples])
        policy = [e for e in self.examples if group_of(e.office) == POLICY]
        self.offices = _Classifier().fit([e.text for e in policy], [e.office for e in policy])
        return self

    def candidates(self, text: str, allowed: Iterable[str] | None = None, tax_type: str | None = None,
                   limit: int = 3, ranked: list[tuple[str, float]] | None = None) -> list[Candidate]:
        """The likeliest destinations, best first; with ``allowed``, only those (probabilities
        renormalised among them). A policy question's office follows ``tax_type`` when given."""
        ranked = self.groups.rank(text) if ranked is None else ranked
        if allowed is not None:
            allowed = set(allowed)
            ranked = [(label, p) for label, p in ranked if label in allowed]
            total = sum(p for _label, p in ranked) or 1.0
            ranked = [(label, p / total) for label, p in ranked]
        out = []
        for label, confidence in ranked[:limit]:
            office, evidence = self._office(text, label, tax_type), self.groups.evidence(text, label)
            if label == POLICY and office and not tax_type:
                evidence = evidence + [w for w in self.offices.evidence(text, office, 2) if w not in evidence]
            out.append(Candidate(label, office, confidence, evidence))
        return out

    def _office(self, text: str, label: str, tax_type: str | None) -> Optional[str]:
        if label == POLICY:
            return office_for_tax(tax_type) or self.offices.rank(text)[0][0]
        if label == DISTRICTS:
            district = district_in(normalise(text))
            return f"{district}税务局联络员" if district else None
        return label

    @property
    def temperature(self) -> float:
        return self.groups.temperature

    @temperature.setter
    def temperature(self, value: float) -> None:
        self.groups.temperature = self.offices.temperature = value

    def predict(self, texts: Sequence[str]) -> list[str]:
        """The predicted receiving department of each text, as a class (``label_of``)."""
        texts = list(texts)
        groups = [ranked[0][0] for ranked in self.groups.rank_many(texts)] if texts else []
        policy = [t for t, g in zip(texts, groups) if g == POLICY]
        offices = iter(self.offices.model.predict(self.offices.vectorizer.transform(policy)) if policy else [])
        return [str(next(offices)) if g == POLICY else g for g in groups]


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    scaled = scores * temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=1, keepdims=True)


def group_label(office: str) -> str:
    return group_of(office) or office


def train(examples: Sequence[Example], threshold: float | None = None,
          temperature: float | None = None) -> RouterModel:
    """A model fitted on ``examples``; its temperature and threshold by cross-validation on them
    unless given."""
    if threshold is None or temperature is None:
        temperature, threshold = calibrate(examples)
    model = RouterModel(threshold=threshold).fit(examples)
    model.temperature = temperature
    return model


def cross_validated(examples: Sequence[Example], folds: int = FOLDS) -> tuple[list[str], list[list[str]], np.ndarray]:
    """For every example, scored by a model that did not see it: its true destination, the
    classes and the destination scores (rows in the order of ``examples``)."""
    labels = [group_label(e.office) for e in examples]
    smallest = min(Counter(labels).values())
    splitter = StratifiedKFold(n_splits=max(2, min(folds, smallest)), shuffle=True, random_state=0)
    classes = sorted(set(labels))
    scores = np.zeros((len(labels), len(classes)))
    for fit_rows, test_rows in splitter.split(np.zeros(len(labels)), labels):
        model = _Classifier().fit([examples[i].text for i in fit_rows], [labels[i] for i in fit_rows])
        fold = model.scores([examples[i].text for i in test_rows])
        missing = [c for c in classes if c not in model.classes]
        fold = np.column_stack([fold, np.full((len(test_rows), len(missing)), -10.0)]) if missing else fold
        order = [(model.classes + missing).index(c) for c in classes]
        scores[test_rows] = fold[:, order]
    return labels, classes, scores


def calibrate(examples: Sequence[Example], target: float = TARGET_PRECISION) -> tuple[float, float]:
    """(temperature, threshold) from cross-validated scores: the temperature that makes the
    softmax's probabilities fit best (log-loss), then the lowest threshold at which predictions
    at or above it are right at least ``target`` of the time (the highest one tried when none is)."""
    labels, classes, scores = cross_validated(examples)
    truth = np.array([classes.index(label) for label in labels])

    def log_loss(temperature: float) -> float:
        probs = softmax(scores, temperature)
        return float(-np.log(probs[np.arange(len(truth)), truth] + 1e-12).mean())

    temperature = min(TEMPERATURES, key=log_loss)
    probs = softmax(scores, temperature)
    guess, confidence = probs.argmax(axis=1), probs.max(axis=1)
    for threshold in THRESHOLDS:
        kept = confidence >= threshold
        if kept.any() and (guess[kept] == truth[kept]).mean() >= target:
            return temperature, threshold
    return temperature, THRESHOLDS[-1]


# -- measuring -----------------------------------------------------------------------------------

@dataclass
class Figures:
    """Accuracy of predicted classes against true ones, overall and per class."""
    total: int
    correct: int
    per_class: dict[str, tuple[int, int]]          # class -> (correct, total)
    confusion: dict[tuple[str, str], int]          # (true, predicted) -> count

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def worst(self) -> tuple[str, float] | None:
        rates = [(label, hit / n) for label, (hit, n) in self.per_class.items() if n]
        return min(rates, key=lambda item: item[1]) if rates else None

    def line(self) -> str:
        worst = self.worst
        text = f"{self.correct}/{self.total} = {self.accuracy:.1%}"
        return text + (f"（最低：{worst[0]} {worst[1]:.0%}）" if worst else "")


def figures(truth: Sequence[str], predicted: Sequence[str]) -> Figures:
    per_class: dict[str, list[int]] = {}
    confusion: Counter = Counter()
    for real, guess in zip(truth, predicted):
        counts = per_class.setdefault(real, [0, 0])
        counts[0] += real == guess
        counts[1] += 1
        confusion[(real, guess)] += 1
    return Figures(total=len(truth), correct=sum(a == b for a, b in zip(truth, predicted)),
                   per_class={k: (v[0], v[1]) for k, v in per_class.items()}, confusion=dict(confusion))


def evaluate(model: RouterModel, examples: Sequence[Example], level: str = "office") -> Figures:
    """Figures at the level of the receiving department (``office``: the district liaisons as one
    class) or of the destination (``group``)."""
    predicted = model.predict([e.text for e in examples]) if examples else []
    if level == "group":
        return figures([group_label(e.office) for e in examples], [group_label(p) for p in predicted])
    return figures([e.label for e in examples], predicted)


# -- the model built from the shipped examples ---------------------------------------------------

_SHIPPED: Optional[RouterModel] = None
_SHIPPED_LOCK = threading.Lock()


def training_examples(examples: Sequence[Example] | None = None) -> list[Example]:
    return [e for e in (load_examples() if examples is None else examples) if e.split == "train"]


def held_out_examples(examples: Sequence[Example] | None = None) -> list[Example]:
    return [e for e in (load_examples() if examples is None else examples) if e.split == "test"]


def shipped_model() -> RouterModel:
    """The model fitted on the shipped training split (built once per process)."""
    global _SHIPPED
    with _SHIPPED_LOCK:
        if _SHIPPED is None:
            _SHIPPED = train(training_examples())
        return _SHIPPED


def known_office(office: str) -> bool:
    return office in SEED_BY_NAME
