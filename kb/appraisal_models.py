"""The appraisal sheet (目标责任制考核表) of one agent for one month: what the records cannot know.

The record-based figures are computed when needed (``kb.appraisal``); the sheet holds the director's
manual entries (attendance, complaints, praise…, as counts), the agent's self-score and the
centre's score per item, and, once the month is published, the published scores as they stood.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import JSON, DateTime, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kb.db import Base


class AppraisalSheet(Base):
    __tablename__ = "appraisal_sheets"
    __table_args__ = (UniqueConstraint("agent_id", "month", name="uq_appraisal_agent_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)              # YYYY-MM
    inputs: Mapped[dict] = mapped_column(JSON, default=dict)               # manual entry key -> count or points
    centre_scores: Mapped[dict] = mapped_column(JSON, default=dict)        # item code -> the centre's score
    centre_note: Mapped[Optional[str]] = mapped_column(Text)
    self_scores: Mapped[dict] = mapped_column(JSON, default=dict)          # item code -> the agent's score
    self_note: Mapped[Optional[str]] = mapped_column(Text)
    self_scored_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    updated_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    published_scores: Mapped[dict] = mapped_column(JSON, default=dict)     # item code -> score, as published
    published_total: Mapped[Optional[float]] = mapped_column(Float)

    def __repr__(self) -> str:
        return f"<AppraisalSheet {self.agent_id} {self.month} published={self.published_at is not None}>"
