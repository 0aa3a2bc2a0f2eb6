"""The search's tables: ``index_changes``, the search index's outbox (``kb.search.index_outbox`` fills it);
the citations agents copied after a search and each ``train-ranker`` run (``kb.search.search_feedback``)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kb.core.db import Base
from kb.core.timestamps import UtcDateTime, utc_now


class IndexChange(Base):
    """A document or FAQ entry whose search index entries changed: one row per target and
    transaction, written with the change (see ``kb.search.index_outbox``). Each host's index applies the
    rows after the last id it applied."""

    __tablename__ = "index_changes"
    __table_args__ = {"sqlite_autoincrement": True}  # ids never reused, even once pruned

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))  # document | faq
    target_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now, index=True)


MAX_QUERY = 500


class CitationCopy(Base):
    __tablename__ = "citation_copies"

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(MAX_QUERY))
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)  # the agent
    copied_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now, index=True)


class RankerTraining(Base):
    __tablename__ = "ranker_trainings"

    id: Mapped[int] = mapped_column(primary_key=True)
    trained_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now, index=True)
    kept_new: Mapped[bool] = mapped_column(Boolean, default=False)  # False: the old model stayed in force
    pairs: Mapped[int] = mapped_column(Integer, default=0)  # copied pairs used
    before: Mapped[dict] = mapped_column(JSON, default=dict)  # held-out figures of the model in force before
    after: Mapped[dict] = mapped_column(JSON, default=dict)  # held-out figures of the new fit
    note: Mapped[Optional[str]] = mapped_column(String(500))
