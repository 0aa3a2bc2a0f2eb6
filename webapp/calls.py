"""接听记录: the quick call form beside the search page, "my calls today" and one call's page.

The form is a panel of the search page (``templates/calls/_call_form.html``, filled by
``static/calls.js``): saving it (Ctrl+S or Alt+S) posts here and gets JSON back. Without
JavaScript it is an ordinary form that comes back to the search page.
"""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from kb.hotline.calls import (
    ANSWERED, DISPOSITIONS, ESCALATED, REFERRED, NewCall, calls_today, can_record_calls,
    get_call, record_call,
)
from kb.core.departments import TAX_TYPES, department_names
from kb.hotline.director_reports import record_escalated_call
from kb.core.errors import KbError
from kb.hotline.lawful_answers import REASON, VERDICTS, ReviewError, can_review_answers, review_answer, unsupported_answers
from kb.core.periods import PeriodError, parse_month, previous_month
from kb.hotline.redaction import REDACTED_CONTENT, caller_view, can_view_content
from kb.hotline.referrals import awaiting_feedback, can_open_referral
from kb.hotline.routing import CATEGORIES
from kb.accounts.users import can_read_library
from kb.core.timestamps import beijing_now, to_beijing
from webapp.auth import require
from webapp.security import no_store
from webapp.storage import db_session

bp = Blueprint("calls", __name__, url_prefix="/calls")


def _lines(value: str | None) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def call_form_data(form) -> NewCall:
    return NewCall(
        question=form.get("question", ""), category=form.get("category") or "政策咨询",
        disposition=form.get("disposition") or ANSWERED, answer=form.get("answer"),
        citations=_lines(form.get("citations")), tax_type=form.get("tax_type"),
        caller_name=form.get("caller_name"), caller_phone=form.get("caller_phone"),
        transferred_to=form.get("transferred_to"),
    )


def call_row(call, actor) -> dict:
    """A call as lists show it: no identity, and no content of 举报/投诉 unless the actor may see it."""
    secret = not can_view_content(actor, call)
    return {
        "id": call.id, "time": f"{to_beijing(call.created_at):%H:%M}", "category": call.category,
        "question": REDACTED_CONTENT if secret else call.question, "disposition": call.disposition,
        "url": url_for("calls.call", call_id=call.id),
    }


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.app_context_processor
def _call_panel():
    """``call_panel()`` for the search page: the form's choices, my calls today, replies awaiting feedback."""

    def call_panel() -> dict | None:
        if not can_record_calls(current_user):
            return None
        session = db_session()
        return {
            "categories": CATEGORIES, "dispositions": DISPOSITIONS, "tax_types": TAX_TYPES,
            "departments": sorted(department_names(session)),
            "today": [call_row(c, current_user) for c in calls_today(session, current_user)],
            "awaiting": len(awaiting_feedback(session, current_user)),
            "can_refer": can_open_referral(current_user),
        }

    return {"call_panel": call_panel}


@bp.post("")
@require(can_record_calls)
def record():
    data = call_form_data(request.form)
    try:
        if data.disposition == ESCALATED:
            call = get_call(db_session(), record_escalated_call(db_session(), current_user, data).call_id)
        else:
            call = record_call(db_session(), current_user, data)
    except KbError as problem:
        if _wants_json():
            return jsonify({"error": "未保存", "message": str(problem)}), 400
        flash(f"接听记录未保存：{problem}", "error")
        return redirect(url_for("search.home"))
    message = f"已保存接听记录 {call.id}（工号 {call.agent_staff_no or '—'}，{to_beijing(call.created_at):%H:%M}）"
    if call.disposition == ESCALATED:
        message += "，重大疑难问题报告单已报中心主任"
    refer_url = url_for("referrals.new", call_id=call.id) if call.disposition == REFERRED else None
    if _wants_json():
        return jsonify({"message": message, "call": call_row(call, current_user), "refer_url": refer_url})
    flash(message, "success")
    return redirect(refer_url or url_for("search.home"))


@bp.get("/today")
@require(can_record_calls)
def today():
    calls = [call_row(c, current_user) for c in calls_today(db_session(), current_user)]
    return render_template("calls/today.html", calls=calls)


@bp.get("/unsupported")
@require(can_review_answers)
def unsupported():
    """依法答复核查: the month's on-the-spot answers without a citation."""
    text = (request.args.get("month") or "").strip()
    try:
        period = parse_month(text) if text else previous_month(beijing_now().date())
    except PeriodError as error:
        return render_template("calls/unsupported.html", rows=[], period=None, error=str(error), reason=REASON), 400
    rows = unsupported_answers(db_session(), current_user, period)
    return render_template("calls/unsupported.html", rows=rows, period=period, error=None, reason=REASON,
                           verdicts=VERDICTS)


@bp.post("/unsupported/<int:call_id>/review")
@require(can_review_answers)
def review(call_id: int):
    try:
        review_answer(db_session(), current_user, {"call_id": call_id, "verdict": request.form.get("verdict"),
                                                   "note": request.form.get("note"), "at": beijing_now()})
    except ReviewError as problem:
        flash(str(problem), "error")
    else:
        flash(f"来电 {call_id} 已核查。", "success")
    return redirect(url_for("calls.unsupported", month=request.args.get("month") or ""))


@bp.get("/<int:call_id>")
@require(can_read_library)
def call(call_id: int):
    no_store()  # the caller's identity may be on it
    record_ = get_call(db_session(), call_id)
    caller = caller_view(db_session(), current_user, record_)  # Forbidden → 403; audited when in clear
    secret = not can_view_content(current_user, record_)
    return render_template("calls/call.html", call=record_, caller=caller, secret=secret,
                           redacted_content=REDACTED_CONTENT)
