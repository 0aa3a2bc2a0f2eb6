"""A linear map that carries a caller's question towards the articles that answer such questions.

The sentence encoder (``indexer.semantic``) places a question and an article by meaning, but a
question in everyday words and a statute's article are written differently: a question lies nearer
other questions than the article answering it. Fitted on question→article pairs, a matrix ``W`` moves
each question's vector to where its articles lie; an article's vector is not changed, so no entry is
encoded again. Two fits: ridge regression towards the identity (``fit``: ``min ||QW - A||² + λ||W - I||²``)
and a contrastive one (``fit_contrastive``: each question's articles ranked above the entries nearest it
that are not), which ranks held-out questions better and is the one shipped.

A search weighs its candidates by their cosines with the moved question (``semantic.weigh_meaning``);
the confidence rule still reads the cosines with the encoder's own vector, which it was fitted on.
The shipped map is ``data/question-adapter.<model>.npy``, fitted by ``bench/adapter.py --write`` on
the tune questions only (the tax set's tune split and one declared half of the STARD questions; the
other questions are its held-out figures, bench/README.md), and on the shipped FAQ's questions and
phrasings, each paired with the articles its entry cites (``policies/faq/starter.json``). ``USE`` off, or
no file for the model in force, leaves the encoder's vectors as they are.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer import semantic

USE = True
FOLDER = Path(__file__).parent / "data"


def path(folder: Path | None = None) -> Path:
    return (folder or FOLDER) / f"question-adapter.{semantic.MODEL}.npy"


@functools.lru_cache(maxsize=8)
def shipped_matrix(file: Path) -> np.ndarray | None:
    """The matrix in ``file`` as float32, one row per dimension of the encoder (the map here, the directions
    of ``indexer.nearest``), or None (missing, or another encoder's); read once per process: a shipped file
    does not change while it runs."""
    try:
        matrix = np.load(file).astype(np.float32)
    except (OSError, ValueError):
        return None
    return matrix if matrix.ndim == 2 and matrix.shape[0] == semantic.DIMENSIONS else None


def adapter() -> np.ndarray | None:
    """The shipped map, or None (off, or none for this model)."""
    matrix = shipped_matrix(path()) if USE else None
    return matrix if matrix is not None and matrix.shape[1] == semantic.DIMENSIONS else None


def fit(questions: np.ndarray, articles: np.ndarray, ridge: float, weights: np.ndarray | None = None) -> np.ndarray:
    """``W`` mapping each row of ``questions`` near the same row of ``articles`` (unit vectors), pulled
    towards the identity by ``ridge``; ``weights`` per pair (a question with k articles: 1/k each, say)."""
    x = np.asarray(questions, dtype=np.float64)
    y = np.asarray(articles, dtype=np.float64)
    if weights is not None:
        root = np.sqrt(np.asarray(weights, dtype=np.float64))[:, None]
        x, y = x * root, y * root
    identity = np.eye(x.shape[1])
    return np.linalg.solve(x.T @ x + ridge * identity, x.T @ y + ridge * identity).astype(np.float32)


@dataclass
class Judged:
    """Questions of one library for ``fit_contrastive``: their vectors (rows), that library's entry vectors
    (``entries``, rows), the rows of each question's relevant entries, and how much a question weighs."""

    questions: np.ndarray
    entries: np.ndarray
    relevant: list[list[int]]
    weight: float = 1.0


def fit_contrastive(judged: list[Judged], ridge: float, temperature: float = 0.03, steps: int = 100,
                    rate: float = 0.003, depth: int = 100, mine_every: int = 50,
                    start: np.ndarray | None = None) -> np.ndarray:
    """``W`` that ranks each question's relevant entries above the entries nearest it that are not: the
    softmax loss of a question's relevant entries among them (``depth`` hard negatives, mined again with
    the current map every ``mine_every`` steps), with ``ridge``·||W - S||², minimised by Adam from ``S``:
    ``start`` (a map in force, refitted with more pairs: ``indexer.map_training``), else the identity.
    Ridge regression (``fit``) pulls a question onto the mean of its articles; this pushes it away
    from the neighbours it would be confused with, which is what a ranking needs."""
    dimensions = judged[0].questions.shape[1]
    anchor = np.eye(dimensions, dtype=np.float32) if start is None else np.asarray(start, dtype=np.float32)
    matrix = anchor.copy()
    first, second = np.zeros_like(matrix), np.zeros_like(matrix)
    total = sum(part.weight * len(part.questions) for part in judged)
    questions = [part.questions.astype(np.float32) for part in judged]
    batches = []
    for step in range(steps):
        if step % mine_every == 0:
            batches = [_candidates(vectors, part, matrix, depth) for vectors, part in zip(questions, judged)]
        gradient = 2 * ridge * (matrix - anchor)
        for vectors, part, (entries, valid, positive) in zip(questions, judged, batches):
            gradient += part.weight / total * _softmax_gradient(vectors, matrix, entries, valid, positive, temperature)
        first = 0.9 * first + 0.1 * gradient
        second = 0.999 * second + 0.001 * gradient * gradient
        matrix -= rate * (first / (1 - 0.9 ** (step + 1))) / (np.sqrt(second / (1 - 0.999 ** (step + 1))) + 1e-8)
    return matrix


def _candidates(questions: np.ndarray, part: Judged, matrix: np.ndarray, depth: int):
    """Each question's relevant entries, then its ``depth`` nearest other entries, padded: (their vectors,
    question × candidate × dimension; valid; positive), gathered once for the steps until the next mining."""
    moved = apply(questions, matrix)
    nearest = np.concatenate([np.argpartition(-(part.entries @ moved[start:start + 256].T), depth, axis=0)[:depth].T
                              for start in range(0, len(moved), 256)])
    width = depth + max(len(rows) for rows in part.relevant)
    rows = np.zeros((len(moved), width), dtype=np.int64)
    valid, positive = np.zeros(rows.shape, dtype=bool), np.zeros(rows.shape, dtype=bool)
    for i, relevant in enumerate(part.relevant):
        wanted = set(relevant)
        chosen = list(relevant) + [row for row in nearest[i] if row not in wanted]
        rows[i, :len(chosen)], valid[i, :len(chosen)], positive[i, :len(relevant)] = chosen, True, True
    return part.entries[rows], valid, positive


def _softmax_gradient(questions: np.ndarray, matrix, entries, valid, positive, temperature: float) -> np.ndarray:
    """The summed gradient, with respect to ``matrix``, of -log(the softmax share of the relevant entries)."""
    raw = questions @ matrix
    norms = np.linalg.norm(raw, axis=1, keepdims=True)
    moved = raw / norms
    logits = np.where(valid, np.einsum("nkd,nd->nk", entries, moved) / temperature, -np.inf)
    shares = np.exp(logits - logits.max(axis=1, keepdims=True))
    shares /= shares.sum(axis=1, keepdims=True)
    relevant_share = (shares * positive).sum(axis=1, keepdims=True)
    by_logit = shares - np.where(positive, shares / relevant_share, 0.0)
    by_moved = np.einsum("nk,nkd->nd", by_logit, entries) / temperature
    by_raw = (by_moved - moved * (moved * by_moved).sum(axis=1, keepdims=True)) / norms
    return questions.T @ by_raw


def apply(vectors: np.ndarray, matrix: np.ndarray | None) -> np.ndarray:
    """``vectors`` (rows) through ``matrix``, as unit vectors; unchanged without one."""
    if matrix is None:
        return vectors
    moved = np.asarray(vectors, dtype=np.float32) @ matrix
    norms = np.linalg.norm(moved, axis=-1, keepdims=True)
    return (moved / np.maximum(norms, 1e-12)).astype(vectors.dtype)


class Question:
    """A search's question as a sentence vector, encoded when first asked for: the encoder's own
    (``plain``, which the confidence rule reads) and moved (``moved``) by ``matrix`` (the map refitted from
    use, ``indexer.learned``) or else the shipped map."""

    def __init__(self, text: str, matrix: np.ndarray | None = None):
        self.text = text
        self.matrix = matrix
        self._plain = self._moved = None

    def plain(self) -> np.ndarray:
        if self._plain is None:
            self._plain = semantic.encode([self.text])[0]
        return self._plain

    def moved(self) -> np.ndarray:
        if self._moved is None:
            self._moved = apply(self.plain(), self.matrix if self.matrix is not None else adapter())
        return self._moved
