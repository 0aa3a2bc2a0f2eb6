"""``flask send-reminders``: 催办 overdue referrals and report ineffective ones (run it from cron)."""
from __future__ import annotations

import datetime as dt

import click
from flask import Flask
from flask.cli import with_appcontext

from kb.core.db import transaction
from kb.hotline.reminders import send_reminders
from kb.core.timestamps import BEIJING, beijing_now
from webapp.storage import storage


def register(app: Flask) -> None:
    app.cli.add_command(send_reminders_command)


def _beijing_moment(text: str) -> dt.datetime:
    """``--now`` is Beijing time; an offset, if given, is honoured."""
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


@click.command("send-reminders")
@click.option("--now", "now", default=None, help="北京时间 YYYY-MM-DD HH:MM（默认：当前时间）")
@with_appcontext
def send_reminders_command(now):
    """Remind departments of overdue referrals; write 催办无效报告 to the director."""
    try:
        moment = _beijing_moment(now) if now else beijing_now()
    except ValueError:
        raise click.BadParameter(f"时间“{now}”格式不正确，应为 YYYY-MM-DD HH:MM", param_hint="--now") from None
    with transaction(storage().session_factory) as session:
        run = send_reminders(session, moment)
        reminded = [(r.id, r.department, r.reminder_count) for r in run.reminded]
        reports = [(report.id, report.referral_id) for report in run.reports]
    for referral_id, department, count in reminded:
        click.echo(f"催办 转办单 {referral_id} → {department}（第 {count} 次）")
    for report_id, referral_id in reports:
        click.echo(f"催办无效报告 {report_id}：转办单 {referral_id} 已报中心主任")
    click.echo(f"共催办 {len(reminded)} 件，催办无效报告 {len(reports)} 份")
