"""API tokens: a token acts as its user on the JSON API, with that user's role and nothing more.

A token is shown once, when it is created; only its SHA-256 hash is stored (tokens are 256-bit
random strings, so a fast hash is enough: there is nothing to brute-force). Tokens are revoked,
never deleted, so the list shows who had access and until when. Operations take
``(session, actor, data)`` and never commit; ``actor`` ``kb.core.actors.SYSTEM`` is the command line.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.core.actors import actor_id, allowed
from kb.core.db import get_or_not_found
from kb.core.errors import KbError, NotFound
from kb.core.timestamps import utc_now
from kb.accounts.users import (
    FAILURE_WINDOW, MAX_ADDRESS_FAILURES, MAX_FAILURES, TOKEN_FAILURE_PREFIX, can_manage_users, find_user,
)
from kb.accounts.models import ApiToken, LoginFailure, User

PREFIX = "kb_"
# ``last_used_at`` is written at most this often, so reads do not turn into writes.
TOUCH_INTERVAL = dt.timedelta(minutes=5)
# Failed token presentations are kept beside failed logins, under a pseudo user name per token.
THROTTLE_NAME = TOKEN_FAILURE_PREFIX


class TokenError(KbError):
    pass


@dataclass
class NewToken:
    username: str
    name: str = "API"


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def can_manage_tokens(actor, user: User) -> bool:
    """An admin (or ``SYSTEM``: the command line) manages every token; a user their own."""
    return allowed(actor, can_manage_users) or (
        getattr(actor, "is_authenticated", False) and getattr(actor, "id", None) == user.id)


def create_token(session: Session, actor, data: NewToken) -> tuple[ApiToken, str]:
    """A new token for ``data.username``; returns it with the secret, which is never stored."""
    user = find_user(session, data.username or "")
    if user is None:
        raise NotFound(f"用户“{data.username}”不存在")
    if not can_manage_tokens(actor, user):
        raise TokenError("只有管理员或账号本人可以创建 API 令牌")
    if not user.active:
        raise TokenError(f"账号“{user.username}”已停用，不能创建 API 令牌")
    name = (data.name or "").strip()[:100] or "API"
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(secret), hint=secret[:10],
                     created_at=utc_now(), created_by_id=actor_id(actor))
    session.add(token)
    session.flush()
    return token, secret


def revoke_token(session: Session, actor, token_id: int) -> ApiToken:
    token = get_or_not_found(session, ApiToken, token_id, "API 令牌")
    if not can_manage_tokens(actor, token.user):
        raise TokenError("只有管理员或账号本人可以吊销 API 令牌")
    if token.revoked_at is None:
        token.revoked_at = utc_now()
        session.flush()
    return token


def list_tokens(session: Session, actor, username: str | None = None) -> list[ApiToken]:
    """Tokens of ``username`` (every user's for an admin or the command line, ``SYSTEM``)."""
    query = select(ApiToken).order_by(ApiToken.id)
    if username:
        user = find_user(session, username)
        if user is None:
            raise NotFound(f"用户“{username}”不存在")
        if not can_manage_tokens(actor, user):
            raise TokenError("只有管理员或账号本人可以查看 API 令牌")
        query = query.where(ApiToken.user_id == user.id)
    elif not allowed(actor, can_manage_users):
        query = query.where(ApiToken.user_id == getattr(actor, "id", None))
    return list(session.scalars(query))


def user_for_token(session: Session, secret: str, now: dt.datetime | None = None) -> User | None:
    """The active user a presented token stands for; None for an unknown, revoked or disabled one."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(secret))).first()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = now or utc_now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_INTERVAL:
        token.last_used_at = now
        session.flush()
    return token.user


def _failure_name(secret: str) -> str:
    """The pseudo user name under which failures of one presented token are counted."""
    return THROTTLE_NAME + hash_token(secret or "")[:16]


def _recent_failures(session: Session, *where) -> int:
    since = utc_now() - FAILURE_WINDOW
    return session.scalar(select(func.count(LoginFailure.id)).where(LoginFailure.failed_at >= since, *where)) or 0


def token_throttled(session: Session, address: str, secret: str) -> bool:
    """This token was presented and refused too often (per credential, not per address: one
    client's bad token does not lock out the good tokens of others behind the same proxy)."""
    return _recent_failures(session, LoginFailure.username == _failure_name(secret)) >= MAX_FAILURES


def record_token_failure(session: Session, address: str, secret: str) -> bool:
    """Record a refused token; True when the address has refused tokens past the limit (the
    caller answers 429 instead of 401). A valid token is never refused for others' failures:
    tokens are 256-bit random strings, so there is nothing to guess."""
    session.add(LoginFailure(username=_failure_name(secret), address=(address or "-")[:64], failed_at=utc_now()))
    session.flush()
    return _recent_failures(session, LoginFailure.address == (address or "-")[:64],
                            LoginFailure.username.startswith(THROTTLE_NAME)) > MAX_ADDRESS_FAILURES
