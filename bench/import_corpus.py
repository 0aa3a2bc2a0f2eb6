"""The whole laws corpus through the command line, as an operator runs it, timed; then the check
that every article of every file is exported once.

    python bench/import_corpus.py [--archive PATH] [--keep DIR] [--serial]

Runs ``flask --app webapp import-policies FOLDER`` on the 3,475 files of
``../shared/corpus/laws-full.tar.xz`` into a fresh SQLite library and index (the command's own
parsing workers, then the index rebuilt on every core), and prints the wall time with the per-file
and per-article rates; ``--serial`` runs the same with one parsing process, for the ratio. Then
``export --json``: each article line of each imported file (``第X条`` at the start of a line of the
Markdown body) must come out exactly once under its file's name.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from pathlib import Path

from common import ROOT, SHARED

ARTICLE_LINE = re.compile(r"^(第[零一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?)[ \u3000]", re.MULTILINE)


def _flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "webapp", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)


def _expected_articles(folder: Path, imported: set[str]) -> Counter:
    """Article lines by (file name, label). A name found in several folders is one document (the
    same law filed twice: identical, or the later copy replacing the earlier): counted once."""
    expected: Counter = Counter()
    for path in folder.rglob("*.md"):
        if path.name not in imported:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        body = text.split("<!-- INFO END -->", 1)[-1]
        for label, n in Counter(ARTICLE_LINE.findall(body)).items():
            expected[(path.name, label)] = max(expected[(path.name, label)], n)
    return expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, default=SHARED / "corpus" / "laws-full.tar.xz")
    parser.add_argument("--keep", type=Path, help="data folder to keep the imported library in")
    parser.add_argument("--serial", action="store_true", help="also time one parsing process, for the ratio")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kb-import-bench-"))
    with tarfile.open(args.archive) as archive:
        archive.extractall(work / "corpus", filter="data")
    folder = next(p for p in (work / "corpus").iterdir() if p.is_dir())
    files = [p for p in folder.rglob("*") if p.is_file()]
    print(f"corpus: {len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.0f} MB, "
          f"{len(os.sched_getaffinity(0))} cores")

    runs = [("ours", [])] + ([("one parsing process", ["--workers", "1"])] if args.serial else [])
    kept = None
    for label, extra in runs:
        data = args.keep if (args.keep and kept is None) else work / f"data-{len(label)}"
        env = {**os.environ, "KB_DATA_DIR": str(data), "KB_LOAD_SAMPLE": "0", "KB_PRELOAD_INDEX": "0"}
        started = time.perf_counter()
        result = _flask(env, "import-policies", str(folder), *extra)
        seconds = time.perf_counter() - started
        summary = next((line for line in result.stdout.splitlines() if line.startswith("导入完成")), "(no summary)")
        articles = int(m.group(1)) if (m := re.search(r"条文 (\d+) 条", summary)) else 0
        index_line = next((line for line in result.stderr.splitlines() if line.startswith("检索索引已更新")), "")
        print(f"\n== {label}: exit {result.returncode}, {seconds:.0f} s in all ({index_line or 'index not updated'})")
        print(f"   {summary}")
        print(f"   {len(files) / seconds:.1f} files/s, {articles / seconds:.0f} articles/s")
        kept = kept or (data, env)

    data, env = kept
    exported = _flask(env, "export", "--json")
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    got = Counter((r["source"], r["unit"]) for r in records if r["kind"] == "article")
    imported = {r["source"] for r in records}
    expected = _expected_articles(folder, imported)
    missing = expected - got
    extra = {key: n for key, n in got.items() if key in expected and n > expected[key]}
    print(f"\nexport --json: {len(records)} units, {sum(got.values())} articles from {len(imported)} files; "
          f"article lines in those files: {sum(expected.values())}")
    print(f"   article lines not exported: {sum(missing.values())}; exported more often than written: {len(extra)}")
    for (name, label), n in list(missing.items())[:10]:
        print(f"   missing: {name} {label} ×{n}")


if __name__ == "__main__":
    main()
