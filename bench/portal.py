"""Anonymous search on the public portal: N concurrent taxpayers on ``/portal/search`` against gunicorn.

    python bench/portal.py [--users 50] [--seconds 60] [--workers 4] [--think 1.0] [--warmup 10]
                           [--database-url postgresql+psycopg://...]

Sets up a scratch data folder with the sample library (``flask init``), starts
``gunicorn --preload -w WORKERS`` on 127.0.0.1 with the per-client limit off (``KB_PORTAL_RATE=0``:
every simulated user comes from 127.0.0.1) and runs every user in its own thread: no cookie, no
login, a query from ``bench/load.py``'s list of callers' wordings, then a wait of ``--think``
seconds on average (exponential; ``--think 0``: back-to-back, the saturation case). Requests carry
no ``If-None-Match``, so every one is a full search (the worst case; a browser or proxy would reuse
the cached page). Prints requests, errors, throughput and p50/p95/p99 latency. The issue's bar:
p95 ≤ 100 ms with 50 users.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.load import QUERIES, percentile  # noqa: E402
from kb.core.db import sqlite_url  # noqa: E402
from tests.live_server import Server, app_env, free_port, run_flask  # noqa: E402


def user(base: str, stop: threading.Event, measuring: threading.Event, think: float, seed: int,
         latencies: list[float], errors: list[str], lock: threading.Lock) -> None:
    rng = random.Random(seed)
    while not stop.is_set():
        url = f"{base}/portal/search?q={urllib.parse.quote(rng.choice(QUERIES))}"
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                body = response.read()
                ok = response.status == 200 and b"<ol class=\"results\"" in body and "Set-Cookie" not in response.headers
                problem = "" if ok else f"status {response.status} or unexpected page"
        except (urllib.error.URLError, OSError) as error:
            ok, problem = False, str(error)
        ms = (time.perf_counter() - started) * 1000
        if measuring.is_set():
            with lock:
                latencies.append(ms)
                if not ok:
                    errors.append(problem)
        if think > 0:
            stop.wait(rng.expovariate(1 / think))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds a user waits between searches")
    parser.add_argument("--warmup", type=float, default=10, help="seconds before measuring (each worker's first search)")
    parser.add_argument("--database-url", default=None, help="default: a scratch SQLite file")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kb-portal-bench-"))
    database_url = args.database_url or sqlite_url(work / "data")
    (work / "data").mkdir(parents=True, exist_ok=True)
    env = app_env(work / "data", database_url, KB_LOAD_SAMPLE="1", KB_PORTAL_RATE="0")
    started = run_flask(env, "init", timeout=900)
    if started.returncode != 0:
        raise SystemExit(started.stderr)
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--preload", "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
               "--timeout", "120", "webapp:create_app()"]
    server = Server(command, env, work / "gunicorn.log", port)
    try:
        server.wait_ready()
        stop, measuring, lock = threading.Event(), threading.Event(), threading.Lock()
        latencies: list[float] = []
        errors: list[str] = []
        threads = [threading.Thread(target=user, args=(server.base, stop, measuring, args.think, n, latencies, errors, lock),
                                    daemon=True) for n in range(args.users)]
        for thread in threads:
            thread.start()
        time.sleep(args.warmup)
        measuring.set()
        began = time.perf_counter()
        time.sleep(args.seconds)
        measuring.clear()
        elapsed = time.perf_counter() - began
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        server.stop()
    dialect = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    print(f"== portal search: {args.users} anonymous users for {elapsed:.0f} s on {dialect}, "
          f"gunicorn --preload -w {args.workers}, think {args.think} s")
    print(f"requests {len(latencies)}  errors {len(errors)}  throughput {len(latencies) / elapsed:.1f}/s")
    print(f"latency ms: p50 {percentile(latencies, 50):.1f}  p95 {percentile(latencies, 95):.1f}  "
          f"p99 {percentile(latencies, 99):.1f}  max {max(latencies, default=float('nan')):.1f}")
    for problem in sorted(set(errors))[:5]:
        print("  error:", problem)
    target = percentile(latencies, 95) <= 100 and not errors
    print("target p95 ≤ 100 ms, no errors:", "met" if target else "NOT met")
    return 0 if target else 1


if __name__ == "__main__":
    raise SystemExit(main())
