"""语音服务 pages: the menu tree with what plays today and the 需复核 list, one announcement's page
(edit, synthesised preview, recordings, versions), recordings' sound, and the printable script.

Views parse the form (WTForms, ``webapp.forms.Form``), call one ``kb.channels.voice_menu`` operation and render or redirect; invalid input
comes back with the message in Chinese and the form as typed (nothing is stored).
"""
from __future__ import annotations

import datetime as dt
import re
from io import BytesIO

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Length, ValidationError

from indexer.validity import today
from kb.channels.voice_audio import FORMAT_LABELS, ESPEAK_MISSING, VoiceError, preview_available, synthesise_preview
from kb.channels.voice_menu import (
    FIELD_LABELS, AnnouncementData, NodeData, VoiceMenuError, add_node, announcement_problems, can_edit_voice_menu,
    can_record_voice, can_view_voice_menu, get_announcement, greetings, menu_lines, menu_tree, period_label,
    playing_on, remove_announcement, remove_node, review_announcement, review_list, save_announcement,
)
from kb.channels.voice_recordings import RecordingData, add_recording, current_recording, get_recording
from kb.channels.models import KIND_LABELS
from webapp.auth import require
from webapp.forms import Form, form_error as errors_of
from webapp.storage import db_session

bp = Blueprint("voice", __name__, url_prefix="/voice")
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_IDS = re.compile(r"\d+")


def _today() -> dt.date:
    return today(current_app.config.get("KB_TODAY") or None)


def _date(value: str | None) -> dt.date | None:
    value = (value or "").strip()
    return dt.date.fromisoformat(value) if value else None


def _a_date(form, field):
    try:
        _date(field.data)
    except ValueError:
        raise ValidationError(f"{field.label.text}“{field.data.strip()}”无效，应为 YYYY-MM-DD") from None


def _whole(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


_TITLE = Length(max=200, message="标题不能超过 200 字")
_NOTE = Length(max=1000, message="说明不能超过 1000 字")


class NodeForm(Form):
    """A key of the menu; ``kb.channels.voice_menu.add_node`` checks the key (0–9, * or #) and that it is free."""

    parent_id = StringField("上级菜单")
    key = StringField("按键")
    title = StringField("主题", validators=[Length(max=200, message="主题不能超过 200 字")])


class AnnouncementForm(Form):
    """An announcement; ``kb.channels.voice_menu.save_announcement`` checks the texts, the entries and the dates."""

    node_id = StringField("按键")
    title = StringField("标题", validators=[_TITLE])
    text = TextAreaField("播报文字")
    faq_ids = StringField("依据问答编号")
    starts_on = StringField("开始日期", validators=[_a_date])
    ends_on = StringField("结束日期", validators=[_a_date])
    note = StringField("修改说明", validators=[_NOTE])

    def to_data(self) -> AnnouncementData:
        return AnnouncementData(
            title=self.title.data, text=self.text.data, faq_ids=[int(i) for i in _IDS.findall(self.faq_ids.data or "")],
            node_id=_whole(self.node_id.data), starts_on=_date(self.starts_on.data), ends_on=_date(self.ends_on.data),
            note=self.note.data or None)


class NoteForm(Form):
    """Reviewing or withdrawing an announcement: an optional note (and where to go back to)."""

    note = StringField("说明", validators=[_NOTE])
    next = HiddenField()


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
    form = NodeForm()
    if not form.validate_on_submit():
        return _index(errors_of(form), form.data, 400)
    try:
        node = add_node(db_session(), current_user, NodeData(
            key=form.key.data, title=form.title.data, parent_id=_whole(form.parent_id.data)))
    except VoiceMenuError as problem:
        db_session().rollback()
        return _index(str(problem), form.data, 400)
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
    form = AnnouncementForm()
    if not form.validate_on_submit():
        return _index(errors_of(form), form.data, 400)
    try:
        announcement = save_announcement(db_session(), current_user, form.to_data())
    except VoiceMenuError as problem:
        db_session().rollback()
        return _index(str(problem), form.data, 400)
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
    form = AnnouncementForm()
    if not form.validate_on_submit():
        return _page(announcement_id, errors_of(form), form.data, 400)
    try:
        save_announcement(db_session(), current_user, form.to_data(), announcement_id)
    except VoiceMenuError as problem:
        db_session().rollback()
        return _page(announcement_id, str(problem), form.data, 400)
    flash("已保存", "success")
    return redirect(url_for("voice.announcement", announcement_id=announcement_id))


@bp.post("/announcements/<int:announcement_id>/review")
@require(can_edit_voice_menu)
def review(announcement_id: int):
    form = NoteForm()
    if not form.validate_on_submit():
        return _page(announcement_id, errors_of(form), None, 400)
    try:
        review_announcement(db_session(), current_user, announcement_id, form.note.data or "措辞已复核")
    except VoiceMenuError as problem:
        db_session().rollback()
        return _page(announcement_id, str(problem), None, 400)
    flash("已复核，需复核标记已清除", "success")
    if form.next.data == "index":
        return redirect(url_for("voice.index"))
    return redirect(url_for("voice.announcement", announcement_id=announcement_id))


@bp.post("/announcements/<int:announcement_id>/remove")
@require(can_edit_voice_menu)
def remove(announcement_id: int):
    form = NoteForm()
    if not form.validate_on_submit():
        return _page(announcement_id, errors_of(form), None, 400)
    remove_announcement(db_session(), current_user, announcement_id, form.note.data or None)
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
