"""FAQ pages: the list, the editor (with citation search, Markdown preview, status steps and version
history), the director's review queue, the gaps queue, usage figures, and the answer card's buttons.

Views parse the form, call one ``kb.faq.operations`` operation and render or redirect; ``kb`` refuses what the
actor may not do and explains invalid input (``KbError`` → the form again, status 400, nothing
saved). After a change commits, the entry's index entry is refreshed
by the one after-commit hook (``webapp.search_index.init_app``), from the index outbox.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

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
from webapp.storage import db_session

bp = Blueprint("faq", __name__, url_prefix="/faq")

STEP_LABELS = {IN_REVIEW: "提交审核", PUBLISHED: "发布", RETIRED: "停用", DRAFT: "退回草稿"}
USAGE_EVENTS = ("shown", "copied", "helpful", "not_helpful")


def _lines(value: str | None) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def _form_data(form) -> FaqData:
    owner = (form.get("owner_id") or "").strip()
    review_by = (form.get("review_by") or "").strip()
    try:
        review_day = dt.date.fromisoformat(review_by) if review_by else None
    except ValueError:
        raise KbError(f"复核日期“{review_by}”格式不正确，应为 YYYY-MM-DD") from None
    tax_types = [t for t in (form.get("tax_types") or "").replace("，", "、").replace(",", "、").split("、")]
    return FaqData(
        question=form.get("question", ""), phrasings=_lines(form.get("phrasings")), answer=form.get("answer", ""),
        citations=_lines(form.get("citations")), tax_types=tax_types,
        owner_id=int(owner) if owner.isdigit() else None, review_by=review_day,
    )


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


def _editor(entry, form: dict | None = None, error: str | None = None, status: int = 200):
    values = form or _values(entry)
    return render_template(
        "faq/edit.html", entry=entry, values=values, error=error, owners=_owners(),
        steps=_steps(entry) if entry else [],
        problems=publishable_problems(entry) if entry else [], status_labels=STATUS_LABELS,
        preview=render_answer(values.get("answer", "")),
    ), status


def _values(entry) -> dict:
    if entry is None:
        return {}
    data = snapshot(entry)
    return {"question": data["question"], "phrasings": "\n".join(data["phrasings"]), "answer": data["answer"],
            "citations": "\n".join(data["citations"]), "tax_types": "、".join(data["tax_types"]),
            "owner_id": str(entry.owner_id or ""), "review_by": data["review_by"] or ""}


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
        values = {"question": request.args.get("question", ""),
                  "phrasings": "\n".join(request.args.getlist("phrasing")), "owner_id": str(current_user.id)}
        return _editor(None, values)
    try:
        entry = create_entry(db_session(), current_user, _form_data(request.form))
    except KbError as problem:
        db_session().rollback()
        return _editor(None, dict(request.form), str(problem), 400)
    flash(f"已保存问答草稿 {entry.id}", "success")
    return redirect(url_for("faq.edit", entry_id=entry.id))


@bp.route("/<int:entry_id>", methods=["GET", "POST"])
@require(can_edit_faq)
def edit(entry_id: int):
    entry = get_entry(db_session(), entry_id)
    if request.method == "GET":
        return _editor(entry)
    was_published = entry.status == PUBLISHED
    try:
        update_entry(db_session(), current_user, entry, _form_data(request.form))
    except KbError as problem:
        db_session().rollback()
        return _editor(get_entry(db_session(), entry_id), dict(request.form), str(problem), 400)
    flash(f"已保存；{BACK_TO_REVIEW}" if was_published and entry.status == IN_REVIEW else "已保存", "success")
    return redirect(url_for("faq.edit", entry_id=entry.id))


@bp.post("/<int:entry_id>/status")
@require(can_edit_faq)
def step(entry_id: int):
    entry = get_entry(db_session(), entry_id)
    target = request.form.get("status", "")
    try:
        change_status(db_session(), current_user, entry, target, request.form.get("note") or None)
    except KbError as problem:
        db_session().rollback()
        return _editor(get_entry(db_session(), entry_id), None, str(problem), 400)
    flash(f"问答已{STEP_LABELS.get(target, target)}" if target != DRAFT else "问答已退回草稿", "success")
    return redirect(url_for("faq.edit", entry_id=entry.id))


@bp.post("/<int:entry_id>/review")
@require(can_edit_faq)
def review(entry_id: int):
    entry = get_entry(db_session(), entry_id)
    try:
        review_entry(db_session(), current_user, entry, ReviewData(note=request.form.get("note") or "已复核"))
    except KbError as problem:
        db_session().rollback()
        return _editor(get_entry(db_session(), entry_id), None, str(problem), 400)
    flash("已复核，需复核标记已清除", "success")
    if request.form.get("next") == "queue":
        return redirect(url_for("faq.queue"))
    return redirect(url_for("faq.edit", entry_id=entry_id))


@bp.post("/preview")
@require(can_edit_faq)
def preview():
    return jsonify({"html": render_answer(request.form.get("answer", ""))})


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
    event = request.form.get("event", "")
    if event not in USAGE_EVENTS:
        abort(400)
    entry = get_entry(db_session(), entry_id)
    if entry.status != PUBLISHED:
        abort(404)
    record_usage(db_session(), current_user, entry, event)
    return jsonify({"faq_id": entry.id, "event": event})


@bp.post("/unresolved")
@require(can_read_library)
def unresolved():
    query = (request.form.get("q") or "").strip()
    if not query:
        return jsonify({"error": "请先输入检索内容"}), 400
    count = request.form.get("count", "0")
    mark_unresolved(db_session(), current_user.id, query=query, result_count=int(count) if count.isdigit() else 0)
    return jsonify({"query": query, "message": "已记录为未解决，将进入问答缺口清单"})
