"""The monthly appraisal pages: the 目标责任制考核表 (list, one agent's sheet), the 绩效工资 sheet with its
entries, and the amounts of both schemes with their versions.

Views parse the form, call one ``kb`` function and render; the figures live in ``kb.reports.appraisal``,
``kb.reports.pay`` and ``kb.reports.appraisal_rules``.
"""
from __future__ import annotations

import datetime as dt

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

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
from webapp.reports import month_from_request, report_now
from webapp.storage import db_session
from kb.core.timestamps import beijing_datetime

bp = Blueprint("appraisal", __name__, url_prefix="/reports")


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


def _render_sheet(agent, period, error=None):
    appraisal = appraise(db_session(), agent, period, report_now())
    return render_template("appraisal/sheet.html", a=appraisal, period=period, manual=MANUAL, error=error,
                           director=can_manage_appraisal(current_user), reader=can_read_appraisals(current_user),
                           own=current_user.id == agent.id, form=request.form), (400 if error else 200)


@bp.route("/appraisal/<int:agent_id>", methods=["GET", "POST"])
@require(_can_see_appraisals)
def appraisal_sheet(agent_id: int):
    if not can_view_appraisal(current_user, agent_id):
        abort(403)
    agent, period = _agent(agent_id), month_from_request()
    if request.method == "POST":
        form = request.form
        try:
            if can_manage_appraisal(current_user):
                save_centre_entries(db_session(), current_user, {
                    "agent_id": agent_id, "month": period.key, "note": form.get("note"), "at": report_now(),
                    "inputs": {m.key: form.get(f"input_{m.key}") for m in MANUAL},
                    "centre_scores": {i.code: form.get(f"centre_{i.code}") for i in ITEMS}})
            else:
                save_self_score(db_session(), current_user, {
                    "month": period.key, "note": form.get("note"), "at": report_now(),
                    "scores": {i.code: form.get(f"self_{i.code}") for i in ITEMS}})
        except AppraisalError as problem:
            return _render_sheet(agent, period, str(problem))
        flash("考核表已保存。", "success")
        return redirect(url_for("appraisal.appraisal_sheet", agent_id=agent_id, month=period.key))
    return _render_sheet(agent, period)


def _sheet_action(agent_id: int, action, data: dict, done: str):
    if not can_view_appraisal(current_user, agent_id):
        abort(403)
    agent, period = _agent(agent_id), month_from_request()
    try:
        action(db_session(), current_user, {"agent_id": agent_id, "month": period.key, **data})
    except AppraisalError as problem:
        return _render_sheet(agent, period, str(problem))
    flash(done, "success")
    return redirect(url_for("appraisal.appraisal_sheet", agent_id=agent_id, month=period.key))


@bp.post("/appraisal/<int:agent_id>/summary")
@require(_can_see_appraisals)
def hand_in_summary(agent_id: int):
    at = report_now()
    text = (request.form.get("handed_on") or "").strip()
    if text and can_manage_appraisal(current_user):
        try:
            at = beijing_datetime(dt.date.fromisoformat(text), dt.time(12, 0))
        except ValueError:
            return _render_sheet(_agent(agent_id), month_from_request(), f"日期“{text}”格式不正确，应为 YYYY-MM-DD")
    return _sheet_action(agent_id, record_summary, {"at": at}, "已登记月汇总上交。")


@bp.post("/appraisal/<int:agent_id>/report")
@require(_can_see_appraisals)
def written_report(agent_id: int):
    return _sheet_action(agent_id, submit_report, {"causes": request.form.get("causes"),
                                                   "remedies": request.form.get("remedies"), "at": report_now()},
                         "书面报告已提交。")


@bp.post("/appraisal/<int:agent_id>/veto")
@require(can_manage_appraisal)
def veto(agent_id: int):
    return _sheet_action(agent_id, set_veto, {"reason": request.form.get("reason")}, "一票否决已保存。")


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

def _render_pay(agent, period, error=None):
    appraisal = appraise(db_session(), agent, period, report_now())
    return render_template("appraisal/pay.html", a=appraisal, pay=appraisal.pay, period=period, events=EVENTS,
                           slips=SLIPS, error=error, director=can_manage_appraisal(current_user),
                           reader=can_read_appraisals(current_user),
                           form=request.form if error else {}), (400 if error else 200)


@bp.route("/pay/<int:agent_id>", methods=["GET", "POST"])
@require(_can_see_appraisals)
def pay_sheet(agent_id: int):
    if not can_view_pay(current_user, agent_id):
        abort(403)
    agent, period = _agent(agent_id), month_from_request()
    if request.method == "POST":
        form = request.form
        try:
            record_event(db_session(), current_user, {
                "agent_id": agent_id, "day": form.get("day") or "", "event": form.get("event"),
                "amount": form.get("amount"), "minutes": form.get("minutes"), "slip": form.get("slip"),
                "note": form.get("note"), "at": report_now()})
        except PayError as problem:
            return _render_pay(agent, period, str(problem))
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

def _render_rules(error=None):
    session = db_session()
    schemes = [(scheme, SCHEME_NAMES[scheme], PARAMS[scheme], rule_versions(session, scheme)) for scheme in (PAY, TARGET)]
    return render_template("appraisal/rules.html", schemes=schemes, error=error,
                           director=can_manage_rules(current_user), form=request.form if error else {}), \
        (400 if error else 200)


@bp.route("/appraisal-rules", methods=["GET", "POST"])
@require(_can_see_appraisals)
def appraisal_rules():
    if request.method == "POST":
        if not can_manage_rules(current_user):
            abort(403)
        form = request.form
        scheme = form.get("scheme")
        try:
            set_rules(db_session(), current_user, {
                "scheme": scheme, "effective_month": form.get("effective_month"), "note": form.get("note"),
                "at": report_now(), "amounts": {p.key: form.get(f"{scheme}_{p.key}") for p in PARAMS.get(scheme, ())}})
        except RulesError as problem:
            return _render_rules(str(problem))
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
