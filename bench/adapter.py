"""Fit the question adapter (``indexer.question_adapter``) on tune questions; report it on held-out ones.

    python bench/adapter.py --full DIR [--ridge 1,3,10,30] [--tax-weight 1,2] [--dimensions 32,48,64,96,128] [--write]

Fitted on: the tax set's ``tune`` split (``bench/data/tax-questions.jsonl``) and the STARD questions of the
fitting half (``relevance.stard_half``: the parity of the sha1 of each id, declared before any fit).
Held out: the tax ``heldout`` split and the other STARD half. Each question is paired with every article
judged relevant to it (grade >= 1), weighed 1 / their number; the articles' vectors are the index's
(``indexer.vectors``), the tax library's and the full laws corpus's (imported into ``--full DIR``, made if
missing, as ``relevance.py --set stard`` does).

The ridge (and how much a tax pair weighs against a STARD pair) is chosen by 5-fold cross-validation on the
fitting questions only: MRR@10 of the cosine alone over every entry (dense retrieval), the mean of the tax
and STARD folds. The chosen setting is then fitted on all of them and measured once on the held-out
questions, beside the encoder's own vectors.

The directions the candidates by meaning are projected on (``indexer.nearest``): the principal directions
of the moved fitting questions, as few as keep the share of STARD fitting questions with a relevant entry
among the 300 nearest within 0.01 of the full vectors' (5-fold, directions fitted out of fold); then
measured on the held-out questions. ``--write`` saves the map and the directions where the search reads
them. What they do to the search as a whole: ``relevance.py --compare question_adapter.USE=False``,
``--compare nearest.CANDIDATES=0``.
"""
from __future__ import annotations

import argparse
import itertools
import types
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from relevance import (CIVIL_CODE, ROOT, STARD_SET, TAX_SET, full_library, load_cases, stard_half,
                       tax_library)


def entry_matrix(index) -> tuple[np.ndarray, dict[tuple[str, str], list[int]]]:
    """Every live entry's vector (a row each; entries without one left out) and the rows of each
    (file, article) — and (code title, article) for the Civil Code, whichever of its files holds it."""
    entries = [types.SimpleNamespace(document_id=int(fields["document_id"]), key=fields["key"], meta=fields["meta"])
               for _, fields in index.searcher().reader().iter_docs()]
    rows, where = [], {}
    for entry, vector in zip(entries, index.vectors.vectors_of(entries)):
        if vector is None:
            continue
        where.setdefault((entry.meta["source"], entry.meta["unit"]), []).append(len(rows))
        if entry.meta["doc_title"] == CIVIL_CODE:
            where.setdefault((CIVIL_CODE, entry.meta["unit"]), []).append(len(rows))
        rows.append(vector)
    return np.asarray(rows, dtype=np.float32), where


@dataclass
class QuestionSet:
    """Questions of one library: their vectors, their relevant rows, and that library's entry matrix."""

    matrix: np.ndarray
    vectors: np.ndarray
    relevant: list[list[int]]

    @classmethod
    def of_cases(cls, cases: list[dict], matrix: np.ndarray, where: dict) -> "QuestionSet":
        """The cases with at least one relevant entry that has a vector."""
        from indexer import semantic

        relevant = [sorted({row for r in c["relevant"] if r["grade"] >= 1 for row in where.get(_key(r), [])})
                    for c in cases]
        kept = [i for i, rows in enumerate(relevant) if rows]
        vectors = semantic.encode([cases[i]["query"] for i in kept]).astype(np.float32)
        return cls(matrix, vectors, [relevant[i] for i in kept])

    def part(self, chosen: np.ndarray) -> "QuestionSet":
        return QuestionSet(self.matrix, self.vectors[chosen], [self.relevant[i] for i in np.flatnonzero(chosen)])

    def pairs(self, weight: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        questions, articles, weights = [], [], []
        for vector, rows in zip(self.vectors, self.relevant):
            for row in rows:
                questions.append(vector)
                articles.append(self.matrix[row])
                weights.append(weight / len(rows))
        return np.asarray(questions), np.asarray(articles), np.asarray(weights)

    def figures(self, adapter: np.ndarray | None) -> dict:
        from indexer.question_adapter import apply

        vectors = apply(self.vectors, adapter)
        rr, hit5, hit100 = [], [], []
        for start in range(0, len(vectors), 256):
            cosines = self.matrix @ vectors[start:start + 256].T
            best = np.argpartition(-cosines, 100, axis=0)[:100]
            for j, rows in enumerate(self.relevant[start:start + 256]):
                ranked = best[np.argsort(-cosines[best[:, j], j]), j]
                ranks = np.flatnonzero(np.isin(ranked, rows))
                first = int(ranks[0]) if len(ranks) else 100
                rr.append(1 / (first + 1) if first < 10 else 0.0)
                hit5.append(first < 5)
                hit100.append(first < 100)
        return {"MRR@10": np.mean(rr), "Success@5": np.mean(hit5), "Success@100": np.mean(hit100)}


def _key(relevant: dict) -> tuple[str, str]:
    if relevant.get("path", "").startswith("民法典/"):
        return CIVIL_CODE, relevant["article"]
    return relevant["file"], relevant["article"]


def fit_on(sets: list[tuple[QuestionSet, float]], ridge: float) -> np.ndarray:
    from indexer.question_adapter import fit

    parts = [s.pairs(weight) for s, weight in sets]
    questions, articles, weights = (np.concatenate(column) for column in zip(*parts))
    return fit(questions, articles, ridge, weights)


def coverage(questions: QuestionSet, adapter: np.ndarray | None, directions: np.ndarray | None,
             depth: int = 300) -> float:
    """Share of questions with a relevant entry among the ``depth`` nearest the moved question (the
    candidates by meaning, ``indexer.nearest``): over the full vectors, or projected on ``directions``."""
    from indexer.question_adapter import apply

    vectors, matrix = apply(questions.vectors, adapter), questions.matrix
    if directions is not None:
        vectors, matrix = vectors @ directions, matrix @ directions
    hits = []
    for start in range(0, len(vectors), 256):
        products = matrix @ vectors[start:start + 256].T
        best = np.argpartition(-products, depth, axis=0)[:depth]
        hits += [bool(np.isin(best[:, j], rows).any()) for j, rows in enumerate(questions.relevant[start:start + 256])]
    return float(np.mean(hits))


def choose_dimensions(stard: QuestionSet, tax: QuestionSet, adapter: np.ndarray, choices, folds: int = 5) -> int:
    """The fewest directions whose out-of-fold coverage of the STARD fitting half is within 0.01 of the
    full vectors' (the directions fitted on the other folds' moved questions, tax tune included)."""
    from indexer.nearest import fit_basis
    from indexer.question_adapter import apply

    fold = np.random.default_rng(12366).permutation(len(stard.vectors)) % folds
    full = coverage(stard, adapter, None)
    print(f"  candidates by meaning, top 300 of the STARD fitting half: full vectors {full:.3f}")
    for dimensions in choices:
        covered = []
        for k in range(folds):
            moved = apply(np.concatenate([stard.vectors[fold != k], tax.vectors]), adapter)
            part = stard.part(fold == k)
            covered.append(coverage(part, adapter, fit_basis(moved, dimensions)) * len(part.vectors))
        share = sum(covered) / len(stard.vectors)
        print(f"  {dimensions} directions, out of fold: {share:.3f}", flush=True)
        if share >= full - 0.01:
            return dimensions
    return choices[-1]


def cross_validate(tax: QuestionSet, stard: QuestionSet, ridges, tax_weights, folds: int = 5) -> tuple:
    rng = np.random.default_rng(12366)
    tax_fold = rng.permutation(len(tax.vectors)) % folds
    stard_fold = rng.permutation(len(stard.vectors)) % folds
    best = None
    for ridge, weight in itertools.product(ridges, tax_weights):
        scores = []
        for k in range(folds):
            adapter = fit_on([(tax.part(tax_fold != k), weight), (stard.part(stard_fold != k), 1.0)], ridge)
            scores.append((tax.part(tax_fold == k).figures(adapter)["MRR@10"],
                           stard.part(stard_fold == k).figures(adapter)["MRR@10"]))
        tax_mrr, stard_mrr = np.mean(scores, axis=0)
        print(f"  ridge {ridge:<5g} tax weight {weight:<3g} out of fold MRR@10: tax {tax_mrr:.3f}, "
              f"STARD {stard_mrr:.3f}, mean {(tax_mrr + stard_mrr) / 2:.3f}", flush=True)
        if best is None or (tax_mrr + stard_mrr) / 2 > best[0]:
            best = ((tax_mrr + stard_mrr) / 2, ridge, weight)
    return best[1], best[2]


def main() -> None:
    from indexer import nearest, question_adapter
    from indexer.nearest import fit_basis
    from indexer.question_adapter import apply

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", type=Path, help="folder of an imported full corpus (kb.sqlite3), made if missing")
    parser.add_argument("--ridge", default="1,3,10,30")
    parser.add_argument("--tax-weight", default="1,2")
    parser.add_argument("--dimensions", default="32,48,64,96,128", help="directions tried for the candidates by meaning")
    parser.add_argument("--write", action="store_true", help="save the fitted map where the search reads it")
    args = parser.parse_args()
    tax_index = tax_library(types.SimpleNamespace(library=ROOT / "policies" / "tax", cut=None, hmm=False)).ours
    full_index = full_library(types.SimpleNamespace(full=args.full)).ours
    stard_cases = load_cases(STARD_SET)
    fitting = np.array([stard_half(c) == "fit" for c in stard_cases])
    tax_matrix, tax_where = entry_matrix(tax_index)
    tax_fit = QuestionSet.of_cases(load_cases(TAX_SET, "tune"), tax_matrix, tax_where)
    tax_held = QuestionSet.of_cases(load_cases(TAX_SET, "heldout"), tax_matrix, tax_where)
    full_matrix, full_where = entry_matrix(full_index)
    stard_fit = QuestionSet.of_cases([c for c, f in zip(stard_cases, fitting) if f], full_matrix, full_where)
    stard_held = QuestionSet.of_cases([c for c, f in zip(stard_cases, fitting) if not f], full_matrix, full_where)
    print(f"fitting on {len(tax_fit.vectors)} tax tune and {len(stard_fit.vectors)} STARD questions; "
          f"held out: {len(tax_held.vectors)} tax, {len(stard_held.vectors)} STARD")
    ridge, weight = cross_validate(tax_fit, stard_fit, [float(r) for r in args.ridge.split(",")],
                                   [float(w) for w in args.tax_weight.split(",")])
    adapter = fit_on([(tax_fit, weight), (stard_fit, 1.0)], ridge)
    print(f"chosen: ridge {ridge:g}, tax weight {weight:g}; dense retrieval alone (cosine over every entry):")
    for name, questions in (("tax held-out", tax_held), ("STARD held-out half", stard_held),
                            ("tax tune (fitted on)", tax_fit), ("STARD fitting half (fitted on)", stard_fit)):
        plain, adapted = questions.figures(None), questions.figures(adapter)
        print(f"  {name:<32} " + "  ".join(f"{k} {plain[k]:.3f} -> {adapted[k]:.3f}" for k in plain))
    dimensions = choose_dimensions(stard_fit, tax_fit, adapter, [int(d) for d in args.dimensions.split(",")])
    directions = fit_basis(apply(np.concatenate([stard_fit.vectors, tax_fit.vectors]), adapter), dimensions)
    print(f"chosen: {dimensions} directions; the top 300 by meaning hold a relevant entry for (full vectors -> "
          f"projected):")
    for name, questions in (("tax held-out", tax_held), ("STARD held-out half", stard_held)):
        print(f"  {name:<32} {coverage(questions, adapter, None):.3f} -> {coverage(questions, adapter, directions):.3f}")
    if args.write:
        np.save(question_adapter.path(), adapter.astype(np.float16))
        np.save(nearest.basis_path(), directions.astype(np.float16))
        print(f"written: {question_adapter.path().relative_to(ROOT)}, {nearest.basis_path().relative_to(ROOT)}")


if __name__ == "__main__":
    main()
