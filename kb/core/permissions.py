"""What calls, referrals and the audit log need to know about an actor, and the refusal error.

An actor is a ``kb.accounts.users.User`` (or anything with ``id``, ``role``, ``department``,
``staff_no`` and ``is_authenticated``); ``None`` or an anonymous user has no role.
"""
from __future__ import annotations

from kb.hotline.departments import COLLECTION
from kb.core.errors import KbError


class Forbidden(KbError):
    """The actor may not do this; the message says why, in Chinese."""


def role_of(actor) -> str | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return getattr(actor, "role", None)


def department_of(actor) -> str | None:
    return getattr(actor, "department", None) if role_of(actor) else None


def is_supervising_department(actor) -> bool:
    """征管处, the department in charge of the hotline (管理办法第三条): it reads the 信息专报, the weekly
    summary with the promises, and the appraisal; never an informant's identity (``kb.hotline.redaction``)."""
    return role_of(actor) == "department" and department_of(actor) == COLLECTION


def require(allowed: bool, message: str) -> None:
    """Refuse (``Forbidden`` with ``message``, in Chinese) unless ``allowed``."""
    if not allowed:
        raise Forbidden(message)
