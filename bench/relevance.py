"""Relevance per question set: our search beside the plain baseline, in one run, on held-out questions.

    python bench/relevance.py [--set tax|dev|stard ...] [--stard] [--full DIR] [--limit N]
                              [--synonym-groups] [--show] [--with-faq] [--cut search|precise] [--hmm]
                              [--cv NAME=V1,V2,... ...] [--compare NAME=V,...]

Sets (each printed as its own table, ours beside the baseline measured in the same run):
- ``tax``: ``bench/data/tax-questions.jsonl``, 503 questions written for this product, judged against the tax
  library. Its ``split`` field was fixed before anything was tuned: whatever is fitted looks at ``tune``
  only, and the ``heldout`` figures are the ones to quote. The ``tune`` figures are printed too, marked,
  so that a gain that appears only on tuned data shows.
- ``dev``: ``../shared/eval/dev.jsonl`` (30 search cases). The ranking of issue 12 was not tuned on it; the
  earlier parameters and a part of the synonym table were (see bench/README.md).
- ``stard`` (``--stard``): ``../shared/eval/stard-dev.jsonl``, 1,028 real layperson questions over the full
  laws corpus (imported into a scratch folder, or reused with ``--full DIR``), searched with
  ``--limit`` results (100 by default); also printed for the questions outside the Civil Code, and for the
  held-out half (``stard_half``: the other half fits the question adapter, ``bench/adapter.py``).

Metrics (eval/README.md): MRR@10 over grade >= 1; Recall@5 over grade >= 1 (found / min(5, judged));
Success@5 (a grade-2 article in the top 5); nDCG@10 (gain 2^grade - 1); trap@1 (a grade-0 outdated
version ranked first, a count); Recall@10 and Recall@100 for STARD (found / judged). Tax judgements are as of
2026-11-27, used as "today".

``--cv NAME=V1,V2,...`` (repeatable; NAME a constant of ``indexer.ranking``, or ``module.NAME`` of another
``indexer`` module) chooses a setting on the tax set's ``tune`` split only: every combination of the values is
measured on each tune question, then 5-fold cross-validation (ten shuffles) picks the best on four folds and
scores it on the fifth; it prints each setting's tune figure, the out-of-fold figure of the choice and how
often each setting was chosen, and touches no held-out question. ``--compare NAME=V,...`` adds a column "ours
with NAME=V" to every table (the parameters as they are against a setting, in the same run).

``--synonym-groups`` measures what each group of the synonym table (abbreviation, statute, everyday; see
``indexer/data/synonyms.tsv``) adds: the tax set's held-out and tune questions and dev, with no synonyms,
each group alone, all but each group, and all. ``--with-faq`` also loads the FAQ starter set
(``policies/faq/starter.json``) into a second index: an FAQ answer card counts as the articles it cites, in
their order, ahead of the articles that follow it (what an agent reads first).
"""
from __future__ import annotations

import argparse
import hashlib
import importlib
import itertools
import json
import math
import tarfile
import tempfile
import time
from pathlib import Path

from common import ROOT, SHARED, scratch_library

JUDGED_ON = "2026-11-27"
TAX_SET = ROOT / "bench" / "data" / "tax-questions.jsonl"
DEV_SET = SHARED / "eval" / "dev.jsonl"
STARD_SET = SHARED / "eval" / "stard-dev.jsonl"
FULL_CORPUS = SHARED / "corpus" / "laws-full.tar.xz"
CIVIL_CODE = "中华人民共和国民法典"
TARGETS = {"tax": {"MRR@10": ">= 0.85", "Success@5": ">= 0.95", "trap@1": "= 0"},
           "stard": {"MRR@10": ">= 0.55", "Recall@100": ">= 0.90"}}
GROUPS = ("abbreviation", "statute", "everyday")


def load_cases(path: Path, split: str | None = None) -> list[dict]:
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    cases = [c for c in cases if c.get("kind") == "search"]
    return [c for c in cases if split is None or c.get("split") == split]


def stard_half(case: dict) -> str:
    """"fit" or "heldout": the half of the STARD questions a fitted table may learn from (the parity of the
    sha1 of the case's id, declared before anything was fitted; ``bench/adapter.py``), and the other half."""
    return "fit" if int(hashlib.sha1(case["id"].encode()).hexdigest(), 16) % 2 == 0 else "heldout"


def case_metrics(case: dict, ranked: list[tuple[str, str]], titles: dict[str, str] | None = None,
                 deep: bool = False) -> dict:
    """Figures of one case; ``ranked``: (source file, unit label) best first; ``titles``: file -> title,
    so that a Civil Code article matches whichever of the code's files (or the joined code) holds it."""
    grades = {}
    for r in case["relevant"]:
        grades[(r["file"], r["article"])] = r["grade"]
        if r.get("path", "").startswith("民法典/"):
            grades[(CIVIL_CODE, r["article"])] = r["grade"]

    def grade(key):
        if key in grades:
            return grades[key]
        return grades.get(((titles or {}).get(key[0]), key[1]))

    got = [grade(key) for key in ranked]
    judged = [(r["file"], r["article"]) for r in case["relevant"] if r["grade"] >= 1]
    relevant = [r["grade"] for r in case["relevant"] if r["grade"] >= 1]
    rr = next((1 / (i + 1) for i, g in enumerate(got[:10]) if g is not None and g >= 1), 0.0)
    found5 = sum(1 for g in got[:5] if g is not None and g >= 1)
    dcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(got[:10]) if g)
    ideal = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(sorted(relevant, reverse=True)[:10]))
    row = {
        "MRR@10": rr,
        "Recall@5": found5 / min(5, len(relevant)) if relevant else 0.0,
        "Success@5": 1.0 if any(g == 2 for g in got[:5]) else 0.0,
        "nDCG@10": dcg / ideal if ideal else 0.0,
        "trap@1": 1 if got and got[0] == 0 else 0,
    }
    if deep:  # STARD: every judged article counted once, however many of the code's files match
        for k in (10, 100):
            hits = {i for i, g in enumerate(got[:k]) if g is not None and g >= 1}
            row[f"Recall@{k}"] = min(len(hits), len(judged)) / len(judged) if judged else 0.0
        del row["trap@1"], row["Recall@5"]
    return row


def summarise(rows: list[dict]) -> dict:
    if not rows:
        return {}
    return {k: (sum(r[k] for r in rows) if k == "trap@1" else sum(r[k] for r in rows) / len(rows))
            for k in rows[0]}


def print_table(title: str, columns: dict[str, dict], targets: dict | None = None) -> None:
    print(f"\n{title}")
    names = list(columns)
    keys = list(next(iter(columns.values())))
    print(f"{'metric':<11}" + "".join(f" {n:>10}" for n in names) + (f" {'target':>9}" if targets else ""))
    for key in keys:
        cells = "".join(f" {(f'{columns[n][key]:d}' if key == 'trap@1' else f'{columns[n][key]:.3f}'):>10}"
                        for n in names)
        print(f"{key:<11}{cells}" + (f" {targets.get(key, ''):>9}" if targets else ""))


def load_starter_faq(factory) -> dict[int, tuple[str, str]]:
    """Load the shipped FAQ starter set; return unit id -> (source file, unit label) for scoring."""
    from sqlalchemy import select

    from kb.core.actors import SYSTEM
    from kb.core.db import transaction
    from kb.faq.import_export import import_faq, read_faq_file
    from kb.library.models import Document, Unit

    with transaction(factory) as session:
        report = import_faq(session, SYSTEM, read_faq_file(ROOT / "policies" / "faq" / "starter.json"))
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


class Library:
    """A scratch library database with our index and the baseline's over the same units."""

    def __init__(self, factory, work: Path, cut=None, hmm=False, build_base=True, procs=1):
        from baseline import BaselineIndex
        from indexer import SearchIndex
        from indexer.feeding import build_index
        from indexer.schema import make_schema

        self.factory, self.work = factory, work
        if not (work / "index").exists():
            with factory() as session:
                build_index(work / "index", session, schema=make_schema(cut=cut, hmm=hmm), procs=procs)
        self.ours = SearchIndex(work / "index", work)
        self.base = BaselineIndex(work / "baseline")
        if build_base and not self.base.ix.doc_count():
            with factory() as session:
                self.base.rebuild(session)
        self.titles = self._titles()

    def _titles(self) -> dict[str, str]:
        from sqlalchemy import select

        from kb.library.models import Document

        with self.factory() as session:
            return {source: title for source, title in session.execute(select(Document.source_name, Document.title))}

    def ours_ranked(self, query: str, limit: int = 10) -> list[tuple[str, str]]:
        return [(r.source, r.unit) for r in self.ours.search(query, limit=limit, today_override=JUDGED_ON).results]

    def base_ranked(self, query: str, limit: int = 10) -> list[tuple[str, str]]:
        return [(r["source"], r["unit"]) for r in self.base.search(query, limit=limit)[0]]


def tax_library(args) -> Library:
    work = Path(tempfile.mkdtemp(prefix="kb-relevance-"))
    factory, _, _ = scratch_library(args.library, work)
    return Library(factory, work, cut=args.cut, hmm=args.hmm)


def full_library(args) -> Library:
    from kb.core.db import make_engine, make_session_factory

    if args.full and (args.full / "kb.sqlite3").exists():
        work = args.full
        factory = make_session_factory(make_engine(f"sqlite:///{work / 'kb.sqlite3'}"))
    else:
        work = args.full or Path(tempfile.mkdtemp(prefix="kb-relevance-full-"))
        work.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="kb-laws-full-"))
        with tarfile.open(FULL_CORPUS) as archive:
            archive.extractall(folder, filter="data")
        roots = [p for p in folder.iterdir() if p.is_dir()]
        started = time.perf_counter()
        factory, _, report = scratch_library(roots[0] if len(roots) == 1 else folder, work)
        print(f"full corpus imported in {time.perf_counter() - started:.0f} s ({len(report.failed)} files failed)")
    return Library(factory, work, procs=2)


def measure(library: Library, cases: list[dict], limit: int = 10, deep: bool = False, show: bool = False,
            base: bool = True) -> tuple[list[dict], list[dict]]:
    rows_ours, rows_base = [], []
    for case in cases:
        ranked = library.ours_ranked(case["query"], limit)
        rows_ours.append(case_metrics(case, ranked, library.titles, deep))
        if base:
            rows_base.append(case_metrics(case, library.base_ranked(case["query"], limit), library.titles, deep))
        if show:
            mark = "OK " if rows_ours[-1]["Success@5"] else "-- "
            print(mark, case["id"], case["query"])
            for key in ranked[:3]:
                print("      ", key)
            print("      wanted:", [(x["file"][:14], x["article"], x["grade"]) for x in case["relevant"]][:4])
    return rows_ours, rows_base


def _target(name: str):
    """(module, attribute) of a ``--cv`` / ``--compare`` name: ``NAME`` of ``indexer.ranking`` or ``module.NAME``."""
    module, _, attribute = name.rpartition(".")
    module = importlib.import_module(f"indexer.{module or 'ranking'}")
    if not hasattr(module, attribute):
        raise SystemExit(f"{module.__name__} has no {attribute}")
    return module, attribute


def _value(text: str):
    """``True``/``False``, an int (a count: ``search.CANDIDATES=150``), or a float."""
    if text in ("True", "False"):
        return text == "True"
    return int(text) if text.lstrip("-").isdigit() else float(text)


def parse_settings(specs: list[str]) -> list[dict]:
    """``["A=1,2", "B=0,1"]`` -> every combination, as {name: value}; the first values first."""
    names, values = [], []
    for spec in specs:
        name, _, listed = spec.partition("=")
        _target(name)
        names.append(name)
        values.append([_value(v) for v in listed.split(",")])
    return [dict(zip(names, combination)) for combination in itertools.product(*values)]


class applied:
    """Context manager: the constants of ``setting`` set, the old values restored after."""

    def __init__(self, setting: dict):
        self.setting, self.saved = setting, {}

    def __enter__(self):
        for name, value in self.setting.items():
            module, attribute = _target(name)
            self.saved[name] = getattr(module, attribute)
            setattr(module, attribute, value)

    def __exit__(self, *exc):
        for name, value in self.saved.items():
            module, attribute = _target(name)
            setattr(module, attribute, value)


def label(setting: dict) -> str:
    return " ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in setting.items())


def cross_validate(rows: list[list[dict]], folds: int = 5, shuffles: int = 10, metric: str = "MRR@10",
                   seed: int = 100) -> tuple[dict, list[int]]:
    """``rows[s][q]``: setting s's figures on question q. Out of fold, the setting best on the other folds
    (ties: the first listed) scored on each fold; returns the mean of those figures and how often each
    setting was chosen."""
    import numpy as np

    n = len(rows[0])
    table = np.array([[r[metric] for r in setting_rows] for setting_rows in rows])
    chosen = [0] * len(rows)
    out: list[dict] = []
    for shuffle in range(shuffles):
        order = np.random.default_rng(seed + shuffle).permutation(n)
        for k in range(folds):
            test = order[k::folds]
            train = np.setdiff1d(order, test)
            best = int(np.argmax(table[:, train].mean(axis=1) - 1e-12 * np.arange(len(rows))))
            chosen[best] += 1
            out.append(summarise([rows[best][i] for i in test]))
    return {key: sum(o[key] for o in out) / len(out) for key in out[0]}, chosen


def run_cv(library: Library, args) -> None:
    settings = parse_settings(args.cv)
    cases = load_cases(args.tax, "tune")
    rows = []
    print(f"\n--cv on the tax tune split ({len(cases)} questions; nothing held out is searched)")
    for setting in settings:
        with applied(setting):
            rows.append(measure(library, cases, base=False)[0])
        s = summarise(rows[-1])
        print(f"  {label(setting):<40} tune MRR@10 {s['MRR@10']:.3f}  Success@5 {s['Success@5']:.3f}  "
              f"nDCG@10 {s['nDCG@10']:.3f}", flush=True)
    figures, chosen = cross_validate(rows)
    print(f"5-fold CV x 10 shuffles, the choice scored out of fold: MRR@10 {figures['MRR@10']:.3f}, "
          f"Success@5 {figures['Success@5']:.3f} (the first setting alone: "
          f"{summarise(rows[0])['MRR@10']:.3f} / {summarise(rows[0])['Success@5']:.3f})")
    print("chosen in the 50 folds: " + ", ".join(f"{label(s)}: {c}" for s, c in zip(settings, chosen) if c))


def compared(library: Library, cases: list[dict], args, **options) -> dict[str, list[dict]]:
    """Extra columns: ours with each ``--compare`` setting, per question."""
    columns = {}
    for setting in parse_settings(args.compare) if args.compare else []:
        with applied(setting):
            columns[f"ours {label(setting)}"] = measure(library, cases, base=False, **options)[0]
    return columns


def print_with_compared(title: str, ours: list[dict], others: dict[str, list[dict]], base: list[dict],
                        targets: dict | None = None, subset: list[int] | None = None) -> None:
    """The table (ours, each ``--compare`` column, the baseline), then ours against each compared column."""
    def pick(rows):
        return rows if subset is None else [rows[i] for i in subset]

    print_table(title, {"ours": summarise(pick(ours)), **{k: summarise(pick(v)) for k, v in others.items()},
                        "baseline": summarise(pick(base))}, targets)
    for name, rows in others.items():
        print_paired(pick(ours), pick(rows), f"ours against {name}")


def print_paired(a: list[dict], b: list[dict], title: str, rounds: int = 10000) -> None:
    """Per question: better / worse / same (MRR@10, Success@5), and a paired bootstrap of the MRR@10 gain."""
    import numpy as np

    x, y = np.array([r["MRR@10"] for r in a]), np.array([r["MRR@10"] for r in b])
    s5 = np.array([r["Success@5"] for r in a]) - np.array([r["Success@5"] for r in b])
    d = x - y
    means = d[np.random.default_rng(0).integers(0, len(d), (rounds, len(d)))].mean(axis=1)
    print(f"  {title}, per question: MRR@10 {int((d > 1e-12).sum())} better, {int((d < -1e-12).sum())} worse, "
          f"{int((abs(d) <= 1e-12).sum())} same; gain {d.mean():+.3f}, paired bootstrap 95 % "
          f"{np.percentile(means, 2.5):+.3f} .. {np.percentile(means, 97.5):+.3f} (share <= 0: {(means <= 0).mean():.3f}); "
          f"Success@5 {int((s5 > 0).sum())} gained, {int((s5 < 0).sum())} lost")


def run_tax_and_dev(library: Library, sets: list[str], args) -> None:
    if "tax" in sets:
        for split, note in (("heldout", "held out: the figures to quote"), ("tune", "tuned on: not evidence")):
            cases = load_cases(args.tax, split)
            ours, base = measure(library, cases, show=args.show and split == "heldout")
            print_with_compared(f"tax questions, {split} split ({len(cases)}; {note}), judged as of {JUDGED_ON}",
                                ours, compared(library, cases, args), base, TARGETS["tax"] if split == "heldout" else None)
    if "dev" in sets:
        cases = load_cases(args.dev)
        ours, base = measure(library, cases, show=args.show)
        others = compared(library, cases, args)
        if args.with_faq:
            others["ours+FAQ"] = measure_with_faq(library, cases, args)
        print_with_compared(f"dev.jsonl ({len(cases)} search cases; not tuned on in issue 12)", ours, others, base,
                            TARGETS["tax"])


def measure_with_faq(library: Library, cases: list[dict], args) -> list[dict]:
    from indexer import SearchIndex
    from indexer.feeding import build_index
    from indexer.schema import make_schema

    units = load_starter_faq(library.factory)
    with library.factory() as session:
        build_index(library.work / "index-faq", session, schema=make_schema(cut=args.cut, hmm=args.hmm))
    with_faq = SearchIndex(library.work / "index-faq", library.work)
    rows = []
    for case in cases:
        results = with_faq.search(case["query"], limit=10, today_override=JUDGED_ON).results
        rows.append(case_metrics(case, ranked_with_faq(results, units)))
    return rows


def run_synonym_groups(library: Library, args) -> None:
    from indexer.synonyms import OVERRIDE_NAME, SynonymTable

    variants = {"none": set(), **{f"{g} only": {g} for g in GROUPS},
                **{f"all - {g}": set(GROUPS) - {g} for g in GROUPS}, "all": set(GROUPS)}
    sets = {"tax heldout": load_cases(args.tax, "heldout"), "tax tune": load_cases(args.tax, "tune"),
            "dev": load_cases(args.dev)}
    print("\nsynonym groups (MRR@10 / Success@5 of ours; baseline has none)")
    print(f"{'table':<20}" + "".join(f" {name:>16}" for name in sets))
    original = library.ours.synonyms
    for name, groups in variants.items():
        library.ours.synonyms = SynonymTable(library.ours.data_dir / OVERRIDE_NAME, groups=groups)
        library.ours._typos = None  # the typo finder's vocabulary includes the synonym terms
        cells = []
        for cases in sets.values():
            s = summarise(measure(library, cases, base=False)[0])
            cells.append(f"{s['MRR@10']:.3f} / {s['Success@5']:.3f}")
        print(f"{name:<20}" + "".join(f" {c:>16}" for c in cells))
    library.ours.synonyms, library.ours._typos = original, None


def run_stard(args) -> None:
    library = full_library(args)
    cases = load_cases(args.stard_set)
    started = time.perf_counter()
    ours, base = measure(library, cases, limit=args.limit, deep=True)
    outside = [i for i, c in enumerate(cases) if not any(r.get("path", "").startswith("民法典/")
                                                          for r in c["relevant"])]
    others = compared(library, cases, args, limit=args.limit, deep=True)
    print_with_compared(f"STARD dev ({len(cases)} questions, full corpus, limit {args.limit}; half of them fitted the "
                        f"question adapter: see the held-out half below)",
                        ours, others, base, TARGETS["stard"])
    print_with_compared(f"STARD dev outside the Civil Code ({len(outside)} questions)", ours, others, base,
                        subset=outside)
    held = [i for i, c in enumerate(cases) if stard_half(c) == "heldout"]
    print_with_compared(f"STARD dev, the held-out half ({len(held)} questions; the question adapter was fitted on "
                        f"the other half)", ours, others, base, TARGETS["stard"], subset=held)
    print(f"({time.perf_counter() - started:.0f} s for both searches)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="sets", action="append", choices=("tax", "dev", "stard"),
                        help="the sets to measure (repeatable; default tax and dev, plus stard with --stard)")
    parser.add_argument("--stard", action="store_true", help="also STARD over the full laws corpus")
    parser.add_argument("--full", type=Path, help="folder of an imported full corpus (kb.sqlite3), made if missing")
    parser.add_argument("--limit", type=int, default=100, help="results per STARD question (default 100)")
    parser.add_argument("--tax", type=Path, default=TAX_SET)
    parser.add_argument("--dev", type=Path, default=DEV_SET)
    parser.add_argument("--stard-set", type=Path, default=STARD_SET)
    parser.add_argument("--library", type=Path, default=ROOT / "policies" / "tax")
    parser.add_argument("--cut", choices=("search", "precise"), default=None)
    parser.add_argument("--hmm", action="store_true")
    parser.add_argument("--synonym-groups", action="store_true", help="what each synonym group adds")
    parser.add_argument("--show", action="store_true", help="print each case's top 3 for our search")
    parser.add_argument("--with-faq", action="store_true", help="dev: also measure with the FAQ starter set indexed")
    parser.add_argument("--cv", action="append", metavar="NAME=V1,V2",
                        help="choose these constants by 5-fold CV on the tax tune split only (repeatable)")
    parser.add_argument("--compare", action="append", metavar="NAME=V",
                        help="add a column: ours with these constants (repeatable, combined)")
    args = parser.parse_args()
    sets = args.sets or (["tax", "dev"] + (["stard"] if args.stard else []) if not args.cv else [])

    if "tax" in sets or "dev" in sets or args.synonym_groups or args.cv:
        library = tax_library(args)
        if args.cv:
            run_cv(library, args)
        run_tax_and_dev(library, sets, args)
        if args.synonym_groups:
            run_synonym_groups(library, args)
    if "stard" in sets:
        run_stard(args)


if __name__ == "__main__":
    main()
