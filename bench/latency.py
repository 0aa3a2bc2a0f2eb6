"""Latency, build time, update time, cold start and memory: ours against the plain baseline.

    python bench/latency.py [--skip-full] [--procs 2]
    python bench/latency.py --alternate NAME=V [--index DIR] [--questions tax|stard] [--passes 3]

Runs on the tax library (policies/tax) and on the 3,475 laws of ../shared/corpus/laws-full.tar.xz
(extracted to a temporary folder and imported with kb.library.importing.import_paths). Our full build
includes the sentence vectors (``indexer.vectors``, encoded with ``--procs`` processes), timed apart too. Queries: the dev
set's queries (search and routing cases). Every query feature is on for ours (synonyms, typos,
citation lookup, validity ranking, snippets). Cold start and memory are measured in a fresh
process (``python bench/latency.py --probe ...``) so this process's imports do not count.

``--alternate NAME=V`` (a constant of ``indexer.ranking``, as ``relevance.py --compare``) times one part of
the ranking: each question searched with the constants as they are and with ``NAME=V``, the order of the two
alternating, in one process on one index (the tax library, or ``--index DIR`` of an imported corpus with its
``index``), after a warm-up pass; it prints p50 / p95 of both and of the per-question difference.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from common import ROOT, SHARED, scratch_library

TARGETS = {"tax": {"p95_ms": 5}, "full": {"p95_ms": 50, "build_s": 90, "rss_mb": 400}}


def queries() -> list[str]:
    path = SHARED / "eval" / "dev.jsonl"
    return [json.loads(line)["query"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def probe(kind: str, index_dir: str, data_dir: str) -> None:
    """Child process: time to first answer, then every query, then peak resident memory."""
    started = time.perf_counter()
    if kind == "ours":
        from indexer import SearchIndex

        index = SearchIndex(index_dir, data_dir)
        run = lambda q: index.search(q, limit=10)  # noqa: E731
    else:
        from baseline import BaselineIndex

        index = BaselineIndex(index_dir)
        run = lambda q: index.search(q, limit=10)  # noqa: E731
    run("纳税人逾期申报怎么处罚")
    first = time.perf_counter() - started + _interpreter_start()
    timings = []
    for _ in range(3):
        for q in queries():
            t = time.perf_counter()
            run(q)
            timings.append((time.perf_counter() - t) * 1000)
    rss = _peak_rss_mb()
    # The first pass alone: each query seen once (ours caches the postings of frequent terms).
    print(json.dumps({"first_s": first, "timings": timings, "first_pass": timings[:len(timings) // 3],
                      "rss_mb": rss}))


def _peak_rss_mb() -> float:
    """Peak resident memory of this process (VmHWM; ru_maxrss survives exec and would count the parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _interpreter_start() -> float:
    """Seconds from process start to now minus perf_counter's origin (interpreter start-up)."""
    import os

    with open(f"/proc/{os.getpid()}/stat") as f:
        start_ticks = int(f.read().split(")")[1].split()[19])
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    clock = os.sysconf("SC_CLK_TCK")
    return max(0.0, uptime - start_ticks / clock - time.perf_counter())


def run_probe(kind: str, index_dir: Path, data_dir: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--probe", kind, str(index_dir), str(data_dir)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


class VectorTimer:
    """The build's progress callback: how long the sentence vectors (``indexer.vectors``) took, with a bar."""

    def __init__(self):
        self.started = self.ended = None
        self.total = 0

    def __call__(self, done: int, total: int) -> None:
        if self.started is None:
            self.started, self.total = time.perf_counter(), total
        self.ended = time.perf_counter()
        if total:
            width = 40 * done // total
            print(f"\r  sentence vectors [{'#' * width}{'.' * (40 - width)}] {done}/{total}", end="",
                  file=sys.stderr, flush=True)
            if done == total:
                print(file=sys.stderr)

    def seconds(self) -> float:
        return (self.ended - self.started) if self.started is not None else 0.0


def measure(label: str, folder: Path | None, procs: int, reuse: Path | None = None) -> dict:
    from baseline import BaselineIndex
    from indexer import SearchIndex

    if reuse is not None:  # a library database imported by an earlier run
        from kb.core.db import make_engine, make_session_factory
        from kb.library.models import Document
        from sqlalchemy import select

        work = reuse
        factory = make_session_factory(make_engine(f"sqlite:///{work / 'kb.sqlite3'}"))
        with factory() as session:
            ids = set(session.scalars(select(Document.id)).all())
        figures = {"units": 0, "import_s": float("nan"), "failed": 0}
    else:
        work = Path(tempfile.mkdtemp(prefix=f"kb-latency-{label}-"))
        t = time.perf_counter()
        factory, _, report = scratch_library(folder, work)
        ids = report.changed_document_ids
        figures = {"units": 0, "import_s": time.perf_counter() - t, "failed": len(report.failed)}
    ours = SearchIndex(work / "index", work)
    vectors = VectorTimer()
    with factory() as session:
        t = time.perf_counter()
        figures["units"] = ours.rebuild(session, procs=procs, progress=vectors)
        figures["ours_build_s"] = time.perf_counter() - t
    figures["vectors_s"], figures["vector_documents"] = vectors.seconds(), vectors.total
    base = BaselineIndex(work / "baseline")
    with factory() as session:
        t = time.perf_counter()
        base.rebuild(session)
        figures["base_build_s"] = time.perf_counter() - t
    document_id = sorted(ids)[len(ids) // 2]
    with factory() as session:
        t = time.perf_counter()
        ours.update_documents(session, {document_id})
        ours.search("纳税人")  # searchable: the searcher reopens on the new generation
        figures["ours_update_s"] = time.perf_counter() - t
        t = time.perf_counter()
        base.update_documents(session, {document_id})
        base.search("纳税人")
        figures["base_update_s"] = time.perf_counter() - t
    ours.close()
    for kind, index_dir in (("ours", work / "index"), ("base", work / "baseline")):
        result = run_probe(kind, index_dir, work)
        figures[f"{kind}_p50_ms"] = percentile(result["timings"], 0.5)
        figures[f"{kind}_p95_ms"] = percentile(result["timings"], 0.95)
        figures[f"{kind}_once_p95_ms"] = percentile(result["first_pass"], 0.95)
        figures[f"{kind}_max_ms"] = max(result["timings"])
        figures[f"{kind}_first_s"] = result["first_s"]
        figures[f"{kind}_rss_mb"] = result["rss_mb"]
    return figures


def report(label: str, f: dict) -> None:
    print(f"\n== {label}: {f['units']} units (import {f['import_s']:.1f} s, {f['failed']} files failed)")
    print(f"{'figure':<26} {'ours':>10} {'baseline':>10} {'ours/base':>10}")
    rows = [("query p50 (ms)", "p50_ms"), ("query p95 (ms)", "p95_ms"), ("p95, first pass (ms)", "once_p95_ms"),
            ("query max (ms)", "max_ms"),
            ("full build (s)", "build_s"), ("one-document update (s)", "update_s"),
            ("cold start to answer (s)", "first_s"), ("resident memory (MB)", "rss_mb")]
    for name, key in rows:
        ours, base = f[f"ours_{key}"], f[f"base_{key}"]
        print(f"{name:<26} {ours:>10.2f} {base:>10.2f} {ours / base if base else 0:>10.2f}")
    print(f"{'of the build: sentence vectors (s)':<36} {f['vectors_s']:.1f} ({f['vector_documents']} documents "
          "encoded; the baseline has none)")
    targets = TARGETS.get(label, {})
    if targets:
        print("targets: " + ", ".join(f"{k} <= {v}" for k, v in targets.items()) + "; first answer <= 0.6 s; update <= 1 s")


def alternate(args) -> None:
    from relevance import STARD_SET, TAX_SET, applied, label, load_cases, parse_settings, tax_library

    from indexer import SearchIndex

    if args.index:
        index = SearchIndex(args.index / "index", args.index)
    else:
        index = tax_library(argparse.Namespace(library=ROOT / "policies" / "tax", cut=None, hmm=False)).ours
    questions = [c["query"] for c in load_cases(STARD_SET if args.questions == "stard" else TAX_SET)]
    questions = questions[:args.count]
    (setting,) = parse_settings(args.alternate)

    def timed(text: str) -> float:
        started = time.perf_counter()
        index.search(text, limit=10, today_override="2026-11-27")
        return (time.perf_counter() - started) * 1000

    for text in questions:  # warm-up: every searcher cache, the pair table, jieba
        timed(text)
        with applied(setting):
            timed(text)
    as_is, other = [], []
    for n in range(args.passes):
        for i, text in enumerate(questions):
            if (i + n) % 2:
                as_is.append(timed(text))
                with applied(setting):
                    other.append(timed(text))
            else:
                with applied(setting):
                    other.append(timed(text))
                as_is.append(timed(text))
    difference = [a - b for a, b in zip(as_is, other)]
    print(f"{len(questions)} {args.questions} questions x {args.passes} passes, alternating, one process")
    for name, values in (("as is", as_is), (label(setting), other), ("difference", difference)):
        print(f"  {name:<22} p50 {percentile(values, 0.5):7.2f} ms  p95 {percentile(values, 0.95):7.2f} ms  "
              f"mean {sum(values) / len(values):7.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alternate", action="append", metavar="NAME=V",
                        help="time the search as is against these constants, alternating")
    parser.add_argument("--index", type=Path, help="--alternate: folder of an imported corpus and its index")
    parser.add_argument("--questions", choices=("tax", "stard"), default="tax")
    parser.add_argument("--count", type=int, default=1000, help="--alternate: at most this many questions")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--skip-full", action="store_true", help="only the tax library")
    parser.add_argument("--procs", type=int, default=2, help="indexing processes for our full build")
    parser.add_argument("--reuse-full", type=Path, help="folder holding kb.sqlite3 of an earlier full import")
    parser.add_argument("--probe", nargs=3, metavar=("KIND", "INDEX", "DATA"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        probe(*args.probe)
        return
    if args.alternate:
        alternate(args)
        return
    report("tax", measure("tax", ROOT / "policies" / "tax", 1))
    if args.reuse_full:
        report("full", measure("full", None, args.procs, reuse=args.reuse_full))
    elif not args.skip_full:
        folder = Path(tempfile.mkdtemp(prefix="kb-laws-full-"))
        with tarfile.open(SHARED / "corpus" / "laws-full.tar.xz") as archive:
            archive.extractall(folder, filter="data")
        roots = [p for p in folder.iterdir() if p.is_dir()]
        report("full", measure("full", roots[0] if len(roots) == 1 else folder, args.procs))


if __name__ == "__main__":
    main()
