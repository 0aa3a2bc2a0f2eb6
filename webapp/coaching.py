"""业务辅导 pages: the notes every agent can search, asking a department, a department's inbox, and one
request's page where the department answers (or returns it) and the asker resends a returned one.

Views parse the form, call one ``kb.channels.coaching`` operation and render or redirect; invalid input comes
back with the message in Chinese and the form as typed.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from kb.channels.models import STATE_LABELS
from kb.channels.coaching import (
    CoachingError, NewCoaching, answer_coaching, ask_coaching, can_answer_coaching, can_ask_coaching,
    can_read_coaching_notes, can_resend_coaching, coaching_notes, get_coaching_for, has_coaching_inbox,
    open_requests, resend_coaching, return_coaching,
)
from kb.core.departments import TAX_TYPES
from webapp.auth import require
from webapp.forms import lines as _lines
from webapp.referrals import _departments
from webapp.storage import db_session
from kb.core.timestamps import beijing_now, to_beijing

bp = Blueprint("coaching", __name__, url_prefix="/coaching")


def _may_enter(actor) -> bool:
    return can_read_coaching_notes(actor) or has_coaching_inbox(actor)


def _index(form_error: str | None = None, values: dict | None = None, status: int = 200):
    session, words = db_session(), request.args.get("q", "").strip()
    notes = coaching_notes(session, current_user, words) if can_read_coaching_notes(current_user) else []
    return render_template(
        "coaching/index.html", notes=notes, words=words, waiting=open_requests(session, current_user),
        now=beijing_now(), can_ask=can_ask_coaching(current_user), inbox=has_coaching_inbox(current_user),
        departments=_departments(), tax_types=TAX_TYPES, state_labels=STATE_LABELS, form_error=form_error,
        values=values or {}), status


@bp.get("/")
@require(_may_enter)
def index():
    return _index()


@bp.post("/")
@require(can_ask_coaching)
def ask():
    try:
        coaching = ask_coaching(db_session(), current_user, NewCoaching(
            question=request.form.get("question", ""), department=request.form.get("department", ""),
            tax_type=request.form.get("tax_type") or None))
    except CoachingError as problem:
        db_session().rollback()
        return _index(str(problem), dict(request.form), 400)
    flash(f"已请求{coaching.department}辅导，答复期限 {to_beijing(coaching.due_at):%Y-%m-%d %H:%M}", "success")
    return redirect(url_for("coaching.request_page", request_id=coaching.id))


def _page(request_id: int, form_error: str | None = None, values: dict | None = None, status: int = 200):
    coaching = get_coaching_for(db_session(), current_user, request_id)
    return render_template(
        "coaching/request.html", c=coaching, now=beijing_now(), can_answer=can_answer_coaching(current_user, coaching),
        can_resend=can_resend_coaching(current_user, coaching), departments=_departments(),
        form_error=form_error, values=values or {}), status


@bp.get("/<int:request_id>")
@require(_may_enter)
def request_page(request_id: int):
    return _page(request_id)


@bp.post("/<int:request_id>/answer")
@require(has_coaching_inbox)
def answer(request_id: int):
    try:
        answer_coaching(db_session(), current_user, {
            "request_id": request_id, "answer": request.form.get("answer", ""),
            "citations": _lines(request.form.get("citations"))})
    except CoachingError as problem:
        db_session().rollback()
        return _page(request_id, str(problem), dict(request.form), 400)
    flash("已答复；答复已转为问答草稿，全体坐席可在业务辅导中查到", "success")
    return redirect(url_for("coaching.request_page", request_id=request_id))


@bp.post("/<int:request_id>/return")
@require(has_coaching_inbox)
def give_back(request_id: int):
    try:
        return_coaching(db_session(), current_user, {"request_id": request_id, "reason": request.form.get("reason", "")})
    except CoachingError as problem:
        db_session().rollback()
        return _page(request_id, str(problem), dict(request.form), 400)
    flash("已退回", "success")
    return redirect(url_for("coaching.index"))


@bp.post("/<int:request_id>/resend")
@require(can_ask_coaching)
def resend(request_id: int):
    try:
        coaching = resend_coaching(db_session(), current_user, {
            "request_id": request_id, "department": request.form.get("department", "")})
    except CoachingError as problem:
        db_session().rollback()
        return _page(request_id, str(problem), dict(request.form), 400)
    flash(f"已重新请求{coaching.department}辅导，答复期限 {to_beijing(coaching.due_at):%Y-%m-%d %H:%M}", "success")
    return redirect(url_for("coaching.request_page", request_id=request_id))
