"""Relevance on the dev set: our search against the plain baseline, side by side, in one run.

    python bench/relevance.py [--cut search|precise] [--hmm] [--dev PATH] [--show] [--with-faq]

Metrics (eval/README.md): MRR@10 over grade >= 1; Recall@5 over grade >= 1 (found / min(5, judged));
Success@5 (a grade-2 article in the top 5); nDCG@10 (gain 2^grade - 1); trap@1 (a grade-0
outdated version ranked first). Judgements are as of 2026-11-27, used as "today".

``--with-faq`` also loads the FAQ starter set (``policies/faq/starter.json``) into a second index
and prints its figures next to ours: an FAQ answer card counts as the articles it cites, in their
order, ahead of the articles that follow it (what an agent reads first).
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


def load_starter_faq(factory) -> dict[int, tuple[str, str]]:
    """Load the shipped FAQ starter set; return unit id → (source file, unit label) for scoring."""
    from sqlalchemy import select

    from kb.db import transaction
    from kb.faq_io import import_faq, read_faq_file
    from kb.models import Document, Unit

    with transaction(factory) as session:
        report = import_faq(session, None, read_faq_file(ROOT / "policies" / "faq" / "starter.json"))
    assert report.ok, [str(p) for p in report.problems]
    with factory() as session:
        rows = session.execute(select(Unit.id, Document.source_name, Unit.label).join(Document)).all()
    return {unit_id: (source, label) for unit_id, source, label in rows}


def ranked_with_faq(results, units: dict[int, tuple[str, str]]) -> list[tuple[str, str]]:
    """The ranking an agent reads: an FAQ card's cited articles first, then the articles."""
    ranked: list[tuple[str, str]] = []
    for r in results:
        keys = [units[c["unit_id"]] for c in r.citations if c.get("unit_id") in units] if r.type == "faq" \
            else [(r.source, r.unit)]
        ranked += [key for key in keys if key not in ranked]
    return ranked[:10]


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
    parser.add_argument("--with-faq", action="store_true", help="also measure with the FAQ starter set indexed")
    args = parser.parse_args()

    from baseline import BaselineIndex
    from indexer import SearchIndex
    from indexer.schema import make_schema
    from indexer.feeding import build_index

    work = Path(tempfile.mkdtemp(prefix="kb-relevance-"))
    factory, _, _ = scratch_library(args.library, work)
    with factory() as session:
        build_index(work / "index", session, schema=make_schema(cut=args.cut, hmm=args.hmm))
    ours = SearchIndex(work / "index", work)
    base = BaselineIndex(work / "baseline")
    with factory() as session:
        base.rebuild(session)
    with_faq, units = None, {}
    if args.with_faq:
        units = load_starter_faq(factory)
        with factory() as session:
            build_index(work / "index-faq", session, schema=make_schema(cut=args.cut, hmm=args.hmm))
        with_faq = SearchIndex(work / "index-faq", work)

    cases = load_cases(args.dev)
    rows_ours, rows_base, rows_faq = [], [], []
    cards = cards_citing_answer = 0
    for case in cases:
        response = ours.search(case["query"], limit=10, today_override=JUDGED_ON)
        ranked = [(r.source, r.unit) for r in response.results]
        rows_ours.append(case_metrics(case, ranked))
        base_results, _ = base.search(case["query"], limit=10)
        rows_base.append(case_metrics(case, [(r["source"], r["unit"]) for r in base_results]))
        if with_faq is not None:
            results = with_faq.search(case["query"], limit=10, today_override=JUDGED_ON).results
            rows_faq.append(case_metrics(case, ranked_with_faq(results, units)))
            if results and results[0].type == "faq":
                cards += 1
                answer = {(x["file"], x["article"]) for x in case["relevant"] if x["grade"] == 2}
                cards_citing_answer += bool(answer & set(ranked_with_faq(results[:1], units)))
                if args.show:
                    print("    FAQ card:", results[0].question, [c["citation"] for c in results[0].citations])
        if args.show:
            mark = "OK " if rows_ours[-1]["Success@5"] else "-- "
            print(mark, case["id"], case["query"], "| suggestion:", response.suggestion)
            for r in response.results[:3]:
                print("      ", r.citation, round(r.score, 2))
            print("      wanted:", [(x["file"][:12], x["article"], x["grade"]) for x in case["relevant"]])
    ours_summary, base_summary = summarise(rows_ours), summarise(rows_base)
    mode = f"cut={ours.ix.schema['text'].analyzer[0].cut} hmm={ours.ix.schema['text'].analyzer[0].hmm}"
    print(f"dev set: {len(cases)} search cases, judged as of {JUDGED_ON}; ours: {mode}")
    faq_summary = summarise(rows_faq) if rows_faq else None
    faq_head = f" {'ours+FAQ':>9}" if faq_summary else ""
    print(f"{'metric':<10} {'ours':>8}{faq_head} {'baseline':>9} {'target':>8}")
    for key in ours_summary:
        target = TARGETS.get(key)
        fmt = (lambda v: f"{v:d}") if key == "trap@1" else (lambda v: f"{v:.3f}")
        target_text = "" if target is None else (f"= {target}" if key == "trap@1" else f">= {target}")
        faq_cell = f" {fmt(faq_summary[key]):>9}" if faq_summary else ""
        print(f"{key:<10} {fmt(ours_summary[key]):>8}{faq_cell} {fmt(base_summary[key]):>9} {target_text:>8}")
    if faq_summary:
        print(f"FAQ cards shown: {cards} of {len(cases)} cases; citing a grade-2 article: {cards_citing_answer}")


if __name__ == "__main__":
    main()
