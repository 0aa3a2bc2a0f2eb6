"""Who acts: a signed-in user, or ``SYSTEM`` (the command line, the importer, scheduled jobs).

Every domain operation takes an actor. A ``kb.accounts.users.User`` acts with its role; ``SYSTEM`` acts for
whoever runs the server and is named "系统" in version histories and the audit log. ``None`` is no
actor at all: every permission predicate refuses it, and an operation handed ``None`` is refused
(``require_actor``) instead of guessing what it meant.

``SYSTEM`` has no role (``is_authenticated`` is false), so role predicates refuse it unless they
let it through by name (``is_system``): what the system may do is written where it is allowed.
"""
from __future__ import annotations

from kb.core.errors import KbError

SYSTEM_NAME = "系统"


class _System:
    id = None
    role = None
    department = None
    staff_no = None
    username = SYSTEM_NAME
    display_name = SYSTEM_NAME
    is_authenticated = False
    is_active = False

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = _System()


class NoActor(KbError):
    """An operation was called without an actor (``None``): a programming error, refused."""


def is_system(actor) -> bool:
    return actor is SYSTEM


def require_actor(actor) -> None:
    """Refuse ``None``: the caller must say who acts (a user, or ``SYSTEM``)."""
    if actor is None:
        raise NoActor("未指明操作人（用户或系统），操作被拒绝")


def allowed(actor, predicate) -> bool:
    """``SYSTEM`` may; a user may when ``predicate(actor)``; ``None`` is refused (``NoActor``)."""
    require_actor(actor)
    return is_system(actor) or bool(predicate(actor))


def actor_name(actor) -> str:
    """How version histories and the audit log name the actor (``SYSTEM``: 系统)."""
    require_actor(actor)
    if is_system(actor):
        return SYSTEM_NAME
    return (getattr(actor, "display_name", None) or getattr(actor, "username", None) or str(actor))[:100]


def actor_id(actor) -> int | None:
    """The user's id for the records; ``None`` for ``SYSTEM``."""
    require_actor(actor)
    return None if is_system(actor) else getattr(actor, "id", None)
