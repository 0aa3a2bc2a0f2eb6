"""Knowing when it does not know: the low-confidence rule chosen and fitted on tune questions, measured held out.

    python bench/confidence.py [--questions PATH] [--tax PATH] [--dev PATH] [--with-faq] [--tune-only]
                               [--write] [--show] [--timing]

Searches every question of ``bench/data/confidence-questions.jsonl`` (answerable or not, against the tax
library), of ``bench/data/tax-questions.jsonl`` (all answerable) and of the dev set (all answerable, never
tuned on) over ``policies/tax``; and, as a check by another writer never tuned on, the STARD questions
(``../shared/eval/stard-dev.jsonl``): unanswerable when the articles judged relevant lie outside the library. Fitting looks at the tune splits only (confidence ``tune`` + tax ``tune``):

1. choice of the inputs and the L2 penalty by cross-validation on them (stratified 5-fold, 4 shuffles): for
   each setting, the share of unanswerable questions flagged by out-of-fold probabilities at a threshold that
   flags 5 % of the answerable ones; the inputs grow greedily from the current four while that share rises;
2. ``indexer.confidence.fit_rule`` with the chosen setting on all tune questions.

It then prints, in the same run, for the held-out splits (confidence ``test``, tax ``heldout``) and dev: the
share of unanswerable questions flagged low (target >= 90 %) and of answerable ones (target <= 5 %), for the
new rule, the same inputs without the wording model (it learns one writer's phrasing), the shipped rule as it
was, the current four inputs refitted on the same tune questions, and a plain baseline (the same fit on the top score alone). ``--tune-only`` stops before any held-out figure.
``--with-faq`` also loads the FAQ starter set, as a deployed library has it (an answer card counts as high).
``--write`` saves the new rule as the shipped ``indexer/data/confidence.json``. ``--timing`` prints what
computing the signals and judging costs per query.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import tempfile
import time
from pathlib import Path

from common import ROOT, SHARED, scratch_library

JUDGED_ON = "2026-11-27"
QUESTIONS = ROOT / "bench" / "data" / "confidence-questions.jsonl"
TAX = ROOT / "bench" / "data" / "tax-questions.jsonl"
L2 = (0.3, 1.0, 3.0, 10.0)
FOLDS, SHUFFLES, SEED = 5, 4, 12
TARGET_FALSE_FLAG = 0.05


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--tax", type=Path, default=TAX, help="answerable tax questions (split tune|heldout)")
    parser.add_argument("--dev", type=Path, default=SHARED / "eval" / "dev.jsonl")
    parser.add_argument("--stard", type=Path, default=SHARED / "eval" / "stard-dev.jsonl",
                        help="real questions of another writer; those judged on laws outside the library are unanswerable")
    parser.add_argument("--library", type=Path, default=ROOT / "policies" / "tax")
    parser.add_argument("--tune-only", action="store_true", help="choose and fit; print no held-out figure")
    parser.add_argument("--write", action="store_true", help="save the fitted rule as indexer/data/confidence.json")
    parser.add_argument("--show", action="store_true", help="print each held-out question's signals")
    parser.add_argument("--with-faq", action="store_true", help="also load the FAQ starter set")
    parser.add_argument("--timing", action="store_true", help="time the signals and the judgement per query")
    args = parser.parse_args()

    from indexer import SearchIndex
    from indexer.confidence import LEGACY_FEATURES, SHIPPED_PATH, fit_rule, shipped_rule
    from indexer.feeding import build_index

    shipped = shipped_rule()  # the rule in force before this run
    work = Path(tempfile.mkdtemp(prefix="kb-confidence-"))
    factory, _, _ = scratch_library(args.library, work)
    if args.with_faq:
        from relevance import load_starter_faq

        load_starter_faq(factory)
    with factory() as session:
        build_index(work / "index", session)
    index = SearchIndex(work / "index", work)

    def rows_of(cases):
        return [(index.search(c["query"], limit=10, today_override=JUDGED_ON).signals, c.get("answerable", True), c)
                for c in cases]

    questions = rows_of(read_jsonl(args.questions))
    tax = rows_of([c for c in read_jsonl(args.tax) if c.get("kind", "search") == "search"]) if args.tax.exists() else []
    tune = [(s, a) for s, a, c in questions if c["split"] == "tune"] + [(s, a) for s, a, c in tax if c["split"] == "tune"]
    count = lambda rows: f"{sum(a for _, a in rows)} answerable, {sum(not a for _, a in rows)} unanswerable"
    print(f"tune: {len(tune)} questions ({count(tune)}): confidence tune split + tax tune split")

    names, l2, wording_c, cv = choose(tune)
    rule = fit_rule(tune, names=names, l2=l2, wording_c=wording_c)
    legacy = fit_rule(tune, names=LEGACY_FEATURES)
    # The same inputs without the wording model: it learns one writer's phrasing, so it is shown apart.
    unworded = fit_rule(tune, names=tuple(n for n in names if n != "wording"), l2=l2)
    plain = fit_rule(tune, names=("log_top_score",))
    print(f"chosen by cross-validation on tune: inputs {', '.join(names)}; L2 {l2}; wording C {wording_c}; "
          f"CV unanswerable flagged at 5 % answerable flagged: {cv:.1%}; threshold P < {rule.threshold:.3f}")
    if args.timing:
        timing(index, [c["query"] for _, _, c in questions], rule)
    if args.tune_only:
        return

    confidence_test = [(s, a) for s, a, c in questions if c["split"] == "test"]
    tax_held = [(s, a) for s, a, c in tax if c["split"] == "heldout"]
    dev = rows_of([c for c in read_jsonl(args.dev) if c.get("kind") == "search"]) if args.dev.exists() else []
    dev_rows = [(s, a) for s, a, _ in dev]
    stard = rows_of(stard_cases(args.stard, args.library)) if args.stard.exists() else []
    stard_rows = [(s, a) for s, a, _ in stard]
    sets = (("tune (fitted on)", tune), ("confidence test (held out)", confidence_test),
            ("tax heldout (held out)", tax_held), ("dev.jsonl (never tuned)", dev_rows),
            ("STARD (never tuned)", stard_rows))
    rules = (("new", rule), ("new, no wording", unworded), ("shipped before", shipped), ("4 inputs refitted", legacy),
             ("plain top score", plain))
    print(f"\n{'set':<28} {'n':>4}  " + "  ".join(f"{name:>19}" for name, _ in rules))
    print(f"{'':<28} {'':>4}  " + "  ".join(f"{'unans. / ans. flag':>19}" for _ in rules))
    for name, rows in sets:
        if rows:
            cells = [_cell(r, rows) for _, r in rules]
            print(f"{name:<28} {len(rows):>4}  " + "  ".join(f"{c:>19}" for c in cells))
    print("targets: >= 90.0% of unanswerable flagged, <= 5.0% of answerable flagged (held out)")
    rule.fitted = {"on": f"{args.questions.name} + {args.tax.name} (tune splits)", "at": dt.date.today().isoformat(),
                   "l2": l2, "wording_c": wording_c, "cv_unanswerable_flagged": round(cv, 4),
                   "tune": _rates(rule, tune), "test": _rates(rule, confidence_test),
                   "tax_heldout": _rates(rule, tax_held), "dev": _rates(rule, dev_rows) if dev_rows else None,
                   "stard": _rates(rule, stard_rows) if stard_rows else None}
    if args.show:
        for s, a, c in questions + dev:
            if c.get("split", "dev") != "tune":
                mark = "ok " if (rule.judge(s) == "low") != a else "XX "
                print(mark, "answerable" if a else "outside   ", rule.judge(s), s.to_dict(), c["query"])
    if args.write:
        SHIPPED_PATH.write_text(rule.to_json() + "\n", encoding="utf-8")
        print(f"written: {SHIPPED_PATH.relative_to(ROOT)}")
    index.close()


def _law(file_name: str) -> str:
    """A library file's law: its name without the date in brackets and the extension."""
    return re.sub(r"\(.*?\)", "", file_name.removesuffix(".md"))


def stard_cases(path: Path, library: Path) -> list[dict]:
    """The STARD questions (layperson legal questions, another writer), each answerable when an article judged
    relevant to it belongs to a law the library holds (刑法, 行政处罚法, 政府信息公开条例), else not: most ask
    about the Civil Code, labour or procedure law, which a tax library does not hold."""
    laws = {_law(f.name) for f in library.glob("*.md")}
    return [dict(c, answerable=any(_law(r["file"]) in laws for r in c["relevant"]))
            for c in read_jsonl(path) if c.get("kind", "search") == "search"]


def _rates(rule, rows) -> dict:
    from indexer.confidence import flag_rates

    return flag_rates(rule, rows)


def _cell(rule, rows) -> str:
    rates = _rates(rule, rows)
    left = f"{rates['unanswerable_flagged']:.1%}" if rates["unanswerable"] else "-"
    return f"{left} / {rates['answerable_flagged']:.1%}"


def _folds(rows, seed: int) -> list[int]:
    """A fold number per row, stratified by answerable."""
    rng = random.Random(seed)
    fold = [0] * len(rows)
    for label in (True, False):
        members = [i for i, (_, a) in enumerate(rows) if a == label]
        rng.shuffle(members)
        for k, i in enumerate(members):
            fold[i] = k % FOLDS
    return fold


def cv_score(rows, names, l2: float, wording_c: float = 10.0) -> float:
    """Mean over shuffles of the share of unanswerable rows flagged by out-of-fold probabilities at the
    threshold that flags ``TARGET_FALSE_FLAG`` of the answerable rows."""
    from indexer.confidence import _fit_model

    judged = [(s, a) for s, a in rows if not (s.cited or s.faq) and s.articles]
    shares = []
    for shuffle in range(SHUFFLES):
        fold = _folds(judged, SEED + shuffle)
        held = []
        for k in range(FOLDS):
            model = _fit_model([r for r, f in zip(judged, fold) if f != k], names, l2, wording_c)
            held += [(model.probability(s), a) for (s, a), f in zip(judged, fold) if f == k]
        answerable = sorted(p for p, a in held if a)
        threshold = answerable[int(TARGET_FALSE_FLAG * len(answerable))]
        outside = [p for p, a in held if not a]
        shares.append(sum(p < threshold for p in outside) / len(outside))
    return sum(shares) / len(shares)


def choose(rows) -> tuple[tuple[str, ...], float, float, float]:
    """By ``cv_score``: inputs grown (or trimmed) greedily from the current four signals; then the wording model
    added to that set, to all signals or to the current four (C 10), then its C, then the L2 penalty."""
    from indexer.confidence import FEATURE_VALUES, LEGACY_FEATURES, WORDING

    def report(score, names, l2=1.0, c=None):
        print(f"  CV {score:.1%}  {', '.join(names)}; L2 {l2}" + (f"; wording C {c}" if c else ""), flush=True)

    names = tuple(LEGACY_FEATURES)
    best = cv_score(rows, names, 1.0)
    report(best, names)
    while True:
        trials = [(cv_score(rows, names + (n,), 1.0), names + (n,)) for n in FEATURE_VALUES if n not in names]
        trials += [(cv_score(rows, tuple(m for m in names if m != n), 1.0), tuple(m for m in names if m != n))
                   for n in names if len(names) > 1]
        score, candidate = max(trials, key=lambda t: t[0])
        if score <= best + 0.005:  # less than half a point: not worth another input
            break
        best, names = score, candidate
        report(best, names)
    chosen, c = (best, names), None
    for base in (names, tuple(FEATURE_VALUES), tuple(LEGACY_FEATURES)):
        score = cv_score(rows, base + (WORDING,), 1.0, 10.0)
        report(score, base + (WORDING,), 1.0, 10.0)
        if score > chosen[0] + 0.005:
            chosen, c = (score, base + (WORDING,)), 10.0
    best, names = chosen
    if c:
        for other in (3.0, 30.0):
            score = cv_score(rows, names, 1.0, other)
            report(score, names, 1.0, other)
            if score > best + 0.005:
                best, c = score, other
    l2 = 1.0
    for other in L2:
        if other != 1.0:
            score = cv_score(rows, names, other, c or 10.0)
            report(score, names, other, c)
            if score > best + 0.005:
                best, l2 = score, other
    return names, l2, c or 10.0, best


def timing(index, queries: list[str], rule) -> None:
    """Per query: the whole search, and the signals + judgement inside it (``indexer.search.signals`` wrapped
    by a stopwatch for this measurement, so it runs on the very results and texts a search gives it)."""
    import sys

    search_module = sys.modules["indexer.search"]  # the package exports a function of that name

    original, spent = search_module.signals, []

    def timed(*args):
        started = time.perf_counter()
        found = original(*args)
        rule.judge(found)
        spent.append(time.perf_counter() - started)
        return found

    search_module.signals = timed
    whole = []
    try:
        for _ in range(3):
            for q in queries:
                started = time.perf_counter()
                index.search(q, limit=10, today_override=JUDGED_ON)
                whole.append(time.perf_counter() - started)
    finally:
        search_module.signals = original
    whole.sort(), spent.sort()
    print(f"timing ({len(whole)} searches, 3 passes): search median {whole[len(whole) // 2] * 1000:.2f} ms; "
          f"signals + judgement median {spent[len(spent) // 2] * 1000:.3f} ms, "
          f"p95 {spent[int(len(spent) * 0.95)] * 1000:.3f} ms")


if __name__ == "__main__":
    main()
