"""Learning from use, simulated: does ``train-ranker``'s refit of the question map help on questions it never saw?

    PYTHONPATH=bench:. python bench/learning_from_use.py [--orders 5] [--set tax|stard --full DIR]

A deployment's copy log is stood in for by the questions the shipped map was never fitted on: the
``heldout`` split of ``bench/data/tax-questions.jsonl`` (or the held-out half of the STARD questions over
the full corpus, ``--set stard``). Each question, in a random order taken as time, becomes the pairs an agent
would copy: (question, each article judged to answer it, grade 2; STARD: every judged article). The product's
own training (``indexer.training.train``, what ``flask train-ranker`` runs) then splits them by time as it
always does (oldest 60 % fitting, next 20 % choosing the prior's weight and the map's ridge, newest 20 % held
out) and reports MRR@10 of the held-out pairs' articles with the model in force (the shipped one) and with the
new fit (and with the new map alone, and the new prior alone), twice: fitted on the log alone, and with the
pairs written down beforehand (what ``train-ranker --pairs bench/data/tax-questions.jsonl`` adds: the tax set's
tune split, which the shipped map was fitted on; not run when none of them is in the library); the plain
Whoosh + jieba baseline is measured on the same held-out pairs in the same run. Several orders (``--orders``,
seeds 0..n-1) put different questions in the held-out fifth; their pairs are pooled.

Nothing of this is shipped: the shipped map and the README's held-out figures do not change; the procedure
(splits, ridges, steps) was fixed before this was run, and is the one ``train-ranker`` applies to a real log.
Results: bench/README.md, eleventh pass (tax ~10 min with both fits; STARD ~15 min on a built corpus).
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from relevance import JUDGED_ON, ROOT, STARD_SET, TAX_SET, full_library, load_cases, stard_half, tax_library

QUESTIONS = ROOT / "bench" / "data" / "confidence-questions.jsonl"


def unit_ids(library) -> dict[tuple[str, str], int]:
    """(source file, unit label) -> unit id, and (document title, label) for files joined into one code."""
    from sqlalchemy import select

    from kb.library.models import Document, Unit

    found = {}
    with library.factory() as session:
        for unit_id, label, source, title in session.execute(
                select(Unit.id, Unit.label, Document.source_name, Document.title).join(Document)):
            found.setdefault((source, label), unit_id)
            found.setdefault((title, label), unit_id)
    return found


def pairs_of(cases: list[dict], ids: dict, grade: int) -> list[tuple[str, int, int]]:
    pairs = []
    for time_step, case in enumerate(cases):
        for r in case["relevant"]:
            unit_id = ids.get((r["file"], r["article"]))
            if r["grade"] >= grade and unit_id is not None:
                pairs.append((case["query"], unit_id, time_step))
    return pairs


def baseline_mrr(library, pairs: list, ids: dict) -> float:
    total = 0.0
    for query, unit_id, _ in pairs:
        ranked = [ids.get(key) for key in library.base_ranked(query, 10)]
        total += 1.0 / (ranked.index(unit_id) + 1) if unit_id in ranked else 0.0
    return total / len(pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("tax", "stard"), default="tax")
    parser.add_argument("--orders", type=int, default=5)
    parser.add_argument("--full", type=Path, help="folder of an imported full corpus (--set stard)")
    parser.add_argument("--library", type=Path, default=ROOT / "policies" / "tax")
    parser.add_argument("--cut", default=None)
    parser.add_argument("--hmm", action="store_true")
    args = parser.parse_args()

    from indexer.learned import LearnedModel, shipped_model
    from indexer.training import mrr, read_questions, split_pairs, train
    from kb.search.labelled_pairs import judged_set_pairs

    library = tax_library(args) if args.set == "tax" else full_library(args)
    if args.set == "tax":
        cases, grade = load_cases(TAX_SET, "heldout"), 2
    else:
        cases, grade = [c for c in load_cases(STARD_SET) if stard_half(c) == "heldout"], 1
    ids = unit_ids(library)
    questions = read_questions(QUESTIONS.read_text(encoding="utf-8"), QUESTIONS.name)
    print(f"{args.set}: {len(cases)} held-out questions as the copy log, {args.orders} orders")
    pooled: dict[str, list] = {"baseline": []}
    with library.factory() as session:  # the map's pairs written down: the tax set's tune split (``--pairs``)
        anchors = judged_set_pairs(session, load_cases(TAX_SET, "tune"))
    print(f"{len(anchors)} written-down pairs of the tax set's tune split in this library")
    for seed in range(args.orders):
        order = cases[:]
        random.Random(seed).shuffle(order)
        pairs = pairs_of(order, ids, grade)
        held = split_pairs(pairs)[2]
        base = baseline_mrr(library, held, ids)
        pooled["baseline"].append((base, len(held)))
        for name, written in [("log only", [])] + ([("with anchors", anchors)] if anchors else []):
            started = time.perf_counter()
            result = train(library.ours, questions, pairs, shipped_model(), today=JUDGED_ON, anchors=written)
            print(f"order {seed}, {name}: {len(pairs)} pairs, held out {len(held)}; MRR@10 shipped "
                  f"{result.before['MRR@10']:.3f} -> refit {result.after['MRR@10']:.3f} (baseline {base:.3f}); "
                  f"map ridge {result.model.adapter_ridge}, prior weight {result.model.prior.weight}; "
                  f"J {result.before['J']:.3f} -> {result.after['J']:.3f}; {time.perf_counter() - started:.0f} s",
                  flush=True)
            if not written:  # the model in force is the same for both
                pooled.setdefault("shipped", []).append((result.before["MRR@10"], len(held)))
            pooled.setdefault(f"refit, {name}", []).append((result.after["MRR@10"], len(held)))
            model = result.model  # each part of the new fit alone, on the same held-out pairs
            for part, alone in (("map only", LearnedModel(confidence=model.confidence, adapter=model.adapter)),
                                ("prior only", LearnedModel(confidence=model.confidence, prior=model.prior))):
                value = mrr(library.ours, held, alone, JUDGED_ON)
                print(f"    {part}: {value:.3f}", flush=True)
                pooled.setdefault(f"{name}, {part}", []).append((value, len(held)))
    for name, rows in pooled.items():
        weights = np.array([n for _, n in rows], dtype=float)
        values = np.array([v for v, _ in rows], dtype=float)
        print(f"pooled held-out pairs, {name:<26} MRR@10 {float(values @ weights / weights.sum()):.3f}")


if __name__ == "__main__":
    main()
