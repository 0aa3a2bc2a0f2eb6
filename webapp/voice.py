"""语音服务 pages: the menu tree with what plays today and the 需复核 list, one announcement's page
(edit, synthesised preview, recordings, versions), recordings' sound, and the printable script.

Views parse the form, call one ``kb.channels.voice_menu`` operation and render or redirect; invalid input
comes back with the message in Chinese and the form as typed (nothing is stored).
"""
from __future__ import annotations

import datetime as dt
import re
from io import BytesIO

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from indexer.validity import today
from kb.channels.voice_audio import FORMAT_LABELS, ESPEAK_MISSING, VoiceError, preview_available, synthesise_preview
from kb.channels.voice_menu import (
    FIELD_LABELS, AnnouncementData, NodeData, VoiceMenuError, add_node, announcement_problems, can_edit_voice_menu,
    can_record_voice, can_view_voice_menu, get_announcement, greetings, menu_lines, menu_tree, period_label,
    playing_on, remove_announcement, remove_node, review_announcement, review_list, save_announcement,
)
from kb.channels.voice_recordings import RecordingData, add_recording, current_recording, get_recording
from kb.channels.voice_models import KIND_LABELS
from webapp.auth import require
from webapp.storage import db_session

bp = Blueprint("voice", __name__, url_prefix="/voice")
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_IDS = re.compile(r"\d+")


def _today() -> dt.date:
    return today(current_app.config.get("KB_TODAY") or None)


def _date(value: str | None, label: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise VoiceMenuError(f"{label}“{value}”无效，应为 YYYY-MM-DD")


def _announcement_data(form) -> AnnouncementData:
    node_id = form.get("node_id", "").strip()
    return AnnouncementData(
        title=form.get("title", ""), text=form.get("text", ""),
        faq_ids=[int(i) for i in _IDS.findall(form.get("faq_ids", ""))],
        node_id=int(node_id) if node_id.isdigit() else None,
        starts_on=_date(form.get("starts_on"), "开始日期"), ends_on=_date(form.get("ends_on"), "结束日期"),
        note=form.get("note") or None)


def _index(form_error: str | None = None, values: dict | None = None, status: int = 200):
    session, day = db_session(), _today()
    nodes = menu_tree(session)
    lines = menu_lines(session, day)
    return render_template(
        "voice/index.html", nodes=nodes, lines=lines, greetings=greetings(session), review=review_list(session),
        today=day, can_edit=can_edit_voice_menu(current_user), form_error=form_error, values=values or {},
        period_label=period_label, current_recording=current_recording, playing_on=playing_on,
        kind_labels=KIND_LABELS), status


@bp.get("/")
@require(can_view_voice_menu)
def index():
    return _index()


@bp.post("/nodes")
@require(can_edit_voice_menu)
def new_node():
    parent = request.form.get("parent_id", "").strip()
    try:
        node = add_node(db_session(), current_user, NodeData(
            key=request.form.get("key", ""), title=request.form.get("title", ""),
            parent_id=int(parent) if parent.isdigit() else None))
    except VoiceMenuError as problem:
        db_session().rollback()
        return _index(str(problem), dict(request.form), 400)
    flash(f"已添加按键 {node.keys}：{node.title}", "success")
    return redirect(url_for("voice.index"))


@bp.post("/nodes/<int:node_id>/delete")
@require(can_edit_voice_menu)
def delete_node(node_id: int):
    try:
        remove_node(db_session(), current_user, node_id)
    except VoiceMenuError as problem:
        db_session().rollback()
        return _index(str(problem), None, 400)
    flash("已删除按键", "success")
    return redirect(url_for("voice.index"))


@bp.post("/announcements")
@require(can_edit_voice_menu)
def new_announcement():
    try:
        announcement = save_announcement(db_session(), current_user, _announcement_data(request.form))
    except VoiceMenuError as problem:
        db_session().rollback()
        return _index(str(problem), dict(request.form), 400)
    flash(f"已保存播报“{announcement.title}”", "success")
    return redirect(url_for("voice.announcement", announcement_id=announcement.id))


def _page(announcement_id: int, form_error: str | None = None, values: dict | None = None, status: int = 200):
    session = db_session()
    announcement = get_announcement(session, announcement_id)
    return render_template(
        "voice/announcement.html", a=announcement, problems=announcement_problems(announcement),
        nodes=menu_tree(session), recording=current_recording(announcement), period=period_label(announcement),
        can_edit=can_edit_voice_menu(current_user), can_record=can_record_voice(current_user),
        preview_available=preview_available(), espeak_missing=ESPEAK_MISSING, field_labels=FIELD_LABELS,
        format_labels=FORMAT_LABELS, form_error=form_error, values=values, kind_labels=KIND_LABELS), status


@bp.get("/announcements/<int:announcement_id>")
@require(can_view_voice_menu)
def announcement(announcement_id: int):
    return _page(announcement_id)


@bp.post("/announcements/<int:announcement_id>")
@require(can_edit_voice_menu)
def edit_announcement(announcement_id: int):
    try:
        save_announcement(db_session(), current_user, _announcement_data(request.form), announcement_id)
    except VoiceMenuError as problem:
        db_session().rollback()
        return _page(announcement_id, str(problem), dict(request.form), 400)
    flash("已保存", "success")
    return redirect(url_for("voice.announcement", announcement_id=announcement_id))


@bp.post("/announcements/<int:announcement_id>/review")
@require(can_edit_voice_menu)
def review(announcement_id: int):
    try:
        review_announcement(db_session(), current_user, announcement_id, request.form.get("note") or "措辞已复核")
    except VoiceMenuError as problem:
        db_session().rollback()
        return _page(announcement_id, str(problem), None, 400)
    flash("已复核，需复核标记已清除", "success")
    if request.form.get("next") == "index":
        return redirect(url_for("voice.index"))
    return redirect(url_for("voice.announcement", announcement_id=announcement_id))


@bp.post("/announcements/<int:announcement_id>/remove")
@require(can_edit_voice_menu)
def remove(announcement_id: int):
    remove_announcement(db_session(), current_user, announcement_id, request.form.get("note") or None)
    flash("已停用该播报（历史版本保留）", "success")
    return redirect(url_for("voice.announcement", announcement_id=announcement_id))


@bp.post("/announcements/<int:announcement_id>/recordings")
@require(can_record_voice)
def upload_recording(announcement_id: int):
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(announcement_id, "请选择录音文件（WAV 或 MP3）", None, 400)
    try:
        recording = add_recording(db_session(), current_user, RecordingData(
            announcement_id=announcement_id, filename=upload.filename, content=upload.read()))
    except (VoiceMenuError, VoiceError) as problem:
        db_session().rollback()
        return _page(announcement_id, str(problem), None, 400)
    flash(f"已上传录音（{FORMAT_LABELS[recording.format]}，{recording.duration_seconds:.1f} 秒，"
          f"对应第 {recording.announcement_version} 版文字）", "success")
    return redirect(url_for("voice.announcement", announcement_id=announcement_id))


@bp.get("/recordings/<int:recording_id>")
@require(can_view_voice_menu)
def recording_audio(recording_id: int):
    recording = get_recording(db_session(), recording_id)
    return send_file(BytesIO(recording.data), mimetype=recording.mimetype,
                     download_name=f"录音{recording.id}.{recording.format}", max_age=0)


@bp.get("/announcements/<int:announcement_id>/preview.wav")
@require(can_view_voice_menu)
def preview(announcement_id: int):
    announcement = get_announcement(db_session(), announcement_id)
    try:
        data = synthesise_preview(announcement.text)
    except VoiceError as problem:
        return Response(str(problem), status=503, mimetype="text/plain")
    return send_file(BytesIO(data), mimetype="audio/wav", download_name=f"试听{announcement_id}.wav", max_age=0)


@bp.get("/menu.docx")
@require(can_view_voice_menu)
def menu_docx():
    from webapp.voice_docx import voice_menu_docx

    session, day = db_session(), _today()
    data = voice_menu_docx(menu_lines(session, day), greetings(session), day)
    return send_file(BytesIO(data), mimetype=DOCX_MIME, as_attachment=True, download_name=f"12366语音服务播报稿-{day}.docx")
