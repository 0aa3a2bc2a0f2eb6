"""Report commands: ``bulletin --month YYYY-MM [--format docx|html] -o FILE`` and ``demo-data``."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from kb.reports.bulletin import build_bulletin
from kb.core.db import transaction
from kb.reports.demo_data import add_demo_month, remove_demo_data
from kb.core.errors import KbError
from kb.core.periods import parse_month, previous_month
from kb.core.timestamps import beijing_now
from webapp.storage import storage


@click.command("bulletin")
@with_appcontext
@click.option("--month", required=True, help="the month, YYYY-MM")
@click.option("--format", "fmt", type=click.Choice(("docx", "html")), default=None,
              help="default: from the file name's extension, else docx")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="file to write")
def bulletin_command(month, fmt, output):
    """Write the 《12366信息专报》 of a month as .docx or as a print-ready HTML page."""
    from webapp.bulletin_docx import bulletin_docx
    from webapp.reports import render_bulletin_html

    try:
        period = parse_month(month)
    except KbError as error:
        raise click.ClickException(str(error))
    fmt = fmt or ("html" if output.lower().endswith((".html", ".htm")) else "docx")
    with storage().session_factory() as session:
        bulletin = build_bulletin(session, period, beijing_now())
        if fmt == "docx":
            Path(output).write_bytes(bulletin_docx(bulletin))
        else:
            with current_app.test_request_context():
                Path(output).write_text(render_bulletin_html(bulletin, standalone=True), encoding="utf-8")
    click.echo(f"已生成 {period.label}《12366信息专报》：{output}（来电 {bulletin.total_calls} 个）")


@click.command("demo-data")
@with_appcontext
@click.option("--month", help="the month to fill, YYYY-MM (default: the previous month)")
@click.option("--calls", type=click.IntRange(0, 200_000), default=3000, show_default=True, help="how many calls")
@click.option("--remove", is_flag=True, help="delete every demo record instead")
def demo_data_command(month, calls, remove):
    """Fill a month with realistic demo calls, searches and referrals (marked as demo), or remove them."""
    if remove:
        with transaction(storage().session_factory) as session:
            removed = remove_demo_data(session)
        click.echo("已删除演示数据：" + "，".join(f"{table} {n}" for table, n in removed.items()))
        return
    now = beijing_now()
    try:
        period = parse_month(month) if month else previous_month(now.date())
    except KbError as error:
        raise click.ClickException(str(error))
    if period.start > now:
        raise click.ClickException(f"{period.label}尚未开始，不能生成演示数据")
    with transaction(storage().session_factory) as session:
        summary = add_demo_month(session, period, calls, now)
    click.echo(f"已生成演示数据 {summary}（可用 demo-data --remove 删除）")


def register(app: Flask) -> None:
    app.cli.add_command(bulletin_command)
    app.cli.add_command(demo_data_command)
