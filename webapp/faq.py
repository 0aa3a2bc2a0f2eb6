"""FAQ pages: the list, the editor (with citation search, Markdown preview, status steps and version
history), the director's review queue, the gaps queue, usage figures, and the answer card's buttons.

Views parse the form (the WTForms classes below), call one ``kb.faq.operations`` operation and render or
redirect; a form that does not validate, or ``kb`` refusing what the actor may not do or explaining
invalid input (``KbError``), gives the form again with the message in Chinese (status 400, nothing saved). After a change commits, the entry's index entry is refreshed
by the one after-commit hook (``webapp.search_index.init_app``), from the index outbox.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import DateField, HiddenField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from kb.core.errors import KbError
from kb.faq.operations import (
    BACK_TO_REVIEW, TRANSITIONS, FaqData, ReviewData, can_edit_faq, can_publish_faq, change_status, create_entry,
    get_entry, list_entries, publishable_problems, record_usage, render_answer, update_entry,
)
from kb.faq.review import review_entry, review_queue
from kb.faq.versions import snapshot
from kb.faq.models import DRAFT, IN_REVIEW, PUBLISHED, RETIRED, STATUS_LABELS, STATUSES
from kb.reports.gaps import gap_queue
from kb.reports.querylog import mark_unresolved
from kb.search.search_feedback import latest_training
from kb.accounts.roles import ADMIN, DIRECTOR, POLICY
from kb.accounts.users import can_read_library, list_users
from indexer.faq_entries import gap_key
from indexer.validity import today
from webapp import search_index
from webapp.auth import require
from webapp.forms import Form, form_error, lines
from webapp.storage import db_session

bp = Blueprint("faq", __name__, url_prefix="/faq")

STEP_LABELS = {IN_REVIEW: "提交审核", PUBLISHED: "发布", RETIRED: "停用", DRAFT: "退回草稿"}
USAGE_EVENTS = ("shown", "copied", "helpful", "not_helpful")


class FaqForm(Form):
    """The editor: question, phrasings, Markdown answer, citations (one a line), tax types, owner, review date."""

    question = StringField("问题", validators=[DataRequired("问题不能为空"), Length(max=500, message="问题不能超过 500 字")])
    phrasings = TextAreaField("其他问法")
    answer = TextAreaField("答案")
    citations = TextAreaField("法律依据")
    tax_types = StringField("税种")
    owner_id = SelectField("负责人", choices=[SelectChoice("", "（未指定）")], default="")
    review_by = DateField("复核日期", validators=[Optional()])

    def set_owners(self, owners) -> "FaqForm":
        self.owner_id.choices = [SelectChoice("", "（未指定）")] + [
            SelectChoice(str(u.id), f"{u.display_name or u.username}（{u.role_label}）") for u in owners]
        return self

    def to_data(self) -> FaqData:
        tax_types = [t for t in (self.tax_types.data or "").replace("，", "、").replace(",", "、").split("、")]
        return FaqData(
            question=self.question.data or "", phrasings=lines(self.phrasings.data), answer=self.answer.data or "",
            citations=lines(self.citations.data), tax_types=tax_types,
            owner_id=int(self.owner_id.data) if self.owner_id.data else None, review_by=self.review_by.data,
        )


class StepForm(Form):
    status = HiddenField("状态", validators=[DataRequired("请选择状态操作")])
    note = StringField("说明", validators=[Length(max=1000, message="说明不能超过 1000 字")])


class ReviewForm(Form):
    note = StringField("复核说明", validators=[Length(max=1000, message="复核说明不能超过 1000 字")])
    next = HiddenField()


class PreviewForm(Form):
    answer = TextAreaField("答案")


class UsageForm(Form):
    event = SelectField("使用记录", choices=[SelectChoice(e) for e in USAGE_EVENTS])


class UnresolvedForm(Form):
    q = StringField("检索内容", filters=[lambda v: (v or "").strip()], validators=[DataRequired("请先输入检索内容")])
    count = IntegerField("结果数", validators=[Optional(), NumberRange(min=0, message="结果数不能为负数")])


def _steps(entry) -> list[dict]:
    """The status changes the current user may make on ``entry``."""
    steps = []
    for target in TRANSITIONS.get(entry.status, ()):
        allowed = can_publish_faq(current_user) if PUBLISHED in (target, entry.status) else can_edit_faq(current_user)
        if allowed:
            steps.append({"status": target, "label": STEP_LABELS[target]})
    return steps


def _owners() -> list:
    return [u for u in list_users(db_session()) if u.role in (POLICY, DIRECTOR, ADMIN) and u.active]


def _editor(entry, form: FaqForm | None = None, error: str | None = None, status: int = 200):
    form = form or _filled(entry)
    form.set_owners(_owners())
    return render_template(
        "faq/edit.html", entry=entry, form=form, error=error, steps=_steps(entry) if entry else [],
        problems=publishable_problems(entry) if entry else [], status_labels=STATUS_LABELS,
        preview=render_answer(form.answer.data or ""),
    ), status


def _filled(entry) -> FaqForm:
    """The editor's form showing ``entry`` as saved (not the request's data)."""
    if entry is None:
        return FaqForm(formdata=None)
    data = snapshot(entry)
    return FaqForm(formdata=None, question=data["question"], phrasings="\n".join(data["phrasings"]),
                   answer=data["answer"], citations="\n".join(data["citations"]),
                   tax_types="、".join(data["tax_types"]), owner_id=str(entry.owner_id or ""),
                   review_by=entry.review_by)


# -- list, editor -----------------------------------------------------------------------------------

@bp.get("/")
@bp.get("")
@require(can_edit_faq)
def index():
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    entries = list_entries(db_session(), status)
    return render_template("faq/list.html", entries=entries, status=status, status_labels=STATUS_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@require(can_edit_faq)
def new():
    if request.method == "GET":
        return _editor(None, FaqForm(formdata=None, question=request.args.get("question", ""),
                                     phrasings="\n".join(request.args.getlist("phrasing")),
                                     owner_id=str(current_user.id)))
    form = FaqForm().set_owners(_owners())
    if not form.validate_on_submit():
        return _editor(None, form, form_error(form), 400)
    try:
        entry = create_entry(db_session(), current_user, form.to_data())
    except KbError as problem:
        db_session().rollback()
        return _editor(None, form, str(problem), 400)
    flash(f"已保存问答草稿 {entry.id}", "success")
    return redirect(url_for("faq.edit", entry_id=entry.id))


@bp.route("/<int:entry_id>", methods=["GET", "POST"])
@require(can_edit_faq)
def edit(entry_id: int):
    entry = get_entry(db_session(), entry_id)
    if request.method == "GET":
        return _editor(entry)
    form = FaqForm().set_owners(_owners())
    if not form.validate_on_submit():
        return _editor(entry, form, form_error(form), 400)
    was_published = entry.status == PUBLISHED
    try:
        update_entry(db_session(), current_user, entry, form.to_data())
    except KbError as problem:
        db_session().rollback()
        return _editor(get_entry(db_session(), entry_id), form, str(problem), 400)
    flash(f"已保存；{BACK_TO_REVIEW}" if was_published and entry.status == IN_REVIEW else "已保存", "success")
    return redirect(url_for("faq.edit", entry_id=entry.id))


@bp.post("/<int:entry_id>/status")
@require(can_edit_faq)
def step(entry_id: int):
    entry = get_entry(db_session(), entry_id)
    form = StepForm()
    if not form.validate_on_submit():
        return _editor(entry, None, form_error(form), 400)
    target = form.status.data
    try:
        change_status(db_session(), current_user, entry, target, form.note.data or None)
    except KbError as problem:
        db_session().rollback()
        return _editor(get_entry(db_session(), entry_id), None, str(problem), 400)
    flash(f"问答已{STEP_LABELS.get(target, target)}" if target != DRAFT else "问答已退回草稿", "success")
    return redirect(url_for("faq.edit", entry_id=entry.id))


@bp.post("/<int:entry_id>/review")
@require(can_edit_faq)
def review(entry_id: int):
    entry = get_entry(db_session(), entry_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _editor(entry, None, form_error(form), 400)
    try:
        review_entry(db_session(), current_user, entry, ReviewData(note=form.note.data or "已复核"))
    except KbError as problem:
        db_session().rollback()
        return _editor(get_entry(db_session(), entry_id), None, str(problem), 400)
    flash("已复核，需复核标记已清除", "success")
    if form.next.data == "queue":
        return redirect(url_for("faq.queue"))
    return redirect(url_for("faq.edit", entry_id=entry_id))


@bp.post("/preview")
@require(can_edit_faq)
def preview():
    form = PreviewForm()
    if not form.validate_on_submit():
        return jsonify({"error": form_error(form)}), 400
    return jsonify({"html": render_answer(form.answer.data or "")})


# -- the director's queues --------------------------------------------------------------------------

@bp.get("/review")
@require(can_publish_faq)
def queue():
    day = today(current_app.config.get("KB_TODAY") or None)
    return render_template("faq/queue.html", entries=review_queue(db_session(), day), today=day)


@bp.get("/gaps")
@require(can_edit_faq)
def gaps():
    key = gap_key(search_index.get_index(current_app))
    return render_template("faq/gaps.html", gaps=gap_queue(db_session(), key=key),
                           training=latest_training(db_session()))


@bp.get("/usage")
@require(can_edit_faq)
def usage():
    entries = [e for e in list_entries(db_session()) if e.status in (PUBLISHED, RETIRED) or e.shown_count]
    entries.sort(key=lambda e: (-e.shown_count, e.id))
    return render_template("faq/usage.html", entries=entries, status_labels=STATUS_LABELS)


# -- the answer card's buttons and 未解决 (every reader) ------------------------------------------------

@bp.post("/<int:entry_id>/usage")
@require(can_read_library)
def count_usage(entry_id: int):
    form = UsageForm()
    if not form.validate_on_submit():
        abort(400)
    entry = get_entry(db_session(), entry_id)
    if entry.status != PUBLISHED:
        abort(404)
    record_usage(db_session(), current_user, entry, form.event.data)
    return jsonify({"faq_id": entry.id, "event": form.event.data})


@bp.post("/unresolved")
@require(can_read_library)
def unresolved():
    form = UnresolvedForm()
    if not form.validate_on_submit():
        return jsonify({"error": form.q.errors[0] if form.q.errors else form_error(form)}), 400
    query = form.q.data
    mark_unresolved(db_session(), current_user.id, query=query, result_count=form.count.data or 0)
    return jsonify({"query": query, "message": "已记录为未解决，将进入问答缺口清单"})
