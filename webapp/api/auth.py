"""Who is calling the API: a bearer token (``Authorization: Bearer kb_…``) or the page session.

A token acts as its user, with the same permission predicates as the pages. Token calls carry no
cookie, so they are exempt from CSRF; calls made with the session cookie (the pages' own scripts)
still need the CSRF token on POST/PATCH/DELETE. Failed tokens are throttled per token (the same
bad token again gets 429) and an address with many refused tokens gets 429 instead of 401 for
them, while a valid token always works (``kb.accounts.api_tokens``). The failure is recorded in its own
short transaction because the response is an error (the request's own session is rolled back).
"""
from __future__ import annotations

import functools

from flask import g, request
from flask_login import current_user

from kb.accounts.api_tokens import record_token_failure, token_throttled, user_for_token
from kb.core.db import transaction
from webapp.api.errors import ApiProblem
from webapp.auth import csrf, login_manager
from webapp.storage import db_session, storage

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def authenticate() -> None:
    """``before_request`` of the API blueprint."""
    header = request.headers.get("Authorization")
    if header is None:
        g.api_token = False
        if request.method not in SAFE_METHODS and current_user.is_authenticated:
            csrf.protect()  # the cookie session: same CSRF rule as the pages (anonymous calls get 401)
        return
    scheme, _, secret = header.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise ApiProblem(401, "Authorization 头格式应为“Bearer <令牌>”")
    address = request.remote_addr or "-"
    session = db_session()
    if token_throttled(session, address, secret):
        raise ApiProblem(429, "API 令牌校验失败次数过多，请 15 分钟后再试")
    user = user_for_token(session, secret)
    if user is None:
        with transaction(storage().session_factory) as failures:
            crowded = record_token_failure(failures, address, secret)
        if crowded:
            raise ApiProblem(429, "API 令牌校验失败次数过多，请 15 分钟后再试")
        raise ApiProblem(401, "API 令牌无效、已吊销或账号已停用")
    login_manager._update_request_context_with_user(user)
    g.api_token = True


def api_require(predicate):
    """401 without a user, 403 when ``predicate(user)`` does not hold."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                raise ApiProblem(401, "请先登录，或在 Authorization 头中提供 API 令牌")
            if not predicate(current_user):
                raise ApiProblem(403, "您的账号没有执行此操作的权限")
            return view(*args, **kwargs)

        return wrapped

    return decorate
