"""业务辅导 pages: the notes every agent can search, asking a department, a department's inbox, and one
request's page where the department answers (or returns it) and the asker resends a returned one.

Views parse the form (WTForms, ``webapp.forms.Form``), call one ``kb.channels.coaching`` operation and render or redirect; invalid input comes
back with the message in Chinese and the form as typed.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from kb.channels.models import STATE_LABELS
from kb.channels.coaching import (
    CoachingError, NewCoaching, answer_coaching, ask_coaching, can_answer_coaching, can_ask_coaching,
    can_read_coaching_notes, can_resend_coaching, coaching_notes, get_coaching_for, has_coaching_inbox,
    open_requests, resend_coaching, return_coaching,
)
from kb.core.departments import TAX_TYPES
from webapp.auth import require
from webapp.forms import Form, form_error, lines
from webapp.referrals import _departments
from webapp.storage import db_session
from kb.core.timestamps import beijing_now, to_beijing

bp = Blueprint("coaching", __name__, url_prefix="/coaching")


_DEPARTMENT = [DataRequired("请选择具体的部门"), Length(max=100, message="部门名称不能超过 100 字")]


class AskForm(Form):
    """Asking a department; ``kb.channels.coaching`` checks that the department exists."""

    question = TextAreaField("需要辅导的政策问题", validators=[DataRequired("请填写需要辅导的政策问题")])
    department = StringField("业务部门", validators=_DEPARTMENT)
    tax_type = SelectField("税种", choices=[SelectChoice("", "（不限）")] + [SelectChoice(t) for t in TAX_TYPES], default="")

    def to_data(self) -> NewCoaching:
        return NewCoaching(question=self.question.data, department=self.department.data,
                           tax_type=self.tax_type.data or None)


class AnswerForm(Form):
    answer = TextAreaField("辅导意见", validators=[DataRequired("请填写辅导意见")])
    citations = TextAreaField("辅导依据")


class ReturnForm(Form):
    reason = StringField("退回理由", validators=[DataRequired("退回辅导请求须说明理由")])


class ResendForm(Form):
    department = StringField("业务部门", validators=_DEPARTMENT)


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
    form = AskForm()
    if not form.validate_on_submit():
        return _index(form_error(form), form.data, 400)
    try:
        coaching = ask_coaching(db_session(), current_user, form.to_data())
    except CoachingError as problem:
        db_session().rollback()
        return _index(str(problem), form.data, 400)
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
    form = AnswerForm()
    if not form.validate_on_submit():
        return _page(request_id, form_error(form), form.data, 400)
    try:
        answer_coaching(db_session(), current_user, {
            "request_id": request_id, "answer": form.answer.data, "citations": lines(form.citations.data)})
    except CoachingError as problem:
        db_session().rollback()
        return _page(request_id, str(problem), form.data, 400)
    flash("已答复；答复已转为问答草稿，全体坐席可在业务辅导中查到", "success")
    return redirect(url_for("coaching.request_page", request_id=request_id))


@bp.post("/<int:request_id>/return")
@require(has_coaching_inbox)
def give_back(request_id: int):
    form = ReturnForm()
    if not form.validate_on_submit():
        return _page(request_id, form_error(form), form.data, 400)
    try:
        return_coaching(db_session(), current_user, {"request_id": request_id, "reason": form.reason.data})
    except CoachingError as problem:
        db_session().rollback()
        return _page(request_id, str(problem), form.data, 400)
    flash("已退回", "success")
    return redirect(url_for("coaching.index"))


@bp.post("/<int:request_id>/resend")
@require(can_ask_coaching)
def resend(request_id: int):
    form = ResendForm()
    if not form.validate_on_submit():
        return _page(request_id, form_error(form), form.data, 400)
    try:
        coaching = resend_coaching(db_session(), current_user, {
            "request_id": request_id, "department": form.department.data})
    except CoachingError as problem:
        db_session().rollback()
        return _page(request_id, str(problem), form.data, 400)
    flash(f"已重新请求{coaching.department}辅导，答复期限 {to_beijing(coaching.due_at):%Y-%m-%d %H:%M}", "success")
    return redirect(url_for("coaching.request_page", request_id=request_id))
