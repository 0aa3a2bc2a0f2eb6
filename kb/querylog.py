"""The search query log: what agents searched, how much was found, how long it took.

The director's views read it (frequent queries, queries that found nothing). ``log_query`` is a
domain operation: it adds a row and never commits.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.db import Base


class QueryLog(Base):
    __tablename__ = "query_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(500))
    result_count: Mapped[int] = mapped_column(Integer, default=0)
    top_unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    top_hit: Mapped[Optional[str]] = mapped_column(String(400))  # the first result's citation
    took_ms: Mapped[float] = mapped_column(Float, default=0.0)
    user_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)  # the agent, when logged in
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.now(), index=True)


def log_query(session: Session, user_id: int | None, *, query: str, result_count: int,
              top_hit: str | None = None, top_unit_id: int | None = None, took_ms: float = 0.0) -> QueryLog:
    """Record one search; the caller commits."""
    entry = QueryLog(query=query[:500], result_count=result_count, top_hit=(top_hit or None) and top_hit[:400],
                     top_unit_id=top_unit_id, took_ms=took_ms, user_id=user_id)
    session.add(entry)
    session.flush()
    return entry
