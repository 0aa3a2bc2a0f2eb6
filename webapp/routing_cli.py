"""``flask route``: which department a request goes to, and why (the director's current rules)."""
from __future__ import annotations

import json
import sys

import click
from flask import Flask
from flask.cli import with_appcontext

from kb.routing import route
from kb.routing_rules import load_rules
from webapp.storage import storage


def register(app: Flask) -> None:
    app.cli.add_command(route_command)


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
        rules = load_rules(session)
    if text is not None:
        requests = [{"query": text}]
    else:
        requests = (_request(line.strip()) for line in sys.stdin if line.strip())
    for request in requests:
        query = request.get("query") or request.get("text") or ""
        decision = route(query, category=request.get("category") or category,
                         tax_type=request.get("tax_type") or tax_type, rules=rules)
        if as_json:
            record = {"department": decision.department, "office": decision.office, "reason": decision.reason,
                      "rule": decision.rule, "matched": decision.matched, "tax_type": decision.tax_type,
                      "query": query}
            if "id" in request:
                record = {"id": request["id"], **record}
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            office = f"（{decision.office}）" if decision.office and decision.office != decision.department else ""
            click.echo(f"{decision.department}{office}\n理由：{decision.reason}")
