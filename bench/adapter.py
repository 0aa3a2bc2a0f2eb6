"""Fit the question adapter (``indexer.question_adapter``) on tune questions; report it on held-out ones.

    python bench/adapter.py --full DIR [--ridge 1,3,10,30] [--tax-weight 1,2] [--contrastive-ridge 0.01,0.03,0.1]
        [--temperature 0.02,0.03,0.05] [--steps 100] [--negatives 100] [--dimensions 32,48,64,96,128] [--power 2,4,6,8]
        [--search NAME=V,V ...] [--faq-weight 0,1] [--write]

Fitted on: the tax set's ``tune`` split (``bench/data/tax-questions.jsonl``) and the STARD questions of the
fitting half (``relevance.stard_half``: the parity of the sha1 of each id, declared before any fit).
Held out: the tax ``heldout`` split and the other STARD half. Each question is paired with every article
judged relevant to it (grade >= 1), weighed 1 / their number; the articles' vectors are the index's
(``indexer.vectors``), the tax library's and the full laws corpus's (imported into ``--full DIR``, made if
missing, as ``relevance.py --set stard`` does).
``--faq-weight``: the shipped FAQ's questions and their phrasings (``policies/faq/starter.json``, each
judged by its entry's citations, in force) added to every fit with that weight; in no fold and never
measured on.

Two objectives: ridge regression towards the identity (``question_adapter.fit``: each question pulled onto
its articles) and a contrastive one (``question_adapter.fit_contrastive``: each question's articles ranked
above the nearest ones that are not, ``--temperature``). The objective and its settings (the ridge, and how
much a tax question weighs against a STARD one) are chosen by 5-fold cross-validation on the fitting
questions only: MRR@10 of the cosine alone over every entry (dense retrieval), the mean of the tax and STARD
folds. The chosen setting is then fitted on all of them and measured once on the held-out questions, beside
the encoder's own vectors.

The directions the candidates by meaning are projected on (``indexer.nearest``): the principal directions
of the moved fitting questions, as few as keep the share of STARD fitting questions with a relevant entry
among the 300 nearest within 0.01 of the full vectors' (5-fold, map and directions fitted out of fold); then
measured on the held-out questions. ``--power`` chooses the power of the meaning factor the same way, with
the whole search (``choose_search``; ``--search`` adds other constants of the search to that grid).
``--write`` saves the map and the directions where the search reads them. What they do to the search as a
whole: ``relevance.py --compare question_adapter.USE=False``, ``--compare nearest.CANDIDATES=0``.
"""
from __future__ import annotations

import argparse
import itertools
import types
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb.library import statuses
from relevance import (CIVIL_CODE, ROOT, STARD_SET, TAX_SET, full_library, label, load_cases, parse_settings,
                       stard_half, tax_library)

FAQ_SET = ROOT / "policies" / "faq" / "starter.json"
CITATION = "citation"


def entry_matrix(index) -> tuple[np.ndarray, dict[tuple[str, str], list[int]]]:
    """Every live entry's vector (a row each; entries without one left out) and the rows of each
    (file, article) — and (code title, article) for the Civil Code, whichever of its files holds it."""
    entries = [types.SimpleNamespace(document_id=int(fields["document_id"]), key=fields["key"], meta=fields["meta"],
                                     status=fields.get("status"))
               for _, fields in index.searcher().reader().iter_docs()]
    rows, where = [], {}
    for entry, vector in zip(entries, index.vectors.vectors_of(entries)):
        if vector is None:
            continue
        where.setdefault((entry.meta["source"], entry.meta["unit"]), []).append(len(rows))
        if entry.meta["doc_title"] == CIVIL_CODE:
            where.setdefault((CIVIL_CODE, entry.meta["unit"]), []).append(len(rows))
        if entry.status == statuses.IN_FORCE and entry.meta.get("citation"):
            where.setdefault((CITATION, entry.meta["citation"]), []).append(len(rows))
        rows.append(vector)
    return np.asarray(rows, dtype=np.float32), where


@dataclass
class QuestionSet:
    """Questions of one library: their vectors, their relevant rows, and that library's entry matrix."""

    matrix: np.ndarray
    vectors: np.ndarray
    relevant: list[list[int]]
    cases: list[dict]

    @classmethod
    def of_cases(cls, cases: list[dict], matrix: np.ndarray, where: dict) -> "QuestionSet":
        """The cases with at least one relevant entry that has a vector."""
        from indexer import semantic

        relevant = [sorted({row for r in c["relevant"] if r["grade"] >= 1 for row in where.get(_key(r), [])})
                    for c in cases]
        kept = [i for i, rows in enumerate(relevant) if rows]
        vectors = semantic.encode([cases[i]["query"] for i in kept]).astype(np.float32)
        return cls(matrix, vectors, [relevant[i] for i in kept], [cases[i] for i in kept])

    def part(self, chosen: np.ndarray) -> "QuestionSet":
        rows = np.flatnonzero(chosen)
        return QuestionSet(self.matrix, self.vectors[chosen], [self.relevant[i] for i in rows],
                           [self.cases[i] for i in rows])

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


def faq_cases(path: Path = FAQ_SET) -> list[dict]:
    """The shipped FAQ's questions and their alternative phrasings, each judged by the entry's citations
    (``《title》第X条``, matched to the in-force version): question→article pairs the product itself holds,
    written before the tax question set, and in no split of it."""
    from kb.faq.import_export import read_faq_file

    cases = []
    for _, entry in read_faq_file(path):
        relevant = [{CITATION: citation, "grade": 2} for citation in entry.get("citations", [])]
        questions = [entry["question"], *entry.get("phrasings", [])]
        cases += [{"query": question, "relevant": relevant} for question in questions]
    return cases


def _key(relevant: dict) -> tuple[str, str]:
    if CITATION in relevant:
        return CITATION, relevant[CITATION]
    if relevant.get("path", "").startswith("民法典/"):
        return CIVIL_CODE, relevant["article"]
    return relevant["file"], relevant["article"]


@dataclass(frozen=True)
class Setting:
    """One way to fit the map: ``objective`` "ridge" (``temperature`` unused) or "contrastive"."""

    objective: str
    ridge: float
    tax_weight: float
    temperature: float = 0.0
    steps: int = 100
    depth: int = 100
    faq_weight: float = 0.0

    def __str__(self) -> str:
        shown = (f"{self.objective:<11} ridge {self.ridge:<5g} tax weight {self.tax_weight:<3g} "
                 f"FAQ weight {self.faq_weight:<3g}")
        if self.objective == "contrastive":
            shown += f" temperature {self.temperature:g} steps {self.steps} negatives {self.depth}"
        return shown

    def fit(self, tax: QuestionSet, stard: QuestionSet, faq: QuestionSet | None = None) -> np.ndarray:
        """The map fitted on ``tax`` and ``stard``, and on ``faq`` (the shipped FAQ's questions, which lie in no
        fold) when ``faq_weight`` is set."""
        from indexer.question_adapter import Judged, fit, fit_contrastive

        faq = faq if faq is not None and self.faq_weight else None
        if self.objective == "contrastive":
            judged = [Judged(tax.vectors, tax.matrix, tax.relevant, self.tax_weight),
                      Judged(stard.vectors, stard.matrix, stard.relevant)]
            if faq is not None:
                judged.append(Judged(faq.vectors, faq.matrix, faq.relevant, self.faq_weight))
            return fit_contrastive(judged, self.ridge, self.temperature, steps=self.steps, depth=self.depth)
        parts = [tax.pairs(self.tax_weight), stard.pairs(1.0)]
        if faq is not None:
            parts.append(faq.pairs(self.faq_weight))
        questions, articles, weights = (np.concatenate(column) for column in zip(*parts))
        return fit(questions, articles, self.ridge, weights)


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


@dataclass
class Folds:
    """The fitting questions in ``count`` folds, the same for every setting."""

    tax: QuestionSet
    stard: QuestionSet
    faq: QuestionSet | None = None  # always fitted on, never a fold
    count: int = 5

    def __post_init__(self):
        rng = np.random.default_rng(12366)
        self.tax_fold = rng.permutation(len(self.tax.vectors)) % self.count
        self.stard_fold = rng.permutation(len(self.stard.vectors)) % self.count

    def fitted_without(self, k: int) -> tuple[QuestionSet, QuestionSet]:
        return self.tax.part(self.tax_fold != k), self.stard.part(self.stard_fold != k)

    def held(self, k: int) -> tuple[QuestionSet, QuestionSet]:
        return self.tax.part(self.tax_fold == k), self.stard.part(self.stard_fold == k)


def cross_validate(folds: Folds, settings: list[Setting]) -> tuple[Setting, list[np.ndarray]]:
    """The setting whose maps, fitted without each fold, rank that fold best, and those maps (fold k's
    fitted without it)."""
    best = None
    for setting in settings:
        scores, maps = [], []
        for k in range(folds.count):
            maps.append(setting.fit(*folds.fitted_without(k), folds.faq))
            tax, stard = folds.held(k)
            scores.append((tax.figures(maps[-1])["MRR@10"], stard.figures(maps[-1])["MRR@10"]))
        tax_mrr, stard_mrr = np.mean(scores, axis=0)
        print(f"  {setting} out of fold MRR@10: tax {tax_mrr:.3f}, STARD {stard_mrr:.3f}, "
              f"mean {(tax_mrr + stard_mrr) / 2:.3f}", flush=True)
        if best is None or (tax_mrr + stard_mrr) / 2 > best[0]:
            best = ((tax_mrr + stard_mrr) / 2, setting, maps)
    return best[1], best[2]


def choose_dimensions(folds: Folds, maps: list[np.ndarray], choices: list[int]) -> int:
    """The fewest directions whose out-of-fold coverage of the STARD fitting half is within 0.01 of the
    full vectors', both with the maps fitted without each fold (the directions fitted on the other folds'
    moved questions, tax tune included): a map fitted on a question finds its articles, so only a question
    it has not seen shows what the projection loses."""
    from indexer.nearest import fit_basis
    from indexer.question_adapter import apply

    def covered(dimensions: int | None) -> float:
        total = 0.0
        for k, adapter in enumerate(maps):
            tax, stard = folds.fitted_without(k)
            directions = None
            if dimensions:
                directions = fit_basis(apply(np.concatenate([stard.vectors, tax.vectors]), adapter), dimensions)
            part = folds.held(k)[1]
            total += coverage(part, adapter, directions) * len(part.vectors)
        return total / len(folds.stard.vectors)

    full = covered(None)
    print(f"  candidates by meaning, top 300 of the STARD fitting half, out of fold: full vectors {full:.3f}")
    for dimensions in choices:
        share = covered(dimensions)
        print(f"  {dimensions} directions, out of fold: {share:.3f}", flush=True)
        if share >= full - 0.01:
            return dimensions
    return choices[-1]


def choose_search(folds: Folds, maps: list[np.ndarray], tax_library, full_library, settings: list[dict]) -> dict:
    """Of ``settings`` (constants of the search, ``relevance.parse_settings``: e.g. the meaning power
    ``semantic.MEANING_POWER``, the pairs' ``ranking.PAIR_POWER``), the one under which the whole search, with
    the maps fitted without each fold, ranks that fold best (MRR@10, mean of tax and STARD; STARD searched
    with limit 100). The candidates by meaning are left out: their table is built with a map fitted on all."""
    from indexer import nearest, question_adapter
    from relevance import applied, measure, summarise

    shipped, candidates = question_adapter.adapter, nearest.CANDIDATES
    rows = [([], []) for _ in settings]
    try:
        nearest.CANDIDATES = 0
        for k, adapter in enumerate(maps):
            question_adapter.adapter = lambda adapter=adapter: adapter
            tax, stard = folds.held(k)
            for setting, (tax_rows, stard_rows) in zip(settings, rows):
                with applied(setting):
                    tax_rows.extend(measure(tax_library, tax.cases, base=False)[0])
                    stard_rows.extend(measure(full_library, stard.cases, limit=100, deep=True, base=False)[0])
    finally:
        question_adapter.adapter, nearest.CANDIDATES = shipped, candidates
    best = None
    for setting, (tax_rows, stard_rows) in zip(settings, rows):
        tax_figures, stard_figures = summarise(tax_rows), summarise(stard_rows)
        mean = (tax_figures["MRR@10"] + stard_figures["MRR@10"]) / 2
        print(f"  {label(setting)}, whole search out of fold: tax MRR@10 {tax_figures['MRR@10']:.3f} / Success@5 "
              f"{tax_figures['Success@5']:.3f}, STARD MRR@10 {stard_figures['MRR@10']:.3f} / Recall@100 "
              f"{stard_figures['Recall@100']:.3f}, mean {mean:.4f}", flush=True)
        if best is None or mean > best[0]:
            best = (mean, setting)
    return best[1]


def _numbers(text: str) -> list[float]:
    return [float(n) for n in text.split(",") if n]


def main() -> None:
    from indexer import nearest, question_adapter
    from indexer.nearest import fit_basis
    from indexer.question_adapter import apply

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", type=Path, help="folder of an imported full corpus (kb.sqlite3), made if missing")
    parser.add_argument("--ridge", default="1,3,10,30")
    parser.add_argument("--tax-weight", default="1,2")
    parser.add_argument("--contrastive-ridge", default="0.01,0.03,0.1", help="ridges tried with the contrastive objective")
    parser.add_argument("--temperature", default="0.02,0.03,0.05", help="its softmax temperatures")
    parser.add_argument("--steps", default="100", help="its optimisation steps")
    parser.add_argument("--faq-weight", default="0",
                        help="how much a question of the shipped FAQ weighs (0: not fitted on)")
    parser.add_argument("--negatives", default="100", help="the nearest wrong entries each question is ranked against")
    parser.add_argument("--dimensions", default="32,48,64,96,128", help="directions tried for the candidates by meaning")
    parser.add_argument("--power", default="", help="meaning powers tried with the whole search (e.g. 2,4,6,8)")
    parser.add_argument("--search", action="append", default=[], metavar="NAME=V,V",
                        help="other constants of the search tried with it, every combination (e.g. PAIR_POWER=1,1.5,2)")
    parser.add_argument("--write", action="store_true", help="save the fitted map where the search reads it")
    args = parser.parse_args()
    tax_search = tax_library(types.SimpleNamespace(library=ROOT / "policies" / "tax", cut=None, hmm=False))
    full_search = full_library(types.SimpleNamespace(full=args.full))
    tax_index, full_index = tax_search.ours, full_search.ours
    stard_cases = load_cases(STARD_SET)
    fitting = np.array([stard_half(c) == "fit" for c in stard_cases])
    tax_matrix, tax_where = entry_matrix(tax_index)
    tax_fit = QuestionSet.of_cases(load_cases(TAX_SET, "tune"), tax_matrix, tax_where)
    tax_held = QuestionSet.of_cases(load_cases(TAX_SET, "heldout"), tax_matrix, tax_where)
    faq = QuestionSet.of_cases(faq_cases(), tax_matrix, tax_where)
    full_matrix, full_where = entry_matrix(full_index)
    stard_fit = QuestionSet.of_cases([c for c, f in zip(stard_cases, fitting) if f], full_matrix, full_where)
    stard_held = QuestionSet.of_cases([c for c, f in zip(stard_cases, fitting) if not f], full_matrix, full_where)
    print(f"fitting on {len(tax_fit.vectors)} tax tune and {len(stard_fit.vectors)} STARD questions "
          f"(and {len(faq.vectors)} FAQ questions where their weight is set); "
          f"held out: {len(tax_held.vectors)} tax, {len(stard_held.vectors)} STARD")
    settings = [Setting("ridge", r, w, faq_weight=f) for r, w, f in itertools.product(
        _numbers(args.ridge), _numbers(args.tax_weight), _numbers(args.faq_weight))]
    settings += [Setting("contrastive", r, w, t, int(steps), int(depth), f)
                 for r, w, t, steps, depth, f in itertools.product(
                     _numbers(args.contrastive_ridge), _numbers(args.tax_weight), _numbers(args.temperature),
                     _numbers(args.steps), _numbers(args.negatives), _numbers(args.faq_weight))]
    folds = Folds(tax_fit, stard_fit, faq)
    chosen, fold_maps = cross_validate(folds, settings)
    adapter = chosen.fit(tax_fit, stard_fit, faq)
    print(f"chosen: {chosen}; dense retrieval alone (cosine over every entry):")
    for name, questions in (("tax held-out", tax_held), ("STARD held-out half", stard_held),
                            ("tax tune (fitted on)", tax_fit), ("STARD fitting half (fitted on)", stard_fit)):
        plain, adapted = questions.figures(None), questions.figures(adapter)
        print(f"  {name:<32} " + "  ".join(f"{k} {plain[k]:.3f} -> {adapted[k]:.3f}" for k in plain))
    dimensions = choose_dimensions(folds, fold_maps, [int(d) for d in _numbers(args.dimensions)])
    directions = fit_basis(apply(np.concatenate([stard_fit.vectors, tax_fit.vectors]), adapter), dimensions)
    print(f"chosen: {dimensions} directions; the top 300 by meaning hold a relevant entry for (full vectors -> "
          f"projected):")
    for name, questions in (("tax held-out", tax_held), ("STARD held-out half", stard_held)):
        print(f"  {name:<32} {coverage(questions, adapter, None):.3f} -> {coverage(questions, adapter, directions):.3f}")
    if args.power or args.search:
        grid = ([f"semantic.MEANING_POWER={args.power}"] if args.power else []) + args.search
        setting = choose_search(folds, fold_maps, tax_search, full_search, parse_settings(grid))
        print(f"chosen: {label(setting)} (set by hand where it is declared)")
    if args.write:
        np.save(question_adapter.path(), adapter.astype(np.float16))
        np.save(nearest.basis_path(), directions.astype(np.float16))
        print(f"written: {question_adapter.path().relative_to(ROOT)}, {nearest.basis_path().relative_to(ROOT)}")


if __name__ == "__main__":
    main()
