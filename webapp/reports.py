"""The director's desk: the 《12366信息专报》 page (inline-SVG charts, print-ready), its .docx and the
agents' weekly summary (the monthly appraisal has its own blueprint, ``webapp.appraisal``).

Views parse the month or week (and the director's forms: ``EditorialForm``, ``ShareForm``), call one
``kb`` function and render; the figures live in ``kb.reports.bulletin``.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from kb.reports.bulletin import (
    SECTIONS, TITLE, WEEKLY_SECTIONS, build_bulletin, build_weekly, can_read_issue, can_view_bulletin, can_view_weekly,
)
from kb.reports.bulletin_issues import (
    MAX_TEXT, IssueError, can_edit_issue, issues_shared_with, save_editorial, share_issue,
)
from kb.core.departments import department_names
from kb.core.periods import Period, PeriodError, parse_month, parse_week, previous_month, week_period
from kb.core.permissions import department_of, role_of
from kb.accounts.roles import DEPARTMENT
from webapp.auth import require
from webapp.forms import Form, TextListField, form_error
from webapp.storage import db_session
from kb.core.timestamps import beijing_now

bp = Blueprint("reports", __name__, url_prefix="/reports")
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OUTCOME_PREFIX = "outcome_"


class EditorialForm(Form):
    """加工提炼: a commentary for each section (``comment_1`` … ``comment_8``) and the 办理情况 of this
    month's suggestions (``outcome_<call id>``, as many as the month has; ``kb`` checks the ids)."""

    outcomes: dict[str, str]

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        super().process(formdata, obj, data, extra_filters, **kwargs)
        submitted = self.meta.wrap_formdata(self, formdata) or {}
        self.outcomes = {key[len(OUTCOME_PREFIX):]: value for key, value in submitted.items()
                         if key.startswith(OUTCOME_PREFIX)}

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if any(len((value or "").strip()) > MAX_TEXT for value in self.outcomes.values()):
            self.form_errors.append(f"办理情况不能超过 {MAX_TEXT} 字")
            valid = False
        return valid

    def to_data(self) -> dict:
        return {"commentary": {str(n): getattr(self, f"comment_{n}").data for n in range(1, len(SECTIONS) + 1)},
                "outcomes": self.outcomes}


for _number in range(1, len(SECTIONS) + 1):
    setattr(EditorialForm, f"comment_{_number}", TextAreaField(
        f"第 {_number} 部分点评", validators=[Length(max=MAX_TEXT, message=f"点评不能超过 {MAX_TEXT} 字")]))


class ShareForm(Form):
    departments = TextListField("报送部门")


def report_now() -> dt.datetime:
    return beijing_now()


class MonthForm(Form):
    """The month a report page is about: ``?month=2024-05`` in its address (or a form's ``month`` field);
    ``kb.core.periods.parse_month`` reads it."""

    class Meta:
        csrf = False  # a query, not a change; the forms that change something carry their own token

    month = StringField("月份")


def month_from_request(default_previous: bool = True) -> Period:
    text = (MonthForm(request.values).month.data or "").strip()
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
    departments = sorted(department_names(db_session())) if can_edit_issue(current_user) else []
    return render_template("reports/bulletin.html", b=bulletin, title=TITLE, sections=SECTIONS, departments=departments,
                           editor=can_edit_issue(current_user))


def _can_open_reports(actor) -> bool:
    return can_view_weekly(actor) or role_of(actor) == DEPARTMENT


@bp.get("/")
@require(_can_open_reports)
def index():
    if can_view_bulletin(current_user):
        return redirect(url_for("reports.bulletin"))
    if role_of(current_user) == DEPARTMENT:
        issues = issues_shared_with(db_session(), department_of(current_user))
        return render_template("reports/shared.html", issues=issues, title=TITLE)
    return redirect(url_for("reports.weekly"))


def _readable_month() -> Period:
    """The month asked for, when the user may read that issue (a department: only the ones shared with it)."""
    period = month_from_request()
    if not can_read_issue(db_session(), current_user, period.key):
        abort(403)
    return period


@bp.get("/bulletin")
@require(_can_open_reports)
def bulletin():
    bulletin = build_bulletin(db_session(), _readable_month(), report_now())
    return render_bulletin_html(bulletin, standalone=False)


@bp.post("/bulletin/editorial")
@require(can_edit_issue)
def bulletin_editorial():
    period, form = month_from_request(), EditorialForm()
    if not form.validate_on_submit():
        flash(form_error(form), "error")
        return redirect(url_for("reports.bulletin", month=period.key))
    try:
        save_editorial(db_session(), current_user, {"period": period, "at": report_now(), **form.to_data()})
    except IssueError as problem:
        flash(str(problem), "error")
    else:
        flash("加工提炼已保存。", "success")
    return redirect(url_for("reports.bulletin", month=period.key))


@bp.post("/bulletin/share")
@require(can_edit_issue)
def bulletin_share():
    period, form = month_from_request(), ShareForm()
    if not form.validate_on_submit():
        flash(form_error(form), "error")
        return redirect(url_for("reports.bulletin", month=period.key))
    try:
        issue = share_issue(db_session(), current_user, {"period": period, "at": report_now(),
                                                         "departments": form.departments.data})
    except IssueError as problem:
        flash(str(problem), "error")
    else:
        flash(f"已报送：{'、'.join(issue.shared_with)}" if issue.shared_with else "已取消报送。", "success")
    return redirect(url_for("reports.bulletin", month=period.key))


@bp.get("/bulletin.docx")
@require(_can_open_reports)
def bulletin_docx():
    from io import BytesIO

    from webapp.bulletin_docx import bulletin_docx as render_docx

    period = _readable_month()
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
