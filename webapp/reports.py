"""The director's desk: the 《12366信息专报》 page (inline-SVG charts, print-ready), its .docx and the
agents' weekly summary (the monthly appraisal has its own blueprint, ``webapp.appraisal``).

Views parse the month or week, call one ``kb`` function and render; the figures live in
``kb.bulletin``.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from kb.bulletin import SECTIONS, TITLE, WEEKLY_SECTIONS, build_bulletin, build_weekly, can_view_bulletin, can_view_weekly
from kb.periods import Period, PeriodError, parse_month, parse_week, previous_month, week_period
from kb.workdays import beijing_now
from webapp.auth import require
from webapp.storage import db_session

bp = Blueprint("reports", __name__, url_prefix="/reports")
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_now() -> dt.datetime:
    return beijing_now()


def month_from_request(default_previous: bool = True) -> Period:
    text = (request.args.get("month") or request.form.get("month") or "").strip()
    if not text:
        today = report_now().date()
        return previous_month(today) if default_previous else parse_month(f"{today.year}-{today.month}")
    try:
        return parse_month(text)
    except PeriodError as error:
        abort(400, description=str(error))


def render_bulletin_html(bulletin, standalone: bool) -> str:
    """The bulletin page inside the site, or (``standalone``) a self-contained print-ready file."""
    if standalone:
        css = (Path(current_app.static_folder) / "reports.css").read_text(encoding="utf-8")
        return render_template("reports/bulletin_print.html", b=bulletin, title=TITLE, sections=SECTIONS, css=css)
    return render_template("reports/bulletin.html", b=bulletin, title=TITLE, sections=SECTIONS)


@bp.get("/")
@require(can_view_weekly)
def index():
    if can_view_bulletin(current_user):
        return redirect(url_for("reports.bulletin"))
    return redirect(url_for("reports.weekly"))


@bp.get("/bulletin")
@require(can_view_bulletin)
def bulletin():
    bulletin = build_bulletin(db_session(), month_from_request(), report_now())
    return render_bulletin_html(bulletin, standalone=False)


@bp.get("/bulletin.docx")
@require(can_view_bulletin)
def bulletin_docx():
    from io import BytesIO

    from webapp.bulletin_docx import bulletin_docx as render_docx

    period = month_from_request()
    data = render_docx(build_bulletin(db_session(), period, report_now()))
    return send_file(BytesIO(data), mimetype=DOCX_MIME, as_attachment=True,
                     download_name=f"12366信息专报-{period.key}.docx")


@bp.get("/weekly")
@require(can_view_weekly)
def weekly():
    text = (request.args.get("week") or "").strip()
    try:
        period = parse_week(text) if text else week_period(report_now().date() - dt.timedelta(days=7))
    except PeriodError as error:
        abort(400, description=str(error))
    summary = build_weekly(db_session(), period, report_now())
    return render_template("reports/weekly.html", b=summary, sections=WEEKLY_SECTIONS,
                           previous=period.previous(), following=week_period(period.end.date()))
