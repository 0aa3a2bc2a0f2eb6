"""The official calendar page: the State Council's holiday notice of a year the ``chinese_calendar``
package does not cover yet, entered by the director (``kb.hotline.official_calendar``); and the reminder the
director sees on every page from November when next year's notice is missing."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired

from kb.hotline.official_calendar import (
    CalendarError, calendar_reminder, calendars, can_enter_calendar, check_against_package, enter_calendar,
)
from kb.core.permissions import role_of
from kb.accounts.roles import ADMIN, DIRECTOR
from kb.core.workdays import is_provisional
from webapp.auth import require
from webapp.forms import Form, form_error
from webapp.storage import db_session
from kb.core.timestamps import beijing_date, beijing_now

bp = Blueprint("calendar", __name__, url_prefix="/calendar")


class CalendarForm(Form):
    """The notice of a year; ``kb.hotline.official_calendar.enter_calendar`` reads the year and the days
    (ranges, weekdays, the year they fall in) and names what is wrong."""

    year = StringField("年份", validators=[DataRequired("请填写年份")])
    holidays = TextAreaField("放假日期", validators=[DataRequired("请填写放假日期")])
    workdays = TextAreaField("调休上班日期")
    note = StringField("依据（通知文号）")

    def to_data(self) -> dict:
        return {"year": self.year.data, "holidays": self.holidays.data, "workdays": self.workdays.data,
                "note": self.note.data}


def _can_view(actor) -> bool:
    return role_of(actor) in (DIRECTOR, ADMIN)


def _render(error=None, form: CalendarForm | None = None):
    session = db_session()
    return render_template("calendar/index.html", years=calendars(session), mismatches=check_against_package(session),
                           error=error, editable=can_enter_calendar(current_user),
                           reminder=calendar_reminder(beijing_now().date()), form=form.data if error and form else {}), \
        (400 if error else 200)


@bp.route("", methods=["GET", "POST"])
@require(_can_view)
def index():
    if request.method == "POST":
        form = CalendarForm()
        if not form.validate_on_submit():
            return _render(form_error(form), form)
        try:
            row = enter_calendar(db_session(), current_user, {**form.to_data(), "at": beijing_now()})
        except CalendarError as problem:
            return _render(str(problem), form)
        flash(f"{row.year}年节假日安排已保存。", "success")
        return redirect(url_for("calendar.index"))
    return _render()


def provisional(value) -> bool:
    """For templates: a deadline whose year's holidays are not known (counted Monday to Friday)."""
    if value is None:
        return False
    return is_provisional(beijing_date(value) if isinstance(value, dt.datetime) else value)


def init_app(app: Flask) -> None:
    app.add_template_global(provisional, "provisional")

    @app.context_processor
    def _reminder():
        if getattr(current_user, "is_authenticated", False) and role_of(current_user) == DIRECTOR:
            return {"calendar_reminder": calendar_reminder(beijing_now().date())}
        return {}
