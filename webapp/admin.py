"""Account administration: list users, create one, reset a password, switch an account off/on."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Optional

from kb.accounts.roles import ROLE_LABELS
from kb.accounts.users import (
    AccountError, NewUser, can_manage_users, create_user, get_user, list_users, reset_password, set_active,
)
from webapp.auth import require
from webapp.forms import Form
from webapp.storage import db_session

bp = Blueprint("admin", __name__, url_prefix="/admin")


class UserForm(Form):
    username = StringField("用户名", validators=[DataRequired("请输入用户名")])
    display_name = StringField("姓名", validators=[Optional()])
    role = SelectField("角色", choices=[SelectChoice(role, label) for role, label in ROLE_LABELS.items()])
    staff_no = StringField("工号（咨询服务员必填）", validators=[Optional()])
    department = StringField("部门（部门用户必填）", validators=[Optional()])
    password = PasswordField("初始密码（留空则生成一次性密码）", validators=[Optional()])


def _page(form, status=200, error=None, issued=None):
    return render_template("admin/users.html", users=list_users(db_session()), form=form, error=error,
                           issued=issued, action_form=Form()), status


@bp.route("/users", methods=["GET", "POST"])
@require(can_manage_users)
def users():
    form = UserForm()
    if form.validate_on_submit():
        try:
            user, password = create_user(db_session(), current_user, NewUser(
                username=form.username.data, role=form.role.data, password=form.password.data or None,
                department=form.department.data, staff_no=form.staff_no.data, display_name=form.display_name.data))
        except AccountError as problem:
            return _page(form, 400, str(problem))
        issued = (user.username, password) if not form.password.data else None
        flash(f"已创建账号“{user.username}”。", "success")
        return _page(UserForm(formdata=None), 200, None, issued)
    if form.errors:
        return _page(form, 400, "请填写用户名。")
    return _page(form)


@bp.post("/users/<int:user_id>/reset")
@require(can_manage_users)
def reset(user_id: int):
    if not Form().validate_on_submit():
        return redirect(url_for("admin.users"))
    user = get_user(db_session(), user_id)
    if user is None:
        return redirect(url_for("admin.users"))
    password = reset_password(db_session(), current_user, user)
    return _page(UserForm(formdata=None), 200, None, (user.username, password))


@bp.post("/users/<int:user_id>/active")
@require(can_manage_users)
def toggle_active(user_id: int):
    user = get_user(db_session(), user_id)
    if user is not None and Form().validate_on_submit():
        try:
            set_active(db_session(), current_user, user, not user.active)
        except AccountError as problem:
            flash(str(problem), "error")
    return redirect(url_for("admin.users"))
