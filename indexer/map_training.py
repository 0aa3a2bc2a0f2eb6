"""Refitting the question map (``indexer.question_adapter``) from the pairs of use.

The shipped map was fitted on the tune questions of the benchmark sets and the shipped FAQ (bench/README.md).
Each citation an agent copies after a search, or cites in a saved call, is one more question→article pair in
the hotline's own words. ``flask train-ranker`` (``indexer.training``) refits the map with them: the same
contrastive fit as the shipped one (``fit_contrastive``: each question's article above the entries nearest it
that are not), started from the shipped map and held to it by a ridge, so that a few hundred pairs move it
only where they agree. Each training fits the whole log again from the shipped map (never from the last refit,
which would fit the same pairs twice). The ridge is chosen among ``RIDGES`` (or no new map at all) by the
MRR@10 of whole searches on pairs the fit did not see; the caller then fits again on all the pairs it may use.

On request the fit also takes pairs written down beforehand (the FAQ's, the judged sets' fitting rows:
``kb.search.labelled_pairs``). In the simulation of bench/README.md (eleventh pass) they added nothing when
the shipped map had seen them, and made the refit worse when their domain was not the log's.

The directions of the candidates by meaning (``indexer.nearest``) are not refitted: they were fitted on
questions moved by the shipped map, which a refit held to it barely turns, so the table of the library's
entries stays valid and nothing is projected again.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from indexer import question_adapter, semantic
from indexer.question_adapter import Judged, fit_contrastive
from indexer.schema import ARTICLE_TYPE

RIDGES = (0.03, 0.3, 3.0)  # tried by ``choose``; the shipped map's own fit used 0.03 from the identity
MIN_PAIRS_FOR_MAP = 20  # fewer pairs to fit on than this: the map in force stays
STEPS, TEMPERATURE, DEPTH = 100, 0.03, 100  # as the shipped map's fit (bench/adapter.py)
TOLERANCE = 1e-9  # figures closer than this are level (``training`` compares with it too)


def judged_pairs(library: tuple[list[str], np.ndarray], pairs: list) -> Judged | None:
    """The pairs (query, unit id, …) as one ``Judged`` over every entry of ``library`` (keys and vectors, as
    ``VectorStore.every_vector`` reads them): each distinct query encoded once, with the rows of the articles
    copied for it. None when no pair's article has a vector, or the library is too small to rank in."""
    keys, entries = library
    row_of = {key: i for i, key in enumerate(keys)}
    relevant: dict[str, list[int]] = {}
    for query, unit_id, *_ in pairs:
        row = row_of.get(f"{ARTICLE_TYPE}:{unit_id}")
        if row is not None and row not in relevant.setdefault(query, []):
            relevant[query].append(row)
    if not relevant or len(entries) < 3:
        return None
    questions = semantic.encode(list(relevant)).astype(np.float32)
    return Judged(questions, np.asarray(entries, dtype=np.float32), list(relevant.values()))


def start_matrix() -> np.ndarray:
    """The map a refit starts from and is held to: the shipped one (the identity when there is none)."""
    shipped = question_adapter.adapter()
    return shipped if shipped is not None else np.eye(semantic.DIMENSIONS, dtype=np.float32)


def refit(judged: Judged, start: np.ndarray, ridge: float) -> np.ndarray:
    depth = min(DEPTH, len(judged.entries) - max(len(rows) for rows in judged.relevant) - 1)
    return fit_contrastive([judged], ridge, TEMPERATURE, steps=STEPS, depth=depth, start=start)


def choose(vectors, counted: list, choosing: list, score: Callable[[np.ndarray | None], float],
           anchors: list = ()) -> tuple[np.ndarray | None, float | None]:
    """(map, ridge): the ridge whose map, fitted on ``anchors`` (pairs written down: the FAQ's, the judged
    sets' fitting rows; ``kb.search.labelled_pairs``) and ``counted``, gives the best ``score`` (MRR@10 of the
    ``choosing`` pairs' searches; ``score(None)``: with the shipped map), fitted again with both; (None, None)
    when too few pairs of use, or when no refit beats the shipped map."""
    anchors = list(anchors)
    if len(counted) + len(choosing) < MIN_PAIRS_FOR_MAP or not choosing:
        return None, None
    keys, entries = vectors.every_vector()
    library = (keys, entries.astype(np.float32))  # read and widened once for both fits (full corpus: 300 MB)
    judged = judged_pairs(library, anchors + counted)
    if judged is None:
        return None, None
    start = start_matrix()
    best_ridge, best_score = None, score(None)
    for ridge in RIDGES:
        value = score(refit(judged, start, ridge))
        if value > best_score + TOLERANCE:
            best_ridge, best_score = ridge, value
    if best_ridge is None:
        return None, None
    return refit(judged_pairs(library, anchors + counted + choosing), start, best_ridge), best_ridge
