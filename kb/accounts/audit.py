"""An append-only log of who saw or changed confidential data (举报 and 投诉 callers' identity), and
of who created, reset or switched the accounts (an account made to read informants names its maker).

Entries are only ever added (``record``); there is no update or delete operation, and the
database itself refuses UPDATE and DELETE on the table: a trigger on SQLite and on PostgreSQL
raises an error, so not even an administrator's SQL can rewrite history without dropping the
trigger first (which needs the schema owner).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.core.actors import SYSTEM_NAME, actor_id, is_system, require_actor
from kb.core.permissions import Forbidden, role_of
from kb.accounts.roles import DIRECTOR
from kb.accounts.models import AuditEntry
from kb.core.timestamps import beijing_now

# Actions.
VIEW_IDENTITY = "view_identity"          # the caller's identity shown in clear
VIEW_REDACTED = "view_redacted"          # the record shown with the identity hidden
EXPORT_REDACTED = "export_redacted"      # the record exported (always redacted)
CREATE = "create"
CHANGE = "change"
ACTIONS = (VIEW_IDENTITY, VIEW_REDACTED, EXPORT_REDACTED, CREATE, CHANGE)

ACTION_LABELS = {
    VIEW_IDENTITY: "查看来电人身份",
    VIEW_REDACTED: "查看（身份已隐去）",
    EXPORT_REDACTED: "导出（身份已隐去）",
    CREATE: "创建",
    CHANGE: "修改",
}


def actor_label(actor) -> str:
    if is_system(actor):
        return SYSTEM_NAME
    require_actor(actor)
    name = getattr(actor, "display_name", None) or getattr(actor, "username", None) or str(getattr(actor, "id", ""))
    staff_no = getattr(actor, "staff_no", None)
    return f"{name}（工号 {staff_no}）" if staff_no else name


def record(session: Session, actor, action: str, object_type: str, object_id: int,
           detail: dict | None = None, at: dt.datetime | None = None) -> AuditEntry:
    """Append one entry; ``actor`` is a user or ``SYSTEM`` (a scheduled job); ``None`` is refused."""
    entry = AuditEntry(
        at=at or beijing_now(), actor_id=actor_id(actor), actor_name=actor_label(actor),
        actor_role=getattr(actor, "role", None), action=action, object_type=object_type,
        object_id=object_id, detail=detail or {},
    )
    session.add(entry)
    session.flush()
    return entry


def entries_for(session: Session, object_type: str, object_id: int) -> list[AuditEntry]:
    return list(session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == object_type, AuditEntry.object_id == object_id)
        .order_by(AuditEntry.id)
    ))


def can_read_audit_log(actor) -> bool:
    """Only the director reads the log (no one may change it)."""
    return role_of(actor) == DIRECTOR


def recent_entries(session: Session, actor, limit: int = 500) -> list[AuditEntry]:
    """The latest entries, newest first, for the director."""
    if not can_read_audit_log(actor):
        raise Forbidden("只有中心主任可以查看审计日志")
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))
