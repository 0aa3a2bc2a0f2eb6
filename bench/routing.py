"""Routing accuracy on the route cases of the dev set, each miss printed with its reason.

    python bench/routing.py [path/to/dev.jsonl] [--rules path/to/routing_rules.json]

Uses the shipped rules (``kb/data/routing_rules.json``) through the pure ``kb.routing.route``,
exactly as ``flask route`` does on a fresh database. Exit status 1 below the 95% target.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kb.routing import RULES_FILE, load_shipped_rules, route  # noqa: E402

TARGET = 0.95
DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def route_cases(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        cases = [json.loads(line) for line in handle if line.strip()]
    return [case for case in cases if case.get("kind") == "route"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dev", nargs="?", default=str(DEV))
    parser.add_argument("--rules", default=str(RULES_FILE))
    args = parser.parse_args(argv)
    rules = load_shipped_rules(args.rules)
    cases = route_cases(Path(args.dev))
    if not cases:
        print("没有路由用例")
        return 1
    hits, per_department, misses = 0, Counter(), []
    for case in cases:
        decision = route(case["query"], rules=rules)
        per_department[(case["department"], "total")] += 1
        if decision.department == case["department"]:
            hits += 1
            per_department[(case["department"], "hit")] += 1
        else:
            misses.append((case, decision))
    for case, decision in misses:
        print(f"MISS {case['id']}: 应为 {case['department']}，判为 {decision.department}")
        print(f"     问：{case['query']}")
        print(f"     理由：{decision.reason}")
    for department in sorted({d for d, _ in per_department}):
        print(f"  {department}: {per_department[(department, 'hit')]}/{per_department[(department, 'total')]}")
    accuracy = hits / len(cases)
    print(f"routing accuracy: {hits}/{len(cases)} = {accuracy:.1%} (target {TARGET:.0%})")
    return 0 if accuracy >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
