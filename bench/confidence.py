"""Knowing when it does not know: the low-confidence rule fitted on the tune split, measured held out.

    python bench/confidence.py [--questions PATH] [--dev PATH] [--with-faq] [--write] [--show]

Searches every question of ``bench/data/confidence-questions.jsonl`` (answerable or not, against the
tax library) and of the dev set (all answerable, never tuned on) over ``policies/tax``; fits
``indexer.confidence.fit_rule`` on the tune split; prints, for the held-out test split and for the
dev set, the share of unanswerable questions flagged low (target >= 90 %) and of answerable ones
(target <= 5 %), beside a plain baseline fitted the same way on the top score alone.
``--with-faq`` also loads the FAQ starter set, as a deployed library has it (an answer card counts as
high confidence). ``--write`` saves the fitted rule as the shipped ``indexer/data/confidence.json``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
from pathlib import Path

from common import ROOT, SHARED, scratch_library

JUDGED_ON = "2026-11-27"
QUESTIONS = ROOT / "bench" / "data" / "confidence-questions.jsonl"


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--dev", type=Path, default=SHARED / "eval" / "dev.jsonl")
    parser.add_argument("--library", type=Path, default=ROOT / "policies" / "tax")
    parser.add_argument("--write", action="store_true", help="save the fitted rule as indexer/data/confidence.json")
    parser.add_argument("--show", action="store_true", help="print each held-out question's signals")
    parser.add_argument("--with-faq", action="store_true", help="also load the FAQ starter set")
    args = parser.parse_args()

    from indexer import SearchIndex
    from indexer.confidence import FEATURES, SHIPPED_PATH, fit_rule, flag_rates
    from indexer.feeding import build_index

    work = Path(tempfile.mkdtemp(prefix="kb-confidence-"))
    factory, _, _ = scratch_library(args.library, work)
    if args.with_faq:
        from relevance import load_starter_faq

        load_starter_faq(factory)
    with factory() as session:
        build_index(work / "index", session)
    index = SearchIndex(work / "index", work)

    def rows_of(cases):
        rows = []
        for case in cases:
            response = index.search(case["query"], limit=10, today_override=JUDGED_ON)
            rows.append((response.signals, case.get("answerable", True), case))
        return rows

    questions = rows_of(read_jsonl(args.questions))
    tune = [(s, a) for s, a, c in questions if c["split"] == "tune"]
    test = [(s, a) for s, a, c in questions if c["split"] == "test"]
    dev = rows_of([c for c in read_jsonl(args.dev) if c.get("kind") == "search"]) if args.dev.exists() else []
    dev_rows = [(s, a) for s, a, _ in dev]

    rule = fit_rule(tune)
    plain = fit_rule([(_score_only(s), a) for s, a in tune])
    rule.fitted = {"on": args.questions.name + " (tune split)", "at": dt.date.today().isoformat(),
                   "tune": flag_rates(rule, tune), "test": flag_rates(rule, test),
                   "dev": flag_rates(rule, dev_rows) if dev_rows else None}
    print(f"rule fitted on the tune split ({len(tune)} questions): logistic regression on {', '.join(FEATURES)},"
          f" low below P={rule.threshold:.3f}; plain baseline: the same fit on the top score alone")
    print(f"{'set':<22} {'n':>4} {'unanswerable flagged':>21} {'answerable flagged':>19}   {'plain baseline':>15}")
    for name, rows in (("tune (fitted on)", tune), ("test (held out)", test), ("dev.jsonl (never tuned)", dev_rows)):
        if not rows:
            continue
        ours = flag_rates(rule, rows)
        base = flag_rates(plain, [(_score_only(s), a) for s, a in rows])
        unanswered = f"{ours['unanswerable_flagged']:.1%} of {ours['unanswerable']}" if ours["unanswerable"] else "-"
        base_cell = (f"{base['unanswerable_flagged']:.1%} / " if base["unanswerable"] else "- / ") \
            + f"{base['answerable_flagged']:.1%}"
        print(f"{name:<22} {len(rows):>4} {unanswered:>21} {ours['answerable_flagged']:>10.1%} of {ours['answerable']:<4}"
              f"   {base_cell:>15}")
    from indexer.confidence import shipped_rule

    shipped = shipped_rule()  # the rule in use, on this run's scores (is a refit needed after a ranking change?)
    print("shipped rule (indexer/data/confidence.json) on these scores: " + ", ".join(
        f"{name} {r['unanswerable_flagged']:.1%} / {r['answerable_flagged']:.1%}"
        for name, r in (("tune", flag_rates(shipped, tune)), ("test", flag_rates(shipped, test)),
                         ("dev", flag_rates(shipped, dev_rows) if dev_rows else None)) if r))
    print("targets: >= 90.0% of unanswerable flagged, <= 5.0% of answerable flagged (held out)")
    if args.show:
        for s, a, c in questions + dev:
            if c.get("split", "dev") != "tune":
                mark = "ok " if (rule.judge(s) == "low") != a else "XX "
                print(mark, "answerable" if a else "outside   ", rule.judge(s), s.to_dict(), c["query"])
    if args.write:
        SHIPPED_PATH.write_text(rule.to_json() + "\n", encoding="utf-8")
        print(f"written: {SHIPPED_PATH.relative_to(ROOT)}")
    index.close()


def _score_only(signals):
    """The signals with all but the top score blanked: the plain baseline judges by the top score alone."""
    from dataclasses import replace

    return replace(signals, coverage=0.0, unknown_share=0.0, gap=0.0)


if __name__ == "__main__":
    main()
