"""How long the monthly appraisal and pay take for busy months, and the 年终总结 over a year of them.

    python bench/appraisal.py [--calls 3000] [--months 12] [--database-url URL]

Fills a scratch database (SQLite unless a URL is given) with ``demo-data`` for ``--months`` months of
2024 (``--calls`` calls each, 12 demo agents) and a few 绩效工资 entries per agent and month; then times
one month's 目标责任制考核表 with the 绩效工资 sheets (``kb.reports.appraisal.appraise_all``, what the 月度考核
page and the ``pay`` / ``appraisal`` commands compute) and the 年终总结 of every agent
(``kb.reports.appraisal_history.build_summaries``). Prints the figures; exit status 1 when a month takes
longer than ``MONTH_TARGET`` or the year longer than ``YEAR_TARGET`` seconds.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from kb.reports.appraisal import appraise_all
from kb.reports.appraisal_history import build_summaries
from kb.core.db import create_schema, make_engine, make_session_factory, transaction
from kb.reports.demo_data import add_demo_month
from kb.reports.pay import record_event
from kb.core.periods import month_period
from kb.accounts.roles import AGENT, DIRECTOR
from kb.accounts.models import User
from kb.core.timestamps import BEIJING


ROOT = Path(__file__).resolve().parent.parent
MONTH_TARGET = 1.0
YEAR_TARGET = 10.0
NOW = dt.datetime(2025, 1, 15, 9, 0, tzinfo=BEIJING)
EVENTS = (("迟到早退脱岗", 1, None), ("事假", 1, "before"), ("来信表扬", 1, None), ("投诉查实", 1, None))


def timed(function, repeat: int = 3):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--months", type=int, default=12, choices=range(1, 13), metavar="1-12")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kb-bench-appraisal-"))
    url = args.database_url or f"sqlite:///{work / 'kb.sqlite3'}"
    engine = make_engine(url)
    create_schema(engine)
    factory = make_session_factory(engine)
    months = [month_period(2024, m) for m in range(1, args.months + 1)]

    started = time.perf_counter()
    with transaction(factory) as session:
        for period in months:
            add_demo_month(session, period, args.calls, NOW)
        director = User(username="bench-director", role=DIRECTOR, password_hash="-")
        session.add(director)
        session.flush()
        agents = session.scalars(select(User).where(User.role == AGENT)).all()
        for period in months:
            for n, agent in enumerate(agents):
                event, amount, slip = EVENTS[n % len(EVENTS)]
                record_event(session, director, {"agent_id": agent.id, "day": period.start.date() + dt.timedelta(days=9),
                                                 "event": event, "amount": amount, "slip": slip, "minutes": 10})
    print(f"demo data: {len(months)} months × {args.calls} calls, {len(agents)} agents in "
          f"{time.perf_counter() - started:.1f} s ({engine.dialect.name})")

    with factory() as session:
        month_s, appraisals = timed(lambda: appraise_all(session, months[-1], NOW))
        director = session.scalars(select(User).where(User.role == DIRECTOR)).first()
        year_s, summaries = timed(lambda: build_summaries(session, director, {"year": 2024, "half": None, "now": NOW}),
                                  repeat=1)
    poor = sum(a.rating == "较差" for a in appraisals)
    print(f"appraisal {months[-1].key} (目标 + 绩效工资, {len(appraisals)} agents, {poor} 较差): {month_s:.3f} s "
          f"(target {MONTH_TARGET:g} s)")
    print(f"年终总结 2024 ({len(summaries)} agents × {len(months)} months): {year_s:.2f} s (target {YEAR_TARGET:g} s)")
    return 0 if month_s <= MONTH_TARGET and year_s <= YEAR_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
