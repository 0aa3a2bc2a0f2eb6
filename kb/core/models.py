"""The core tables: the bureau's departments, and the shared files (the director's dictionary, synonyms
and ranker, kept in the database so that every host reads the same)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kb.core.db import Base
from kb.core.timestamps import UtcDateTime, utc_now


class Department(Base):
    """A receiving department; users' ``department`` holds its ``name``."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    group: Mapped[str] = mapped_column(String(50))
    tax_types: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"<Department {self.name} ({self.group})>"


class SharedFile(Base):
    __tablename__ = "shared_files"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)
