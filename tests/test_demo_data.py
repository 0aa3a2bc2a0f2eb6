"""demo-data: a realistic month, marked as demo, that breaks each promise somewhere and can be removed."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from kb.core.actors import SYSTEM
from kb.reports.bulletin import build_bulletin
from kb.hotline.models import Call, Referral
from kb.hotline.calls import NewCall, record_call
from kb.reports.models import DemoRecord, QueryLog
from kb.reports.demo_data import add_demo_month, remove_demo_data
from kb.core.periods import parse_month
from kb.accounts.users import NewUser, create_user
from kb.accounts.models import User
from kb.core.timestamps import BEIJING, beijing_now

NOW = dt.datetime(2024, 7, 15, 9, 0, tzinfo=BEIJING)


def count(session, model) -> int:
    return session.scalar(select(func.count(model.id)))


def test_a_demo_month_is_realistic_and_breaks_each_promise(session):
    period = parse_month("2024-06")
    summary = add_demo_month(session, period, 3000, NOW)
    assert summary.counts["calls"] == 3000 and summary.counts["users"] == 12
    assert summary.counts["query_log"] > 2000 and summary.counts["referrals"] > 100
    calls = session.scalars(select(Call)).all()
    assert all(period.contains(c.created_at) for c in calls)
    assert len({c.agent_staff_no for c in calls} - {None}) == 12
    assert {c.category for c in calls} >= {"政策咨询", "办税引导", "举报", "投诉"}
    assert sum(1 for c in calls if c.created_at.weekday() < 5) > 0.9 * len(calls)
    bulletin = build_bulletin(session, period, NOW)
    assert all(p.breaches for p in bulletin.promises), [(p.name, len(p.breaches)) for p in bulletin.promises]
    assert bulletin.overdue and 0.5 < bulletin.on_time_rate < 1
    assert bulletin.zero_searches > 0 and len(bulletin.top_questions) == 20


def test_demo_records_are_removed_and_nothing_else(session):
    agent, _ = create_user(session, SYSTEM, NewUser(username="real", role="agent", staff_no="9", password="password-123"))
    real = record_call(session, agent, NewCall(question="真实来电", answer="已答复", at=dt.datetime(2024, 6, 3, 10, tzinfo=BEIJING)))
    add_demo_month(session, parse_month("2024-05"), 300, NOW)
    add_demo_month(session, parse_month("2024-06"), 300, NOW)
    removed = remove_demo_data(session)
    assert removed["calls"] == 600 and removed["users"] == 12
    assert [c.id for c in session.scalars(select(Call))] == [real.id]
    assert count(session, Referral) == 0 and count(session, QueryLog) == 0 and count(session, DemoRecord) == 0
    assert [u.username for u in session.scalars(select(User))] == ["real"]


def test_nothing_is_added_after_now(session):
    period = parse_month("2024-07")
    add_demo_month(session, period, 500, NOW)
    assert session.scalar(select(func.max(Call.created_at))) <= NOW
    assert session.scalar(select(func.max(Referral.answered_at))) <= NOW


def test_cli_fills_the_previous_month_and_removes_it(runner, app):
    result = runner.invoke(args=["demo-data", "--calls", "200"])
    assert result.exit_code == 0, result.output
    assert "来电 200" in result.output
    with app.extensions["kb_storage"].session_factory() as session:
        first = session.scalar(select(func.min(Call.created_at)))
    today = beijing_now().date()
    assert (first.year, first.month) == ((today.replace(day=1) - dt.timedelta(days=1)).year,
                                         (today.replace(day=1) - dt.timedelta(days=1)).month)
    result = runner.invoke(args=["demo-data", "--remove"])
    assert result.exit_code == 0 and "calls 200" in result.output
