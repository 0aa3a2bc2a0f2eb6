"""A linear map that carries a caller's question towards the articles that answer such questions.

The sentence encoder (``indexer.semantic``) places a question and an article by meaning, but a
question in everyday words and a statute's article are written differently: a question lies nearer
other questions than the article answering it. Fitted on question→article pairs, a matrix ``W``
(ridge regression towards the identity: ``min ||QW - A||² + λ||W - I||²``) moves each question's vector
to where its articles lie; an article's vector is not changed, so no entry is encoded again.

A search weighs its candidates by their cosines with the moved question (``semantic.weigh_meaning``);
the confidence rule still reads the cosines with the encoder's own vector, which it was fitted on.
The shipped map is ``data/question-adapter.<model>.npy``, fitted by ``bench/adapter.py --write`` on
the tune questions only (the tax set's tune split and one declared half of the STARD questions; the
other questions are its held-out figures, bench/README.md). ``USE`` off, or no file for the model in
force, leaves the encoder's vectors as they are.
"""
from __future__ import annotations

import functools
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


def apply(vectors: np.ndarray, matrix: np.ndarray | None) -> np.ndarray:
    """``vectors`` (rows) through ``matrix``, as unit vectors; unchanged without one."""
    if matrix is None:
        return vectors
    moved = np.asarray(vectors, dtype=np.float32) @ matrix
    norms = np.linalg.norm(moved, axis=-1, keepdims=True)
    return (moved / np.maximum(norms, 1e-12)).astype(vectors.dtype)


class Question:
    """A search's question as a sentence vector, encoded when first asked for: the encoder's own
    (``plain``, which the confidence rule reads) and moved by the shipped map (``moved``)."""

    def __init__(self, text: str):
        self.text = text
        self._plain = self._moved = None

    def plain(self) -> np.ndarray:
        if self._plain is None:
            self._plain = semantic.encode([self.text])[0]
        return self._plain

    def moved(self) -> np.ndarray:
        if self._moved is None:
            self._moved = apply(self.plain(), adapter())
        return self._moved
