"""Relevance on the dev set: our search against the plain baseline, side by side, in one run.

    python bench/relevance.py [--cut search|precise] [--hmm] [--dev PATH] [--show]

Metrics (eval/README.md): MRR@10 over grade >= 1; Recall@5 over grade >= 1 (found / min(5, judged));
Success@5 (a grade-2 article in the top 5); nDCG@10 (gain 2^grade - 1); trap@1 (a grade-0
outdated version ranked first). Judgements are as of 2026-11-27, used as "today".
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, SHARED, scratch_library  # noqa: E402

JUDGED_ON = "2026-11-27"
TARGETS = {"MRR@10": 0.85, "Success@5": 0.95, "trap@1": 0}


def load_cases(path: Path) -> list[dict]:
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [c for c in cases if c.get("kind") == "search"]


def case_metrics(case: dict, ranked: list[tuple[str, str]]) -> dict:
    grades = {(r["file"], r["article"]): r["grade"] for r in case["relevant"]}
    got = [grades.get(key) for key in ranked[:10]]
    relevant = [g for g in grades.values() if g >= 1]
    rr = next((1 / (i + 1) for i, g in enumerate(got) if g is not None and g >= 1), 0.0)
    found5 = sum(1 for g in got[:5] if g is not None and g >= 1)
    dcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(got) if g)
    ideal = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(sorted(relevant, reverse=True)[:10]))
    return {
        "MRR@10": rr,
        "Recall@5": found5 / min(5, len(relevant)) if relevant else 0.0,
        "Success@5": 1.0 if any(g == 2 for g in got[:5]) else 0.0,
        "nDCG@10": dcg / ideal if ideal else 0.0,
        "trap@1": 1 if got and got[0] == 0 else 0,
    }


def summarise(rows: list[dict]) -> dict:
    keys = rows[0].keys()
    return {k: (sum(r[k] for r in rows) if k == "trap@1" else sum(r[k] for r in rows) / len(rows)) for k in keys}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=SHARED / "eval" / "dev.jsonl")
    parser.add_argument("--library", type=Path, default=ROOT / "policies" / "tax")
    parser.add_argument("--cut", choices=("search", "precise"), default=None)
    parser.add_argument("--hmm", action="store_true")
    parser.add_argument("--show", action="store_true", help="print each case's top 3 for our search")
    args = parser.parse_args()

    from baseline import BaselineIndex
    from indexer import SearchIndex
    from indexer.schema import make_schema
    from indexer.writing import build_index

    work = Path(tempfile.mkdtemp(prefix="kb-relevance-"))
    factory, _, _ = scratch_library(args.library, work)
    with factory() as session:
        build_index(work / "index", session, schema=make_schema(cut=args.cut, hmm=args.hmm))
    ours = SearchIndex(work / "index", work)
    base = BaselineIndex(work / "baseline")
    with factory() as session:
        base.rebuild(session)

    cases = load_cases(args.dev)
    rows_ours, rows_base = [], []
    for case in cases:
        response = ours.search(case["query"], limit=10, today_override=JUDGED_ON)
        ranked = [(r.source, r.unit) for r in response.results]
        rows_ours.append(case_metrics(case, ranked))
        base_results, _ = base.search(case["query"], limit=10)
        rows_base.append(case_metrics(case, [(r["source"], r["unit"]) for r in base_results]))
        if args.show:
            mark = "OK " if rows_ours[-1]["Success@5"] else "-- "
            print(mark, case["id"], case["query"], "| suggestion:", response.suggestion)
            for r in response.results[:3]:
                print("      ", r.citation, round(r.score, 2))
            print("      wanted:", [(x["file"][:12], x["article"], x["grade"]) for x in case["relevant"]])
    ours_summary, base_summary = summarise(rows_ours), summarise(rows_base)
    mode = f"cut={ours.ix.schema['text'].analyzer[0].cut} hmm={ours.ix.schema['text'].analyzer[0].hmm}"
    print(f"dev set: {len(cases)} search cases, judged as of {JUDGED_ON}; ours: {mode}")
    print(f"{'metric':<10} {'ours':>8} {'baseline':>9} {'target':>8}")
    for key in ours_summary:
        target = TARGETS.get(key)
        fmt = (lambda v: f"{v:d}") if key == "trap@1" else (lambda v: f"{v:.3f}")
        target_text = "" if target is None else (f"= {target}" if key == "trap@1" else f">= {target}")
        print(f"{key:<10} {fmt(ours_summary[key]):>8} {fmt(base_summary[key]):>9} {target_text:>8}")


if __name__ == "__main__":
    main()
