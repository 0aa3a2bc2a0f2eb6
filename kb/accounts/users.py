"""Accounts: users and their roles, passwords (hashed by ``kb.accounts.passwords``), login throttling, permission predicates.

Roles: 咨询服务员 (agent, with a 工号), 政策法规岗 (the policy office), 中心主任 (director),
部门用户 (a department user, bound to one department) and 管理员 (admin). Permissions are small
predicates (``can_upload(actor)``) that the web layer applies through one decorator.

Sessions are revocable on the server: a login session names the user *and* the user's
``session_generation`` (``User.get_id``); ``end_sessions`` moves the generation on, so every
cookie issued before stops working. Logging out, changing or resetting a password and switching
an account off all end the user's sessions (``session_user`` is the check the web layer runs).
Domain operations take ``(session, actor, data)`` and never commit.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kb.accounts import audit
from kb.core.actors import SYSTEM, allowed, is_system
from kb.core.errors import KbError
from kb.accounts.password_policy import MIN_LENGTH, password_problem
from kb.accounts.passwords import hash_password, needs_rehash, verify_password
from kb.accounts.roles import ADMIN, AGENT, DEPARTMENT, POLICY, ROLES
from kb.accounts.models import LoginFailure, User
from kb.core.timestamps import utc_now

MIN_PASSWORD_LENGTH = MIN_LENGTH
# Login throttling, within the window: this many failures for one username from one address, for
# one username from any address (a guesser who changes address), and from one address over any
# usernames (a guesser who tries one password on many accounts).
MAX_FAILURES = 5
MAX_USER_FAILURES = 10
MAX_ADDRESS_FAILURES = 20
# Failed API tokens are kept in the same table under user names that start with this (see
# ``kb.accounts.api_tokens``); they do not count towards an address's failed logins.
TOKEN_FAILURE_PREFIX = "(api-token)"
FAILURE_WINDOW = dt.timedelta(minutes=15)


class AccountError(KbError):
    pass


@dataclass
class NewUser:
    username: str
    role: str
    password: str | None = None  # generated (one-time) when not given
    department: str | None = None
    staff_no: str | None = None
    display_name: str | None = None
    must_change_password: bool | None = None


# -- permissions --------------------------------------------------------------------------------

def _role(actor) -> str | None:
    return getattr(actor, "role", None) if getattr(actor, "is_authenticated", False) else None


def can_read_library(actor) -> bool:
    return is_system(actor) or _role(actor) in ROLES


def can_upload(actor) -> bool:
    return _role(actor) in (POLICY, ADMIN)


def can_edit_documents(actor) -> bool:
    return _role(actor) in (POLICY, ADMIN)


def can_manage_users(actor) -> bool:
    return _role(actor) == ADMIN


# -- passwords ----------------------------------------------------------------------------------

def check_password(user: User, password: str) -> bool:
    return verify_password(user.password_hash, password)


def one_time_password() -> str:
    return secrets.token_urlsafe(12)


def _check_new_password(password: str, *user_inputs: str | None) -> None:
    problem = password_problem(password, list(user_inputs))
    if problem:
        raise AccountError(problem)


_DUMMY_HASH: list[str] = []


def _equal_time_check(user: User | None, password: str) -> bool:
    """Check a password in the same time whether the account exists or not: an unknown user name
    is checked against a dummy hash, so timing does not tell which accounts exist."""
    if user is None:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(hash_password(secrets.token_urlsafe(16)))
        verify_password(_DUMMY_HASH[0], password)
        return False
    return check_password(user, password)


# -- operations ---------------------------------------------------------------------------------

def create_user(session: Session, actor, data: NewUser) -> tuple[User, str]:
    """Create an account; return it with its password (generated and one-time when none was given).

    ``actor`` is ``SYSTEM`` for the command line and first start; otherwise it must be an admin.
    """
    if not allowed(actor, can_manage_users):
        raise AccountError("只有管理员可以创建账号")
    username = (data.username or "").strip()
    if not username:
        raise AccountError("用户名不能为空")
    if data.role not in ROLES:
        raise AccountError(f"角色“{data.role}”无效，应为 {'/'.join(ROLES)}")
    if data.role == DEPARTMENT and not (data.department or "").strip():
        raise AccountError("部门用户必须指定所属部门（--department）")
    if data.role == AGENT and not (data.staff_no or "").strip():
        raise AccountError("咨询服务员必须有工号（--staff-no）")
    if find_user(session, username) is not None:
        raise AccountError(f"用户名“{username}”已存在")
    generated = data.password is None
    password = one_time_password() if generated else data.password
    if not generated and not is_system(actor):  # the command line's --password stays as operators set it
        _check_new_password(password, username, data.display_name, data.staff_no)
    elif not generated and len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符")
    # A password an admin chose is known to the admin: it is changed at first login (the command
    # line's --password is for operators and automation, and stays as given).
    must_change = generated or not is_system(actor)
    user = User(
        username=username, role=data.role, display_name=(data.display_name or "").strip() or None,
        department=(data.department or "").strip() or None, staff_no=(data.staff_no or "").strip() or None,
        password_hash=hash_password(password),
        must_change_password=must_change if data.must_change_password is None else data.must_change_password,
        active=True,
    )
    session.add(user)
    session.flush()
    _audit_account(session, actor, user, "create", {"role": user.role, "department": user.department})
    return user, password


def _audit_account(session: Session, actor, user: User, action: str, detail: dict) -> None:
    """Who created, reset or switched an account: in the audit log beside the views it allows."""
    audit.record(session, actor, action, "user", user.id, {"username": user.username, **detail})


def ensure_admin(session: Session) -> str | None:
    """First start: create ``admin`` when there is no user; return its one-time password (else None)."""
    if session.scalar(select(func.count(User.id))):
        return None
    _user, password = create_user(session, SYSTEM, NewUser(username="admin", role=ADMIN))
    return password


def change_password(session: Session, actor: User, current: str, new: str) -> User:
    if not check_password(actor, current):
        raise AccountError("当前密码不正确")
    if new == current:
        raise AccountError("新密码不能与当前密码相同")
    _check_new_password(new, actor.username, actor.display_name, actor.staff_no)
    actor.password_hash = hash_password(new)
    actor.must_change_password = False
    end_sessions(session, actor)  # a stolen cookie stops working; the caller logs the actor in again
    return actor


def end_sessions(session: Session, user: User) -> User:
    """End every login session of ``user`` (on every browser): the cookies they hold stop working."""
    user.session_generation = (user.session_generation or 0) + 1
    session.flush()
    return user


def session_user(session: Session, session_id: str) -> User | None:
    """The user a login session (``User.get_id``) stands for: None when the account is unknown or
    switched off, or when its sessions were ended after this one began."""
    user_id, _, generation = (session_id or "").partition(":")
    try:
        user = session.get(User, int(user_id))
        generation_number = int(generation)
    except ValueError:
        return None
    if user is None or not user.active or (user.session_generation or 0) != generation_number:
        return None
    return user


def find_user(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username.strip())).first()


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role, User.username)))


def set_active(session: Session, actor, user: User, active: bool) -> User:
    if not can_manage_users(actor):
        raise AccountError("只有管理员可以停用账号")
    if user.id == actor.id and not active:
        raise AccountError("不能停用自己的账号")
    user.active = active
    end_sessions(session, user)
    _audit_account(session, actor, user, "change", {"active": "启用" if active else "停用"})
    return user


# -- login and throttling -----------------------------------------------------------------------

def is_throttled(session: Session, username: str, address: str, now: dt.datetime | None = None) -> bool:
    """Too many recent failures for this username from this address, for this username from any
    address, or from this address over any usernames."""
    since = (now or utc_now()) - FAILURE_WINDOW
    recent = LoginFailure.failed_at >= since

    def count(*where) -> int:
        return session.scalar(select(func.count(LoginFailure.id)).where(recent, *where)) or 0

    return (count(LoginFailure.username == username, LoginFailure.address == address) >= MAX_FAILURES
            or count(LoginFailure.username == username) >= MAX_USER_FAILURES
            or count(LoginFailure.address == address, ~LoginFailure.username.startswith(TOKEN_FAILURE_PREFIX)) >= MAX_ADDRESS_FAILURES)


def authenticate(session: Session, username: str, password: str, address: str,
                 now: dt.datetime | None = None) -> User:
    """Check a login; record failures and refuse while throttled. Raise AccountError with the reason.

    An unknown user name costs the same time as a wrong password (``_equal_time_check``)."""
    username = (username or "").strip()
    now = now or utc_now()
    if is_throttled(session, username, address, now):
        raise AccountError("登录失败次数过多，请 15 分钟后再试")
    user = find_user(session, username) if username else None
    if not _equal_time_check(user, password or "") or not user.active:
        session.add(LoginFailure(username=username[:80], address=address[:64], failed_at=now))
        session.flush()
        raise AccountError("用户名或密码不正确")
    session.execute(delete(LoginFailure).where(LoginFailure.username == username, LoginFailure.address == address))
    session.execute(delete(LoginFailure).where(LoginFailure.failed_at < now - FAILURE_WINDOW))
    user.last_login_at = now
    if needs_rehash(user.password_hash):  # a werkzeug hash from before, or older Argon2 parameters
        user.password_hash = hash_password(password)
    session.flush()
    return user


def reset_password(session: Session, actor, user: User) -> str:
    """Give ``user`` a new one-time password (to be changed at next login); return it.

    ``actor`` is ``SYSTEM`` for the command line; otherwise it must be an admin.
    """
    if not allowed(actor, can_manage_users):
        raise AccountError("只有管理员可以重置密码")
    password = one_time_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    session.execute(delete(LoginFailure).where(LoginFailure.username == user.username))
    end_sessions(session, user)
    _audit_account(session, actor, user, "change", {"password": "重置为一次性密码"})
    return password
