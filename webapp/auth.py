"""Login, logout, password change; session expiry; the one permission decorator.

Extensions (Flask-Login, Flask-WTF's CSRF protection) are created unbound and bound in
``init_app``. Passwords, throttling and roles live in ``kb.accounts.users``.
"""
from __future__ import annotations

import datetime as dt
import functools
import time
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from kb.accounts import users
from kb.accounts.users import AccountError, authenticate, end_sessions, session_user
from webapp.forms import Form
from webapp.storage import db_session

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()

OPEN_ENDPOINTS = {"auth.login", "auth.logout", "auth.change_password", "static"}


class LoginForm(Form):
    username = StringField("用户名", validators=[DataRequired("请输入用户名")])
    password = PasswordField("密码", validators=[DataRequired("请输入密码")])


class PasswordForm(Form):
    current = PasswordField("当前密码", validators=[DataRequired("请输入当前密码")])
    new = PasswordField("新密码", validators=[DataRequired("请输入新密码")])
    repeat = PasswordField("再次输入新密码", validators=[DataRequired("请再次输入新密码")])


def init_app(app: Flask) -> None:
    minutes = int(app.config["KB_SESSION_MINUTES"])
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(minutes=minutes)
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the token lives as long as the session
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    app.before_request(_check_session)
    app.register_blueprint(bp)


@login_manager.user_loader
def _load_user(session_id: str):
    """The session's user, unless its sessions were ended since (logout, password change, switched off)."""
    return session_user(db_session(), session_id)


def _check_session():
    """Expire idle sessions (server-side, not only the cookie) and force the first password change."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    from flask import current_app

    now = time.time()
    seen = session.get("seen")
    if seen is not None and now - seen > int(current_app.config["KB_SESSION_MINUTES"]) * 60:
        logout_user()
        session.clear()
        flash("登录已超时，请重新登录。", "info")
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    session["seen"] = now
    if current_user.must_change_password and request.endpoint not in OPEN_ENDPOINTS:
        flash("首次登录请先修改密码。", "info")
        return redirect(url_for("auth.change_password"))
    return None


def require(predicate):
    """Allow the view to users for whom ``predicate(user)`` holds; others get a login page or 403."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not predicate(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path of this site, else ``/``.

    Browsers drop tabs and newlines from a URL and read ``\\`` as ``/``, so ``/\t/evil.example``
    would leave the site: a target with any control character, space or backslash, or one that is
    not a plain absolute path (``//host``, ``http:``), is refused.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F or ch == "\\" for ch in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(db_session(), form.username.data, form.password.data, request.remote_addr or "-")
        except AccountError as problem:
            # The failure is recorded, so the response must be committed (status < 400).
            error = str(problem)
            status = 429 if "过多" in error else 200
        else:
            session.clear()
            session.permanent = True
            login_user(user)
            session["seen"] = time.time()
            if user.must_change_password:
                return redirect(url_for("auth.change_password"))
            return redirect(safe_next(request.args.get("next")))
    elif request.method == "POST":
        error = "；".join(e for errors in form.errors.values() for e in errors)
        status = 400
    return render_template("auth/login.html", form=form, error=error), status


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        end_sessions(db_session(), current_user)  # a copy of the cookie is worthless from now on
    logout_user()
    session.clear()
    flash("已退出登录。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
def change_password():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    form = PasswordForm()
    error = None
    if form.validate_on_submit():
        if form.new.data != form.repeat.data:
            error = "两次输入的新密码不一致"
        else:
            try:
                user = users.change_password(db_session(), current_user._get_current_object(), form.current.data,
                                             form.new.data)
            except AccountError as problem:
                error = str(problem)
            else:
                login_user(user)  # the password change ended every session; this one goes on
                flash("密码已修改。", "success")
                return redirect(url_for("search.home"))
    elif request.method == "POST":
        error = "请填写所有字段"
    return render_template("auth/password.html", form=form, error=error), (400 if error else 200)
