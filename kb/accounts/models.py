"""The accounts' tables: users, failed logins, API tokens, and the audit log (who saw or changed
confidential data or an account; ``kb.accounts.audit`` writes and reads it)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import DDL, JSON, Boolean, ForeignKey, Integer, String, event, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.accounts.roles import ROLE_LABELS
from kb.core.db import Base
from kb.core.timestamps import UtcDateTime, utc_now


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[Optional[str]] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(20))
    department: Mapped[Optional[str]] = mapped_column(String(100))
    staff_no: Mapped[Optional[str]] = mapped_column(String(30))  # 工号, for agents
    password_hash: Mapped[str] = mapped_column(String(300))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, server_default=func.now())
    last_login_at: Mapped[Optional[dt.datetime]] = mapped_column(UtcDateTime)
    # Moved on by ``end_sessions``: a session cookie names the generation it was issued for.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    # Flask-Login reads these; they carry no web dependency.
    @property
    def is_active(self) -> bool:
        return self.active

    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        """What a session stores: ``"<id>:<session generation>"``."""
        return f"{self.id}:{self.session_generation or 0}"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class LoginFailure(Base):
    """One failed login, kept in the database so throttling holds across workers."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))  # what it is for: 电话系统, 报表脚本
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(12))  # the first characters, to tell tokens apart
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    last_used_at: Mapped[Optional[dt.datetime]] = mapped_column(UtcDateTime)
    revoked_at: Mapped[Optional[dt.datetime]] = mapped_column(UtcDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.hint}… user={self.user_id}>"


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    actor_name: Mapped[str] = mapped_column(String(100))  # kept as written: users may be renamed
    actor_role: Mapped[Optional[str]] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(30))
    object_type: Mapped[str] = mapped_column(String(30))  # call | referral | user (account made or changed)
    object_id: Mapped[int] = mapped_column(Integer, index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    def __repr__(self) -> str:
        return f"<AuditEntry {self.at} {self.actor_name} {self.action} {self.object_type}:{self.object_id}>"


_MESSAGE = "audit_log is append-only"

event.listen(AuditEntry.__table__, "after_create", DDL(f"""
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END
""").execute_if(dialect="sqlite"))
event.listen(AuditEntry.__table__, "after_create", DDL(f"""
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END
""").execute_if(dialect="sqlite"))
event.listen(AuditEntry.__table__, "after_create", DDL(f"""
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '{_MESSAGE}'; END
$$ LANGUAGE plpgsql
""").execute_if(dialect="postgresql"))
event.listen(AuditEntry.__table__, "after_create", DDL("""
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()
""").execute_if(dialect="postgresql"))
