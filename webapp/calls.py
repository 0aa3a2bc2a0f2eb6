"""接听记录: the quick call form beside the search page, "my calls today" and one call's page.

The form is a panel of the search page (``templates/calls/_call_form.html``, filled by
``static/calls.js``): saving it (Ctrl+S or Alt+S) posts here and gets JSON back. Without
JavaScript it is an ordinary form that comes back to the search page.
"""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

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
from webapp.forms import Form, form_error, lines
from webapp.security import no_store
from webapp.storage import db_session

bp = Blueprint("calls", __name__, url_prefix="/calls")


class CallForm(Form):
    """The quick call form. ``kb.hotline.calls.record_call`` checks the question, the category, the
    disposition, the tax type, the answer and the department (with their messages); the form adds the
    lengths of the caller's name and telephone, which only the columns would otherwise catch."""

    question = TextAreaField("来电问题")
    category = StringField("来电类别")
    disposition = StringField("处理方式")
    answer = TextAreaField("答复内容")
    citations = TextAreaField("答复依据")
    tax_type = StringField("税种")
    caller_name = StringField("纳税人姓名", validators=[Length(max=100, message="纳税人姓名不能超过 100 字")])
    caller_phone = StringField("联系电话", validators=[Length(max=50, message="联系电话不能超过 50 字")])
    transferred_to = StringField("转接部门", validators=[Length(max=100, message="部门名称不能超过 100 字")])

    def to_data(self) -> NewCall:
        return NewCall(
            question=self.question.data, category=self.category.data or "政策咨询",
            disposition=self.disposition.data or ANSWERED, answer=self.answer.data,
            citations=lines(self.citations.data), tax_type=self.tax_type.data, caller_name=self.caller_name.data,
            caller_phone=self.caller_phone.data, transferred_to=self.transferred_to.data)


class ReviewForm(Form):
    """依法答复核查 of one call: the verdict (``kb.hotline.lawful_answers.review_answer`` checks it) and a note."""

    verdict = StringField("核查结论")
    note = StringField("说明")


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


def _not_saved(problem: str):
    if _wants_json():
        return jsonify({"error": "未保存", "message": problem}), 400
    flash(f"接听记录未保存：{problem}", "error")
    return redirect(url_for("search.home"))


@bp.post("")
@require(can_record_calls)
def record():
    form = CallForm()
    if not form.validate_on_submit():
        return _not_saved(form_error(form))
    data = form.to_data()
    try:
        if data.disposition == ESCALATED:
            call = get_call(db_session(), record_escalated_call(db_session(), current_user, data).call_id)
        else:
            call = record_call(db_session(), current_user, data)
    except KbError as problem:
        return _not_saved(str(problem))
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
    form = ReviewForm()
    back = redirect(url_for("calls.unsupported", month=request.args.get("month") or ""))
    if not form.validate_on_submit():
        flash(form_error(form), "error")
        return back
    try:
        review_answer(db_session(), current_user, {"call_id": call_id, "verdict": form.verdict.data,
                                                   "note": form.note.data, "at": beijing_now()})
    except ReviewError as problem:
        flash(str(problem), "error")
    else:
        flash(f"来电 {call_id} 已核查。", "success")
    return back


@bp.get("/<int:call_id>")
@require(can_read_library)
def call(call_id: int):
    no_store()  # the caller's identity may be on it
    record_ = get_call(db_session(), call_id)
    caller = caller_view(db_session(), current_user, record_)  # Forbidden → 403; audited when in clear
    secret = not can_view_content(current_user, record_)
    return render_template("calls/call.html", call=record_, caller=caller, secret=secret,
                           redacted_content=REDACTED_CONTENT)
