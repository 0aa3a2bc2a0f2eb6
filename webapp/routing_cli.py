"""``flask route``: which department a request goes to, and why (the director's rules, then the
classifier in force); ``flask train-router``: refit the classifier from the corrections made in use."""
from __future__ import annotations

import json
import sys

import click
from flask import Flask
from flask.cli import with_appcontext

from kb.core.actors import SYSTEM
from kb.hotline.routing import route
from kb.hotline.routing_model import Figures
from kb.hotline.routing_rules import load_rules
from kb.hotline.routing_training import active_model, train_router
from webapp.storage import storage


def register(app: Flask) -> None:
    app.cli.add_command(route_command)
    app.cli.add_command(train_router_command)


def _request(line: str) -> dict:
    """A stdin line: plain text, or a JSON object with ``query`` (or ``text``), ``category``, ``tax_type``, ``id``."""
    if line.startswith("{"):
        try:
            data = json.loads(line)
        except ValueError:
            data = None
        if isinstance(data, dict):
            return data
    return {"query": line}


@click.command("route")
@click.argument("text", required=False)
@click.option("--json", "as_json", is_flag=True, help="one JSON object per request")
@click.option("--category", default=None, help="来电类别（政策咨询/举报/投诉/行政复议申请/意见建议/…）")
@click.option("--tax-type", "tax_type", default=None, help="税种（增值税、企业所得税…）")
@with_appcontext
def route_command(text, as_json, category, tax_type):
    """Suggest the department for TEXT (without TEXT: one request per line on stdin)."""
    with storage().session_factory() as session:
        rules, model = load_rules(session), active_model(session)
    if text is not None:
        requests = [{"query": text}]
    else:
        requests = (_request(line.strip()) for line in sys.stdin if line.strip())
    for request in requests:
        query = request.get("query") or request.get("text") or ""
        decision = route(query, category=request.get("category") or category,
                         tax_type=request.get("tax_type") or tax_type, rules=rules, model=model)
        if as_json:
            record = {"department": decision.department, "office": decision.office, "reason": decision.reason,
                      "confidence": decision.confidence, "alternatives": decision.alternatives,
                      "needs_choice": decision.needs_choice, "source": decision.source,
                      "rule": decision.rule, "matched": decision.matched, "tax_type": decision.tax_type,
                      "query": query}
            if "id" in request:
                record = {"id": request["id"], **record}
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            office = f"（{decision.office}）" if decision.office and decision.office != decision.department else ""
            click.echo(f"{decision.department}{office}\n理由：{decision.reason}")
            if decision.needs_choice and decision.alternatives:
                other = decision.alternatives[0]
                click.echo(f"或：{other['department']}（{other['office'] or '请选定'}）\n理由：{other['reason']}")


def _figures(label: str, figures: Figures) -> None:
    click.echo(f"{label}：{figures.line()}")
    for name, (hit, total) in sorted(figures.per_class.items()):
        click.echo(f"    {name}: {hit}/{total}")


@click.command("train-router")
@with_appcontext
def train_router_command():
    """Refit the routing classifier from the shipped examples plus every referral whose department
    was changed; print held-out figures before and after; keep the old model when the new is worse."""
    with storage().session_factory() as session:
        report = train_router(session, SYSTEM)
        session.commit()
    click.echo(f"改过承办部门的转办单：{report.corrections} 件；训练样本 {report.trained_on} 条，留出检验 {report.held_out} 条")
    _figures("原模型（留出检验）", report.before)
    _figures("新模型（留出检验）", report.after)
    if report.kept_old:
        click.echo("新模型不如原模型，保留原模型")
    else:
        click.echo(f"已启用新模型（置信阈值 {report.record.threshold:.2f}）")
