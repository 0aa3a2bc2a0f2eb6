"""转办单 pages: the draft from an unanswered search, the department inbox, the agent's 待反馈,
one referral's page with the step its reader may take, and the director's supervision
(every referral, 催办无效报告 and 重大疑难问题报告单 with handling, the audit log).

Every view parses its form (``webapp.referral_forms``), calls one ``kb`` operation and renders or
redirects; a form that does not validate comes back with the message in Chinese, ``kb`` refuses
what the actor may not do (``Forbidden`` → 403) and explains invalid input (``KbError`` → the
form again, with the message). The caller's identity is shown only through
``kb.hotline.redaction.caller_view``, which writes the audit log.
"""
from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for, session as web_session
from flask_login import current_user

from kb.accounts import audit
from kb.core.departments import GROUPS, TAX_TYPES, department_names, group_of
from kb.hotline.director_reports import (
    NewDifficultyReport, can_handle_reports, can_report_difficulty, handle_report, list_reports, report_difficulty,
)
from kb.core.errors import KbError
from kb.faq.operations import can_edit_faq
from kb.core.permissions import Forbidden
from kb.hotline.redaction import REDACTED_CONTENT, caller_view, can_view_content, identity_viewers, referral_content
from kb.hotline.referral_drafts import referral_draft
from kb.hotline.referral_faq import faq_draft_from_referral
from kb.hotline.models import DRAFT, FEEDBACK, REPLIED, RETURNED, STATE_LABELS, STATES
from kb.hotline.referrals import (
    EVENT_LABELS, awaiting_feedback, can_answer_referral, can_follow_up, can_list_referrals, can_open_referral,
    close_referral, department_inbox, get_referral_for, has_inbox, list_referrals, record_feedback, refer_unanswered,
    reply_referral, return_referral, send_referral, staffed_departments,
)
from kb.hotline.report_referrals import pass_report
from kb.hotline.routing import CATEGORIES
from kb.hotline.routing_rules import suggest_department
from kb.accounts.roles import AGENT
from kb.accounts.users import can_read_library
from webapp.auth import require
from webapp.forms import Form, form_error
from webapp.referral_forms import (
    DifficultyReportForm, FeedbackForm, HandlingForm, PassReportForm, ReferralForm, ReplyForm, ReturnForm, SendForm,
)
from webapp.security import no_store
from webapp.storage import db_session
from kb.core.timestamps import beijing_now, to_beijing

bp = Blueprint("referrals", __name__, url_prefix="/referrals")


def _departments() -> list[str]:
    """Receiving departments in the order of their groups (稽查局 … 区县联络员)."""
    order = {group: i for i, group in enumerate(GROUPS)}
    return sorted(department_names(db_session()), key=lambda name: (order.get(group_of(name), 99), name))


def referral_row(referral, actor, now) -> dict:
    """A referral as lists show it: no identity; the content of 举报/投诉 only to those who may see it."""
    secret = not can_view_content(actor, referral)
    return {
        "id": referral.id, "category": referral.category, "department": referral.department,
        "question": REDACTED_CONTENT if secret else referral.question, "state": referral.state,
        "state_label": referral.state_label, "agent_staff_no": referral.agent_staff_no,
        "created_at": referral.created_at, "due_at": referral.due_at,
        "reminders": referral.reminder_count, "overdue": referral.is_overdue(now), "escalated": referral.escalated,
        "deadline": referral.deadline_status(now),
        "url": url_for("referrals.referral", referral_id=referral.id),
    }


def _rows(referrals) -> list[dict]:
    now = beijing_now()
    return [referral_row(r, current_user, now) for r in referrals]


# -- lists ------------------------------------------------------------------------------------------

@bp.get("/")
@require(lambda actor: can_list_referrals(actor) or has_inbox(actor))
def index():
    if has_inbox(current_user):
        return redirect(url_for("referrals.inbox"))
    state = request.args.get("state") or None
    mine = current_user.role == AGENT and request.args.get("all") != "1"
    referrals = _rows(list_referrals(db_session(), current_user, state=state, mine=mine,
                                     overdue=request.args.get("overdue") == "1"))
    return render_template("referrals/list.html", referrals=referrals, mine=mine, state=state,
                           states=STATES, state_labels=STATE_LABELS, title="我的转办单" if mine else "全部转办单")


@bp.get("/inbox")
@require(has_inbox)
def inbox():
    done = request.args.get("tab") == "done"
    referrals = _rows(department_inbox(db_session(), current_user, done=done))
    return render_template("referrals/list.html", referrals=referrals, inbox=True, done=done,
                           title=f"转办收件箱 · {current_user.department}")


@bp.get("/feedback")
@require(can_open_referral)
def feedback():
    referrals = _rows(awaiting_feedback(db_session(), current_user))
    return render_template("referrals/list.html", referrals=referrals, awaiting=True, title="待反馈")


# -- the draft from an unanswered search -------------------------------------------------------------

def _draft_page(fields: dict, error: str | None = None, status: int = 200):
    no_store()  # the caller's name and contact are in the form
    draft = referral_draft(db_session(), current_user, fields)  # another agent's call: Forbidden (403)
    return render_template(
        "referrals/new.html", fields=draft.fields, decision=draft.decision, suggested=draft.suggested,
        choices=draft.decision.choices() if draft.decision else [], caller_from_call=draft.caller_from_call,
        content_from_call=draft.content_from_call, error=error, departments=_departments(),
        staffed=staffed_departments(db_session()), categories=CATEGORIES, tax_types=TAX_TYPES,
    ), status


@bp.get("/new")
@require(can_open_referral)
def new():
    # from a call record: its category (a 举报 stays a 举报), question, caller; another agent's call: 403
    return _draft_page(ReferralForm(formdata=request.args).fields())


@bp.post("/new")
@require(can_open_referral)
def create():
    form = ReferralForm()
    if not form.validate_on_submit():
        return _draft_page(form.fields(), form_error(form), 400)
    send = form.send
    try:
        referral = refer_unanswered(db_session(), current_user, form.to_data(), send=send)
    except Forbidden:
        raise  # another agent's call: 403, not the form again
    except KbError as problem:
        return _draft_page(form.fields(), str(problem), 400)
    flash(f"转办单 {referral.id} 已转{referral.department}，答复期限 {to_beijing(referral.due_at):%Y-%m-%d %H:%M}" if send
          else f"转办单 {referral.id} 已保存为草稿", "success")
    if referral.warning:
        flash(referral.warning, "error")
    return redirect(url_for("referrals.referral", referral_id=referral.id))


@bp.get("/suggest.json")
@require(can_open_referral)
def suggest():
    decision = suggest_department(db_session(), request.args.get("question") or "",
                                  category=request.args.get("category") or None,
                                  tax_type=request.args.get("tax_type") or None)
    return jsonify({"department": decision.office or decision.department, "group": decision.department,
                    "reason": decision.reason, "confidence": decision.confidence,
                    "needs_choice": decision.needs_choice, "choices": decision.choices()})


# -- one referral ------------------------------------------------------------------------------------

def _referral_page(referral_id: int):
    no_store()  # the caller's identity may be on it
    session = db_session()
    referral = get_referral_for(session, current_user, referral_id)
    caller = caller_view(session, current_user, referral)  # audited when shown in clear
    content = referral_content(current_user, referral)
    typed = web_session.pop("referral_typed", None)
    return render_template(
        "referrals/referral.html", referral=referral, caller=caller, secret=content["redacted"], content=content,
        history=list(zip(referral.events, content["notes"])),
        typed=typed if typed and typed.get("referral_id") == referral.id else {},
        event_labels=EVENT_LABELS, departments=_departments(), staffed=staffed_departments(session),
        overdue=referral.is_overdue(beijing_now()), deadline=referral.deadline_status(beijing_now()),
        can_send=can_follow_up(current_user, referral) and referral.state in (DRAFT, RETURNED),
        can_answer=can_answer_referral(current_user, referral),
        can_feedback=can_follow_up(current_user, referral) and referral.state in (REPLIED, RETURNED, FEEDBACK),
        can_close=can_follow_up(current_user, referral) and referral.state == FEEDBACK,
        can_capture=can_edit_faq(current_user) and bool(referral.answer) and not referral.is_confidential,
    )


@bp.get("/<int:referral_id>")
@require(can_read_library)
def referral(referral_id: int):
    return _referral_page(referral_id)


def _step(referral_id: int, form: Form, operation, data: dict, done: str, typed: dict | None = None):
    """Run one workflow step from a form on the referral's page; a form that does not validate or a
    refusal comes back as a message (by redirect, so that the page shown next is audited and committed
    like any other view), with what was ``typed`` kept for the form."""
    if not form.validate_on_submit():
        flash(form_error(form), "error")
        if typed:
            web_session["referral_typed"] = {"referral_id": referral_id, **typed}
        return redirect(url_for("referrals.referral", referral_id=referral_id))
    try:
        result = operation(db_session(), current_user, {"referral_id": referral_id, **data})
    except Forbidden:
        raise
    except KbError as problem:
        db_session().rollback()
        flash(str(problem), "error")
        if typed:
            web_session["referral_typed"] = {"referral_id": referral_id, **typed}
    else:
        flash(done, "success")
        if getattr(result, "warning", None):
            flash(result.warning, "error")
    return redirect(url_for("referrals.referral", referral_id=referral_id))


@bp.post("/<int:referral_id>/send")
@require(can_open_referral)
def send(referral_id: int):
    form = SendForm()
    return _step(referral_id, form, send_referral, {"department": form.department.data}, "已转办")


@bp.post("/<int:referral_id>/reply")
@require(has_inbox)
def reply(referral_id: int):
    form = ReplyForm()
    return _step(referral_id, form, reply_referral, form.to_data(), "已答复",
                 typed={"answer": form.answer.data or "", "citations": form.citations.data or ""})


@bp.post("/<int:referral_id>/return")
@require(has_inbox)
def return_(referral_id: int):
    form = ReturnForm()
    return _step(referral_id, form, return_referral, {"reason": form.reason.data}, "已退回")


@bp.post("/<int:referral_id>/feedback")
@require(can_open_referral)
def record_feedback_(referral_id: int):
    form = FeedbackForm()
    return _step(referral_id, form, record_feedback, {"feedback": form.feedback.data}, "已记录回访反馈")


@bp.post("/<int:referral_id>/close")
@require(can_open_referral)
def close(referral_id: int):
    return _step(referral_id, Form(), close_referral, {}, "已办结")


@bp.post("/<int:referral_id>/faq")
@require(can_edit_faq)
def capture(referral_id: int):
    get_referral_for(db_session(), current_user, referral_id)
    if not Form().validate_on_submit():
        flash("页面已过期，请刷新后重试。", "error")
        return redirect(url_for("referrals.referral", referral_id=referral_id))
    try:
        captured = faq_draft_from_referral(db_session(), current_user, {"referral_id": referral_id})
    except KbError as problem:
        db_session().rollback()
        flash(str(problem), "error")
    else:
        left_out = f"；以下依据未能在政策库中找到，未引用：{'、'.join(captured.left_out)}" if captured.left_out else ""
        flash(f"已生成FAQ草稿 {captured.entry.id}{left_out}", "success")
        return redirect(url_for("faq.edit", entry_id=captured.entry.id))  # the editor, to finish the draft
    return redirect(url_for("referrals.referral", referral_id=referral_id))


# -- the director's reports and the audit log ---------------------------------------------------------

@bp.get("/reports")
@require(can_handle_reports)
def reports():
    return render_template("referrals/reports.html", reports=list_reports(db_session(), current_user),
                           departments=_departments())


@bp.post("/reports/<int:report_id>/handle")
@require(can_handle_reports)
def handle(report_id: int):
    form = HandlingForm()
    if not form.validate_on_submit():
        flash(form_error(form), "error")
        return redirect(url_for("referrals.reports"))
    try:
        handle_report(db_session(), current_user, {"report_id": report_id, "handling": form.handling.data})
    except KbError as problem:
        flash(str(problem), "error")
        return redirect(url_for("referrals.reports"))
    flash(f"报告 {report_id} 的处理意见已记录", "success")
    return redirect(url_for("referrals.reports"))


@bp.post("/reports/<int:report_id>/pass")
@require(can_handle_reports)
def pass_to_department(report_id: int):
    form = PassReportForm()
    if not form.validate_on_submit():
        flash(form_error(form), "error")
        return redirect(url_for("referrals.reports"))
    try:
        referral = pass_report(db_session(), current_user, {
            "report_id": report_id, "department": form.department.data, "caller_name": form.caller_name.data,
            "caller_contact": form.caller_contact.data})
    except KbError as problem:
        flash(str(problem), "error")
        return redirect(url_for("referrals.reports"))
    flash(f"报告 {report_id} 已转{referral.department}办理（转办单 {referral.id}）", "success")
    return redirect(url_for("referrals.referral", referral_id=referral.id))


@bp.route("/reports/new", methods=["GET", "POST"])
@require(can_report_difficulty)
def new_report():
    if request.method == "GET":
        return render_template("referrals/report_new.html", content=(request.args.get("content") or "").strip(),
                               error=None)
    form = DifficultyReportForm()
    if not form.validate_on_submit():
        return render_template("referrals/report_new.html", content=form.content.data or "",
                               error=form_error(form)), 400
    try:
        report = report_difficulty(db_session(), current_user, NewDifficultyReport(
            content=form.content.data, call_id=form.call_id.data))
    except Forbidden:
        raise
    except KbError as problem:
        return render_template("referrals/report_new.html", content=form.content.data, error=str(problem)), 400
    flash(f"重大疑难问题报告单 {report.id} 已报中心主任", "success")
    return redirect(url_for("search.home"))


@bp.get("/audit")
@require(audit.can_read_audit_log)
def audit_log():
    no_store()
    return render_template("referrals/audit.html", entries=audit.recent_entries(db_session(), current_user),
                           labels=audit.ACTION_LABELS, viewers=identity_viewers(db_session(), current_user))
