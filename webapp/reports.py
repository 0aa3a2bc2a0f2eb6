"""The director's desk: the 《12366信息专报》 page (inline-SVG charts, print-ready), its .docx, the
agents' weekly summary, and the monthly appraisal (目标责任制考核表).

Views parse the month or week, call one ``kb`` function and render; the figures live in
``kb.bulletin`` and ``kb.appraisal``.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from kb.appraisal import (
    ITEMS, MANUAL, YUAN_PER_POINT, AppraisalError, appraise, appraise_all, can_manage_appraisal, can_view_appraisal,
    publish_month, save_centre_entries, save_self_score,
)
from kb.bulletin import SECTIONS, TITLE, WEEKLY_SECTIONS, build_bulletin, build_weekly, can_view_bulletin, can_view_weekly
from kb.periods import Period, PeriodError, parse_month, parse_week, previous_month, week_period
from kb.permissions import role_of
from kb.users import AGENT, get_user
from kb.workdays import beijing_now
from webapp.auth import require
from webapp.storage import db_session

bp = Blueprint("reports", __name__, url_prefix="/reports")
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_now() -> dt.datetime:
    return beijing_now()


def _month(default_previous: bool = True) -> Period:
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
    bulletin = build_bulletin(db_session(), _month(), report_now())
    return render_bulletin_html(bulletin, standalone=False)


@bp.get("/bulletin.docx")
@require(can_view_bulletin)
def bulletin_docx():
    from io import BytesIO

    from webapp.bulletin_docx import bulletin_docx as render_docx

    period = _month()
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


# -- appraisal ----------------------------------------------------------------------------------

def _can_see_appraisals(actor) -> bool:
    return can_manage_appraisal(actor) or role_of(actor) == AGENT


@bp.get("/appraisal")
@require(_can_see_appraisals)
def appraisal_list():
    period = _month()
    if not can_manage_appraisal(current_user):
        return redirect(url_for("reports.appraisal_sheet", agent_id=current_user.id, month=period.key))
    appraisals = appraise_all(db_session(), period, report_now())
    return render_template("reports/appraisal_list.html", period=period, appraisals=appraisals, items=ITEMS,
                           published=any(a.published for a in appraisals))


@bp.route("/appraisal/<int:agent_id>", methods=["GET", "POST"])
@require(_can_see_appraisals)
def appraisal_sheet(agent_id: int):
    if not can_view_appraisal(current_user, agent_id):
        abort(403)
    session = db_session()
    agent = get_user(session, agent_id)
    if agent is None or agent.role != AGENT:
        abort(404)
    period = _month()
    error = None
    if request.method == "POST":
        form = request.form
        try:
            if can_manage_appraisal(current_user):
                save_centre_entries(session, current_user, {
                    "agent_id": agent_id, "month": period.key, "note": form.get("note"),
                    "inputs": {m.key: form.get(f"input_{m.key}") for m in MANUAL},
                    "centre_scores": {i.code: form.get(f"centre_{i.code}") for i in ITEMS}})
            else:
                save_self_score(session, current_user, {
                    "month": period.key, "note": form.get("note"),
                    "scores": {i.code: form.get(f"self_{i.code}") for i in ITEMS}})
        except AppraisalError as problem:
            error = str(problem)
        else:
            flash("考核表已保存。", "success")
            return redirect(url_for("reports.appraisal_sheet", agent_id=agent_id, month=period.key))
    appraisal = appraise(session, agent, period, report_now())
    return render_template("reports/appraisal_sheet.html", a=appraisal, period=period, manual=MANUAL, error=error,
                           director=can_manage_appraisal(current_user), yuan=YUAN_PER_POINT), (400 if error else 200)


@bp.post("/appraisal/publish")
@require(can_manage_appraisal)
def appraisal_publish():
    period = _month()
    publish_month(db_session(), current_user, {"period": period, "now": report_now()})
    flash(f"{period.label}考核结果已公布。", "success")
    return redirect(url_for("reports.appraisal_list", month=period.key))
