"""What every page form shares: WTForms' own messages in Chinese, and one way to show a form's errors.

Each blueprint declares its forms (fields, validators with Chinese messages, the limits the domain
already enforces) beside its views; a view does ``form = XForm()``, ``if form.validate_on_submit():``
calls one ``kb`` operation with plain data, and otherwise renders the page again with
``form_error(form)`` (status 400, nothing saved). CSRF is checked by ``FlaskForm`` (and
``CSRFProtect`` for every POST).
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.i18n import get_translations
from wtforms.validators import ValidationError

from kb.core.errors import KbError

_CHINESE = get_translations(["zh"])


class Form(FlaskForm):
    """A Flask-WTF form whose built-in messages (a bad date, a choice not offered) are in Chinese."""

    class Meta:
        def get_translations(self, form):
            return _CHINESE


def checked_by(check):
    """A validator that runs the domain's own check (``check(value)`` raising ``KbError``), so a rule
    and its Chinese message live in one place and the form shows it next to the field."""

    def validate(form, field):
        try:
            check(field.data)
        except KbError as problem:
            raise ValidationError(str(problem)) from None

    return validate


class TextListField(Field):
    """Several values sent under one name (ticked checkboxes, repeated hidden inputs), blanks dropped."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("default", list)
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        self.data = [value.strip() for value in valuelist if value and value.strip()]


def lines(value: str | None) -> list[str]:
    """A textarea's non-empty lines, stripped (one citation, phrasing or synonym a line)."""
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def typed(form: FlaskForm) -> dict:
    """What was sent in ``form``'s fields (those the page had), for the page shown again: a field not
    sent is left out, so the page shows its stored value."""
    return {field.name: field.raw_data[0] for field in form if field.raw_data and field.name != "csrf_token"}


def _label(form: FlaskForm, name: str | None) -> str:
    if name is None:  # the form's own errors (``form.form_errors``)
        return ""
    field = getattr(form, name, None)
    return field.label.text if field is not None and name != "csrf_token" else "表单"


def form_error(form: FlaskForm) -> str:
    """All of ``form``'s errors as one sentence for the page's error box: 「复核日期：不是有效的日期值。」;
    a message that already names its field (「问题不能为空」) is shown as it is."""
    parts = []
    for name, errors in form.errors.items():
        label = _label(form, name)
        for message in errors if isinstance(errors, list) else [errors]:
            message = str(message)
            parts.append(message if not label or label in message else f"{label}：{message}")
    return "；".join(parts)
