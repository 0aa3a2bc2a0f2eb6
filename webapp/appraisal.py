"""The monthly appraisal pages: the 目标责任制考核表 (list, one agent's sheet), the 绩效工资 sheet with its
entries, and the amounts of both schemes with their versions.

Views parse the form (WTForms, ``webapp.forms.Form``), call one ``kb`` function and render; the figures live in ``kb.reports.appraisal``,
``kb.reports.pay`` and ``kb.reports.appraisal_rules``.
"""
from __future__ import annotations

import datetime as dt

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from kb.reports.appraisal import (
    ITEMS, MANUAL, AppraisalError, appraise, appraise_all, can_manage_appraisal, can_read_appraisals, can_view_appraisal,
)
from kb.reports.appraisal_sheets import (
    publish_month, record_summary, save_centre_entries, save_self_score, set_veto, submit_report,
)
from kb.reports.appraisal_history import HistoryError, build_summaries, summary_title
from kb.reports.appraisal_rules import PARAMS, PAY, SCHEME_NAMES, TARGET, RulesError, can_manage_rules, rule_versions, set_rules
from kb.reports.pay import EVENTS, SLIPS, PayError, can_view_pay, delete_event, record_event
from kb.core.permissions import role_of
from kb.accounts.roles import AGENT
from kb.accounts.users import get_user
from webapp.auth import require
from webapp.forms import Form, form_error, typed
from webapp.reports import month_from_request, report_now
from webapp.storage import db_session
from kb.core.timestamps import beijing_datetime

bp = Blueprint("appraisal", __name__, url_prefix="/reports")


# -- the forms: the figures are read and checked by kb (against the items' ceilings, the month, the scheme) --

class CentreForm(Form):
    """The director's entries on an agent's sheet: ``input_<key>`` for each manual figure, ``centre_<code>``
    for each item's score, and the note."""

    note = TextAreaField("中心评定意见")

    def to_data(self) -> dict:
        return {"note": self.note.data, "inputs": {m.key: self[f"input_{m.key}"].data for m in MANUAL},
                "centre_scores": {i.code: self[f"centre_{i.code}"].data for i in ITEMS}}


class SelfForm(Form):
    """The agent's own scores, ``self_<code>`` for each item, and the note."""

    note = TextAreaField("自评说明")

    def to_data(self) -> dict:
        return {"note": self.note.data, "scores": {i.code: self[f"self_{i.code}"].data for i in ITEMS}}


for _manual in MANUAL:
    setattr(CentreForm, f"input_{_manual.key}", StringField(_manual.label))
for _item in ITEMS:
    setattr(CentreForm, f"centre_{_item.code}", StringField(f"{_item.name}中心评分"))
    setattr(SelfForm, f"self_{_item.code}", StringField(f"{_item.name}自评"))


def _handed_on(value: str) -> dt.datetime:
    return beijing_datetime(dt.date.fromisoformat(value), dt.time(12, 0))


def _a_day(form, field):
    text = (field.data or "").strip()
    if text:
        try:
            _handed_on(text)
        except ValueError:
            raise ValidationError(f"日期“{text}”格式不正确，应为 YYYY-MM-DD") from None


class SummaryForm(Form):
    """月汇总上交: the director may give the day it was handed in on paper."""

    handed_on = StringField("月汇总上交日期", validators=[_a_day])

    def handed_at(self) -> dt.datetime | None:
        text = (self.handed_on.data or "").strip()
        return _handed_on(text) if text else None


_REPORT_REQUIRED = "书面报告须写明原因分析和改进措施"


class ReportForm(Form):
    causes = TextAreaField("原因分析", validators=[DataRequired(_REPORT_REQUIRED)])
    remedies = TextAreaField("改进措施", validators=[DataRequired(_REPORT_REQUIRED)])


class VetoForm(Form):
    reason = TextAreaField("一票否决")


class PayEventForm(Form):
    """A 绩效工资 entry; ``kb.reports.pay.record_event`` reads the day, the event and the numbers."""

    day = StringField("日期")
    event = StringField("考核事项")
    amount = StringField("次数或天数")
    minutes = StringField("分钟数")
    slip = StringField("假条")
    note = StringField("说明")


class RulesForm(Form):
    """New amounts of one scheme: ``<scheme>_<key>`` for each of its figures (``kb.reports.appraisal_rules``
    checks the scheme, the month and the figures)."""

    scheme = HiddenField("考核制度")
    effective_month = StringField("起始月份")
    note = StringField("依据或说明")

    def amounts(self) -> dict:
        scheme = self.scheme.data
        return {p.key: self[f"{scheme}_{p.key}"].data for p in PARAMS.get(scheme, ())}


for _scheme, _params in PARAMS.items():
    for _param in _params:
        setattr(RulesForm, f"{_scheme}_{_param.key}", StringField(_param.label))


def _can_see_appraisals(actor) -> bool:
    return can_read_appraisals(actor) or role_of(actor) == AGENT


def _agent(agent_id: int):
    agent = get_user(db_session(), agent_id)
    if agent is None or agent.role != AGENT:
        abort(404)
    return agent


@bp.get("/appraisal")
@require(_can_see_appraisals)
def appraisal_list():
    period = month_from_request()
    if not can_read_appraisals(current_user):
        return redirect(url_for("appraisal.appraisal_sheet", agent_id=current_user.id, month=period.key))
    appraisals = appraise_all(db_session(), period, report_now())
    return render_template("appraisal/list.html", period=period, appraisals=appraisals, items=ITEMS,
                           published=any(a.published for a in appraisals),
                           director=can_manage_appraisal(current_user))


def _render_sheet(agent, period, error=None, form: Form | None = None):
    appraisal = appraise(db_session(), agent, period, report_now())
    return render_template("appraisal/sheet.html", a=appraisal, period=period, manual=MANUAL, error=error,
                           director=can_manage_appraisal(current_user), reader=can_read_appraisals(current_user),
                           own=current_user.id == agent.id, form=typed(form) if form else {}), (400 if error else 200)


@bp.route("/appraisal/<int:agent_id>", methods=["GET", "POST"])
@require(_can_see_appraisals)
def appraisal_sheet(agent_id: int):
    if not can_view_appraisal(current_user, agent_id):
        abort(403)
    agent, period = _agent(agent_id), month_from_request()
    if request.method == "POST":
        director = can_manage_appraisal(current_user)
        form = CentreForm() if director else SelfForm()
        if not form.validate_on_submit():
            return _render_sheet(agent, period, form_error(form), form)
        data = {**form.to_data(), "month": period.key, "at": report_now()}
        try:
            if director:
                save_centre_entries(db_session(), current_user, {**data, "agent_id": agent_id})
            else:
                save_self_score(db_session(), current_user, data)
        except AppraisalError as problem:
            return _render_sheet(agent, period, str(problem), form)
        flash("考核表已保存。", "success")
        return redirect(url_for("appraisal.appraisal_sheet", agent_id=agent_id, month=period.key))
    return _render_sheet(agent, period)


def _sheet_action(agent_id: int, action, form: Form, data, done: str):
    """Check ``form``, then ``action`` with ``data(form)`` (a dict): the sheet again with the problem, or back to it."""
    if not can_view_appraisal(current_user, agent_id):
        abort(403)
    agent, period = _agent(agent_id), month_from_request()
    if not form.validate_on_submit():
        return _render_sheet(agent, period, form_error(form), form)
    try:
        action(db_session(), current_user, {"agent_id": agent_id, "month": period.key, **data(form)})
    except AppraisalError as problem:
        return _render_sheet(agent, period, str(problem), form)
    flash(done, "success")
    return redirect(url_for("appraisal.appraisal_sheet", agent_id=agent_id, month=period.key))


@bp.post("/appraisal/<int:agent_id>/summary")
@require(_can_see_appraisals)
def hand_in_summary(agent_id: int):
    def data(form: SummaryForm) -> dict:
        handed_at = form.handed_at() if can_manage_appraisal(current_user) else None
        return {"at": handed_at or report_now()}

    return _sheet_action(agent_id, record_summary, SummaryForm(), data, "已登记月汇总上交。")


@bp.post("/appraisal/<int:agent_id>/report")
@require(_can_see_appraisals)
def written_report(agent_id: int):
    return _sheet_action(agent_id, submit_report, ReportForm(), lambda form: {
        "causes": form.causes.data, "remedies": form.remedies.data, "at": report_now()}, "书面报告已提交。")


@bp.post("/appraisal/<int:agent_id>/veto")
@require(can_manage_appraisal)
def veto(agent_id: int):
    return _sheet_action(agent_id, set_veto, VetoForm(), lambda form: {"reason": form.reason.data}, "一票否决已保存。")


@bp.post("/appraisal/publish")
@require(can_manage_appraisal)
def appraisal_publish():
    period = month_from_request()
    try:
        publish_month(db_session(), current_user, {"period": period, "now": report_now()})
    except AppraisalError as problem:
        flash(str(problem), "error")
    else:
        flash(f"{period.label}考核结果已公布。", "success")
    return redirect(url_for("appraisal.appraisal_list", month=period.key))


# -- 绩效工资 -----------------------------------------------------------------------------------

def _render_pay(agent, period, error=None, form: Form | None = None):
    appraisal = appraise(db_session(), agent, period, report_now())
    return render_template("appraisal/pay.html", a=appraisal, pay=appraisal.pay, period=period, events=EVENTS,
                           slips=SLIPS, error=error, director=can_manage_appraisal(current_user),
                           reader=can_read_appraisals(current_user),
                           form=typed(form) if error and form else {}), (400 if error else 200)


@bp.route("/pay/<int:agent_id>", methods=["GET", "POST"])
@require(_can_see_appraisals)
def pay_sheet(agent_id: int):
    if not can_view_pay(current_user, agent_id):
        abort(403)
    agent, period = _agent(agent_id), month_from_request()
    if request.method == "POST":
        form = PayEventForm()
        if not form.validate_on_submit():
            return _render_pay(agent, period, form_error(form), form)
        try:
            record_event(db_session(), current_user, {
                "agent_id": agent_id, "day": form.day.data or "", "event": form.event.data, "amount": form.amount.data,
                "minutes": form.minutes.data, "slip": form.slip.data, "note": form.note.data, "at": report_now()})
        except PayError as problem:
            return _render_pay(agent, period, str(problem), form)
        flash("已登记。", "success")
        return redirect(url_for("appraisal.pay_sheet", agent_id=agent_id, month=period.key))
    return _render_pay(agent, period)


@bp.post("/pay/<int:agent_id>/events/<int:event_id>/delete")
@require(can_manage_appraisal)
def pay_event_delete(agent_id: int, event_id: int):
    period = month_from_request()
    try:
        delete_event(db_session(), current_user, {"event_id": event_id})
    except PayError as problem:
        return _render_pay(_agent(agent_id), period, str(problem))
    flash("已删除。", "success")
    return redirect(url_for("appraisal.pay_sheet", agent_id=agent_id, month=period.key))


# -- the amounts ----------------------------------------------------------------------------------

def _render_rules(error=None, form: Form | None = None):
    session = db_session()
    schemes = [(scheme, SCHEME_NAMES[scheme], PARAMS[scheme], rule_versions(session, scheme)) for scheme in (PAY, TARGET)]
    return render_template("appraisal/rules.html", schemes=schemes, error=error,
                           director=can_manage_rules(current_user), form=typed(form) if error and form else {}), \
        (400 if error else 200)


@bp.route("/appraisal-rules", methods=["GET", "POST"])
@require(_can_see_appraisals)
def appraisal_rules():
    if request.method == "POST":
        if not can_manage_rules(current_user):
            abort(403)
        form = RulesForm()
        if not form.validate_on_submit():
            return _render_rules(form_error(form), form)
        try:
            set_rules(db_session(), current_user, {
                "scheme": form.scheme.data, "effective_month": form.effective_month.data, "note": form.note.data,
                "at": report_now(), "amounts": form.amounts()})
        except RulesError as problem:
            return _render_rules(str(problem), form)
        flash("新的考核标准已保存。", "success")
        return redirect(url_for("appraisal.appraisal_rules"))
    return _render_rules()


# -- 半年小结 and 年终总结 ----------------------------------------------------------------------------

def _summary_request() -> dict:
    args = request.args
    try:
        year = int(args.get("year") or report_now().year)
        half = int(args["half"]) if (args.get("half") or "").strip() else None
        agent_id = int(args["agent_id"]) if (args.get("agent_id") or "").strip() else None
    except ValueError:
        abort(400, description="年份、期间或咨询服务员参数无效")
    if not can_read_appraisals(current_user):
        agent_id = current_user.id
    return {"year": year, "half": half, "agent_id": agent_id, "now": report_now()}


def _summaries(data: dict):
    try:
        return build_summaries(db_session(), current_user, data)
    except HistoryError as problem:
        abort(400, description=str(problem))


@bp.get("/appraisal-summary")
@require(_can_see_appraisals)
def appraisal_summary():
    data = _summary_request()
    summaries = _summaries(data)
    title = summary_title(data["year"], data["half"])
    return render_template("appraisal/summary.html", summaries=summaries, title=title, **data)


@bp.get("/appraisal-summary.docx")
@require(_can_see_appraisals)
def appraisal_summary_docx():
    from webapp.appraisal_docx import summaries_docx
    from webapp.reports import DOCX_MIME

    data = _summary_request()
    summaries = _summaries(data)
    title = summary_title(data["year"], data["half"])
    return send_file(BytesIO(summaries_docx(title, summaries)), mimetype=DOCX_MIME, as_attachment=True,
                     download_name=f"考核{title}.docx")
