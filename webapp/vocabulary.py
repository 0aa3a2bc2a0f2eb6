"""The director's 词典与同义词 page: the tax dictionary's words and the synonym table.

Views parse the form (the WTForms classes below, whose validators are ``indexer.vocabulary``'s own
checks), call one ``indexer.vocabulary`` operation (which checks the input again and rewrites the
file in the data folder atomically) and redirect; bad input shows the page again with the Chinese
message, status 400, nothing written. The change applies to this process's
queries at once and to other processes within a second (they watch the files' mtime). A new or
removed dictionary word changes how the text containing it is cut, so those documents and FAQ
entries are indexed again once the request commits. Changes are logged (``webapp.vocabulary``).
"""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import DataRequired, ValidationError

from indexer import vocabulary, vocabulary_sharing
from indexer.analysis import TaxTokenizer
from kb.search.vocabulary import can_edit_vocabulary
from webapp import search_index
from webapp.auth import require
from webapp.forms import Form, checked_by, form_error
from webapp.storage import db_session

bp = Blueprint("vocabulary", __name__, url_prefix="/vocabulary")

log = logging.getLogger(__name__)  # under the app's logger ("webapp"): its JSON handler writes it
log.setLevel(logging.INFO)

STATUS_LABELS = {"shipped": "内置", "changed": "内置·已修改", "removed": "内置·已删除", "added": "主任添加"}
KIND_LABELS = {"abbr": "缩写/口语（单向）", "syn": "同义（互相）"}


class WordForm(Form):
    word = StringField("词语", validators=[checked_by(vocabulary.check_word)])
    freq = StringField("词频", validators=[checked_by(vocabulary.check_freq)])

    def shown(self) -> dict:
        return {"word": self.word.data or "", "freq": self.freq.data or ""}


class SynonymForm(Form):
    term = StringField("词条", validators=[DataRequired("请填写词条")])
    expansions = StringField("展开词")
    kind = StringField("类型", default="abbr", validators=[checked_by(vocabulary.check_kind)])
    editing = BooleanField("修改已有词条")

    def validate_expansions(self, field):
        try:
            vocabulary.check_expansions((self.term.data or "").strip(), vocabulary.parse_expansions(field.data))
        except vocabulary.VocabularyError as problem:
            raise ValidationError(str(problem)) from None

    def shown(self) -> dict:
        return {"term": self.term.data or "", "expansions": self.expansions.data or "",
                "kind": self.kind.data or "abbr", "editing": self.editing.data}


class RemoveWordForm(Form):
    word = HiddenField("词语", validators=[DataRequired("请填写词语")])


class TermForm(Form):
    term = HiddenField("词条", validators=[DataRequired("请填写词条")])


def log_change(action: str, actor, **fields) -> None:
    """One JSON log line per change: who (id and role, never a name) changed what."""
    log.info("vocabulary %s", action, extra={"fields": {
        "event": "vocabulary", "action": action, "user_id": getattr(actor, "id", None),
        "role": getattr(actor, "role", None), **fields}})


def _data_dir() -> str:
    return current_app.config["KB_DATA_DIR"]


def _tryout(text: str) -> dict | None:
    """How a query is cut into words, and the synonyms found among them."""
    if not text:
        return None
    words = [word for word, _start, _end, is_sub in TaxTokenizer().words(text) if not is_sub]
    found = search_index.get_index(current_app).synonyms.find(words)
    return {"words": words, "synonyms": [("".join(words[first:last]), expansions) for first, last, expansions in found]}


def _page(error: str | None = None, status: int = 200, word_form: dict | None = None,
          synonym_form: dict | None = None):
    data_dir = _data_dir()
    term = request.args.get("term") or ""
    if synonym_form is None:
        row = vocabulary.find_synonym(data_dir, term) if term else None
        synonym_form = ({"term": row.term, "expansions": "|".join(row.expansions or row.shipped_expansions),
                         "kind": row.kind, "editing": True} if row else {"term": "", "expansions": "", "kind": "abbr"})
    text = (request.args.get("text") or "").strip()[:200]
    return render_template(
        "vocabulary/page.html", error=error, word_form=word_form or {"word": "", "freq": ""},
        synonym_form=synonym_form, director_words=vocabulary.director_words(data_dir),
        shipped_words=vocabulary.shipped_words(), synonyms=vocabulary.synonym_rows(data_dir),
        status_labels=STATUS_LABELS, kind_labels=KIND_LABELS, text=text, tryout=_tryout(text),
    ), status


def _edit(name: str, change, word=None) -> vocabulary_sharing.Edit:
    """``indexer.vocabulary_sharing.edit`` (pull, change, push with the documents and FAQ entries containing
    ``word``) on the request's session; the index applies them after the commit (the after-commit
    hook). This process's synonym table is reread at once; the flashed message tells how many
    documents and entries are indexed again."""
    done = vocabulary_sharing.edit(db_session(), _data_dir(), name, change, word)
    search_index.get_index(current_app).synonyms.refresh(force=True)
    return done


def _flash_reindexed(word: str, done: vocabulary_sharing.Edit) -> None:
    if done.documents or done.faq_entries:
        faq = f"、问答 {len(done.faq_entries)} 条" if done.faq_entries else ""
        flash(f"已重新索引含“{word}”的文件 {len(done.documents)} 篇{faq}", "success")
    else:
        flash(f"库中没有含“{word}”的文件，无需重新索引", "success")


@bp.get("")
@require(can_edit_vocabulary)
def page():
    vocabulary_sharing.pull(db_session(), _data_dir())
    return _page()


@bp.post("/words")
@require(can_edit_vocabulary)
def add_word():
    form = WordForm()
    if not form.validate_on_submit():
        return _page(form_error(form), 400, word_form=form.shown())
    try:
        done = _edit(vocabulary.USER_DICT_NAME,
                     lambda data_dir: vocabulary.add_word(data_dir, form.word.data, form.freq.data),
                     lambda added: added.word)
    except vocabulary.VocabularyError as problem:
        return _page(str(problem), 400, word_form=form.shown())
    added = done.result
    flash(f"已加入词语“{added.word}”（词频 {added.freq}）", "success")
    _flash_reindexed(added.word, done)
    log_change("add_word", current_user, word=added.word, freq=added.freq, documents=len(done.documents))
    return redirect(url_for("vocabulary.page") + "#dictionary")


@bp.post("/words/remove")
@require(can_edit_vocabulary)
def remove_word():
    form = RemoveWordForm()
    if not form.validate_on_submit():
        return _page(form_error(form), 400)
    try:
        done = _edit(vocabulary.USER_DICT_NAME, lambda data_dir: vocabulary.remove_word(data_dir, form.word.data),
                     lambda removed: removed)
    except vocabulary.VocabularyError as problem:
        return _page(str(problem), 400)
    word = done.result
    flash(f"已删除词语“{word}”", "success")
    _flash_reindexed(word, done)
    log_change("remove_word", current_user, word=word, documents=len(done.documents))
    return redirect(url_for("vocabulary.page") + "#dictionary")


@bp.post("/synonyms")
@require(can_edit_vocabulary)
def save_synonym():
    form = SynonymForm()
    if not form.validate_on_submit():
        return _page(form_error(form), 400, synonym_form=form.shown())
    try:
        row = _edit(vocabulary.OVERRIDE_NAME, lambda data_dir: vocabulary.save_synonym(
            data_dir, form.term.data, vocabulary.parse_expansions(form.expansions.data), form.kind.data,
            replace=form.editing.data)).result
    except vocabulary.VocabularyError as problem:
        return _page(str(problem), 400, synonym_form=form.shown())
    flash(f"已保存词条“{row.term}” → {'、'.join(row.expansions)}", "success")
    log_change("save_synonym", current_user, term=row.term, expansions=list(row.expansions), kind=row.kind,
               status=row.status)
    return redirect(url_for("vocabulary.page") + "#synonyms")


@bp.post("/synonyms/remove")
@require(can_edit_vocabulary)
def remove_synonym():
    form = TermForm()
    if not form.validate_on_submit():
        return _page(form_error(form), 400)
    try:
        row = _edit(vocabulary.OVERRIDE_NAME, lambda data_dir: vocabulary.remove_synonym(data_dir, form.term.data)).result
    except vocabulary.VocabularyError as problem:
        return _page(str(problem), 400)
    flash(f"已删除词条“{row.term}”" + ("（内置词条，可随时恢复）" if row.shipped_kind else ""), "success")
    log_change("remove_synonym", current_user, term=row.term)
    return redirect(url_for("vocabulary.page") + "#synonyms")


@bp.post("/synonyms/restore")
@require(can_edit_vocabulary)
def restore_synonym():
    form = TermForm()
    if not form.validate_on_submit():
        return _page(form_error(form), 400)
    try:
        row = _edit(vocabulary.OVERRIDE_NAME, lambda data_dir: vocabulary.restore_synonym(data_dir, form.term.data)).result
    except vocabulary.VocabularyError as problem:
        return _page(str(problem), 400)
    flash(f"词条“{row.term}”已恢复为内置内容", "success")
    log_change("restore_synonym", current_user, term=row.term)
    return redirect(url_for("vocabulary.page") + "#synonyms")
