"""Appraisal commands: ``pay --month YYYY-MM [--json]`` (绩效工资), ``appraisal --month YYYY-MM [--json]``
(目标责任制考核表) and ``appraisal-events import FILE.csv`` (绩效工资 entries)."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from kb.core.actors import SYSTEM
from kb.reports.appraisal import appraise_all
from kb.core.db import transaction
from kb.core.errors import KbError
from kb.reports.pay import import_events
from kb.core.periods import parse_month
from kb.core.timestamps import beijing_now
from webapp.storage import storage


def _period(month: str):
    try:
        return parse_month(month)
    except KbError as error:
        raise click.ClickException(str(error))


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _name(agent) -> str:
    return agent.display_name or agent.username


@click.command("pay")
@with_appcontext
@click.option("--month", required=True, help="the month, YYYY-MM")
@click.option("--json", "as_json", is_flag=True, help="one JSON object a line per agent")
def pay_command(month, as_json):
    """The month's 绩效工资 (100 points, ±5 yuan a point) per agent, with its entries."""
    period = _period(month)
    with storage().session_factory() as session:
        for a in appraise_all(session, period, beijing_now(), with_history=False):
            pay = a.pay
            if as_json:
                click.echo(_json({
                    "staff_no": a.agent.staff_no, "name": _name(a.agent), "points": pay.points,
                    "pay_yuan": pay.pay_yuan, "flags": pay.flags, "published": pay.published,
                    "rules": pay.rules.effective_month,
                    "events": [{"label": line.label, "count": line.count, "points": line.points,
                                "date": line.day.isoformat() if line.day else None, "source": line.source,
                                "records": line.records} for line in pay.shown_lines()]}))
            else:
                flags = f"  {'、'.join(pay.flags)}" if pay.flags else ""
                click.echo(f"{a.agent.staff_no or '—'}\t{_name(a.agent)}\t{pay.points:g} 分\t{pay.pay_yuan:+g} 元{flags}")


@click.command("appraisal")
@with_appcontext
@click.option("--month", required=True, help="the month, YYYY-MM")
@click.option("--json", "as_json", is_flag=True, help="one JSON object a line per agent")
def appraisal_command(month, as_json):
    """The month's 目标责任制考核表 per agent: score per item, total, rating and flags."""
    period = _period(month)
    with storage().session_factory() as session:
        for a in appraise_all(session, period, beijing_now()):
            items = {i.item.name: (i.published if a.published else i.centre) for i in a.items}
            if as_json:
                click.echo(_json({
                    "staff_no": a.agent.staff_no, "name": _name(a.agent), "items": items, "total": a.total,
                    "self_total": a.self_total, "rating": a.rating, "flags": a.flags, "published": a.published,
                    "rules": a.rules.effective_month}))
            else:
                flags = f"  {'、'.join(a.flags)}" if a.flags else ""
                click.echo(f"{a.agent.staff_no or '—'}\t{_name(a.agent)}\t{a.total:g} 分\t{a.rating}{flags}")


events_group = AppGroup("appraisal-events", help="绩效工资 entries (attendance, leave, complaints, praise…).")


@events_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_events_command(path):
    """Load staff_no,date,event,amount,note rows; bad rows are reported with their line, good rows load."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = Path(path).read_text(encoding="gb18030")
    with transaction(storage().session_factory) as session:
        report = import_events(session, SYSTEM, text)
    for line, message in report.errors:
        click.echo(f"第{line}行：{message}", err=True)
    click.echo(f"已导入 {report.loaded} 条，{len(report.errors)} 条有误")
    if report.errors:
        raise SystemExit(1)


def register(app: Flask) -> None:
    app.cli.add_command(pay_command)
    app.cli.add_command(appraisal_command)
    app.cli.add_command(events_group)
