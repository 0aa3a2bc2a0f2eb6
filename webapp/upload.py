"""The policy office's upload desk: upload → preview → metadata → confirm; edit metadata; repeal.

The uploaded bytes wait in the data folder (``webapp.pending_uploads``) between preview and
confirm. After the commit the search index is refreshed for every changed document (the index outbox's
after-commit hook, ``webapp.search_index.init_app``).
"""
from __future__ import annotations

from flask import (
    Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for,
)
from flask_login import current_user
from wtforms import DateField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from kb.library.articles import all_documents
from kb.library.catalog import DocumentMeta, split_list
from kb.core.errors import KbError
from kb.library.operations import get_document
from kb.library.models import LEVELS, STATUSES
from kb.library.parsing import SUPPORTED_SUFFIXES, suffix_of
from kb.library.upload_inference import infer_metadata
from kb.library.uploads import Upload, confirm_upload, edit_document, preview_upload, repeal_document
from kb.accounts.users import can_upload
from webapp import pending_uploads
from webapp.auth import require
from webapp.forms import Form, form_error
from webapp.storage import after_commit, db_session

bp = Blueprint("upload", __name__)


class MetadataForm(Form):
    title = StringField("标题", validators=[Optional()])
    doc_number = StringField("文号", validators=[Optional()])
    issuer = StringField("发布机关", validators=[Optional()])
    level = SelectField("层级", choices=[SelectChoice("", "（按文件识别）")] + [SelectChoice(v) for v in LEVELS], validators=[Optional()])
    published_on = DateField("发布日期", validators=[Optional()])
    effective_on = DateField("施行日期", validators=[Optional()])
    status = SelectField("效力状态", choices=[SelectChoice("", "（不变）")] + [SelectChoice(v) for v in STATUSES], validators=[Optional()])
    tax_types = StringField("税种（用顿号或逗号分隔）", validators=[Optional()])
    supersedes = SelectMultipleField("本文件取代（可多选）", coerce=int, validators=[Optional()],
                                     widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())

    def to_meta(self) -> DocumentMeta:
        def text(field):
            return (field.data or "").strip() or None

        return DocumentMeta(
            title=text(self.title), doc_number=text(self.doc_number), issuer=text(self.issuer),
            level=self.level.data or None, published_on=self.published_on.data,
            effective_on=self.effective_on.data, status=self.status.data or None,
            tax_types=split_list(self.tax_types.data) or None,
        )


class RepealForm(Form):
    expires_on = DateField("失效日期", validators=[Optional()])
    superseded_by = StringField("被以下文件取代（标题或文件名，可不填）", validators=[Optional()])


def _document_choices() -> list[SelectChoice]:
    return [SelectChoice(d.id, f"{d.title}（{d.version_date or '无日期'}，{d.status}）") for d in all_documents(db_session())]


def _max_bytes() -> int:
    return int(current_app.config["KB_MAX_UPLOAD_MB"]) * 1024 * 1024


def _upload_error(message: str, status: int = 400):
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return jsonify({"error": message}), status
    return render_template("upload/upload.html", error=message, suffixes=SUPPORTED_SUFFIXES,
                           max_mb=current_app.config["KB_MAX_UPLOAD_MB"], form=Form()), status


@bp.route("/upload", methods=["GET", "POST"])
@require(can_upload)
def upload():
    if request.method == "GET":
        return render_template("upload/upload.html", error=None, suffixes=SUPPORTED_SUFFIXES,
                               max_mb=current_app.config["KB_MAX_UPLOAD_MB"], form=Form())
    received = request.files.get("file")
    if received is None or not received.filename:
        return _upload_error("请选择要上传的文件。")
    name = received.filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if suffix_of(name) not in SUPPORTED_SUFFIXES:
        return _upload_error(f"不支持的文件类型“{suffix_of(name) or '无扩展名'}”，请上传 .md、.html、.docx 或 .txt 文件。")
    data = received.read(_max_bytes() + 1)
    try:
        preview_upload(name, data, max_bytes=_max_bytes())
    except KbError as error:
        return _upload_error(str(error))
    token = pending_uploads.save(current_app.config["KB_DATA_DIR"], name, data, current_user.id)
    target = url_for("upload.preview", token=token)
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return jsonify({"redirect": target})
    return redirect(target)


@bp.route("/upload/<token>", methods=["GET", "POST"])
@require(can_upload)
def preview(token: str):
    data_dir = current_app.config["KB_DATA_DIR"]
    pending = pending_uploads.load(data_dir, token, current_user.id)
    if pending is None:
        flash("待确认的上传已过期或不存在，请重新上传。", "error")
        return redirect(url_for("upload.upload"))
    try:
        shown = preview_upload(pending.name, pending.data, max_bytes=_max_bytes())
    except KbError as error:
        pending_uploads.discard(data_dir, token)
        return _upload_error(str(error))
    form = MetadataForm()
    form.supersedes.choices = _document_choices()
    inferred = infer_metadata(shown.parsed)
    if request.method == "GET":  # what the text tells, for the office to confirm
        form.title.data = shown.parsed.title
        form.doc_number.data = shown.parsed.doc_number
        form.published_on.data = shown.parsed.published_on
        form.level.data = inferred.level or ""
        form.issuer.data = inferred.issuer
        form.status.data = inferred.status
        form.tax_types.data = "、".join(inferred.tax_types)
    error = None
    if form.validate_on_submit():
        try:
            outcome = confirm_upload(db_session(), current_user, Upload(
                name=pending.name, data=pending.data, meta=form.to_meta(),
                supersedes=list(form.supersedes.data or []), max_bytes=_max_bytes()))
        except KbError as problem:
            error = str(problem)
        else:
            after_commit(lambda: pending_uploads.discard(data_dir, token))
            labels = {"created": "已导入", "replaced": "已更新正文", "updated": "已更新信息", "unchanged": "内容未变",
                      "joined": "已并入法典"}
            flash(f"《{outcome.document.title}》{labels.get(outcome.action, '已导入')}，可立即检索。", "success")
            return redirect(url_for("library.document", document_id=outcome.document.id))
    elif request.method == "POST":
        error = form_error(form)
    return render_template("upload/preview.html", preview=shown, form=form, token=token, error=error,
                           inferred=inferred.reasons), \
        (400 if error else 200)


@bp.route("/documents/<int:document_id>/edit", methods=["GET", "POST"])
@require(can_upload)
def edit(document_id: int):
    session = db_session()
    document = get_document(session, document_id)
    form = MetadataForm(obj=None)
    del form.supersedes
    repeal_form = RepealForm(prefix="repeal")
    if request.method == "GET":
        form.title.data = document.title
        form.doc_number.data = document.doc_number
        form.issuer.data = document.issuer
        form.level.data = document.level or ""
        form.published_on.data = document.published_on
        form.effective_on.data = document.effective_on
        form.status.data = document.status
        form.tax_types.data = "、".join(document.tax_types or [])
    error = None
    if form.validate_on_submit():
        try:
            edit_document(session, current_user, document.id, form.to_meta())
        except KbError as problem:
            error = str(problem)
        else:
            flash("文件信息已保存。", "success")
            return redirect(url_for("library.document", document_id=document.id))
    elif request.method == "POST":
        error = f"{form_error(form)}（日期格式为 YYYY-MM-DD）"
    return render_template("upload/edit.html", document=document, form=form, repeal_form=repeal_form,
                           error=error), (400 if error else 200)


@bp.post("/documents/<int:document_id>/repeal")
@require(can_upload)
def repeal(document_id: int):
    session = db_session()
    document = get_document(session, document_id)
    form = RepealForm(prefix="repeal")
    if not form.validate_on_submit():
        flash("请检查失效日期（格式 YYYY-MM-DD）。", "error")
        return redirect(url_for("upload.edit", document_id=document.id))
    try:
        repeal_document(session, current_user, document.id, on=form.expires_on.data,
                                  superseded_by=(form.superseded_by.data or "").strip() or None)
    except KbError as problem:
        flash(str(problem), "error")
        return redirect(url_for("upload.edit", document_id=document.id))
    flash(f"《{document.title}》已标记为失效。", "success")
    return redirect(url_for("library.document", document_id=document.id))
