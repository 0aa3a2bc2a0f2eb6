"""The reports' tables: the 信息专报 issues (``BulletinIssue``), the search log (``QueryLog``), the demo data's
record of what it added (``DemoRecord``), and the appraisal's.

The appraisal sheet (目标责任制考核表) of one agent for one month: what the records cannot know.

The record-based figures are computed when needed (``kb.reports.appraisal``); the sheet holds the director's
manual entries (attendance, complaints, praise…, as counts), the agent's self-score and the
centre's score per item, the hand-in of the month's statistics, the written report after two 较差
in a row, a 一票否决, and, once the month is published, the published scores, rating and 绩效工资
as they stood. The 绩效工资 entries are ``AppraisalEvent`` rows; the amounts of both schemes are
versioned ``AppraisalRuleSet`` rows.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kb.core.db import Base
from kb.core.timestamps import UtcDateTime, utc_now


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
    self_scored_at: Mapped[Optional[dt.datetime]] = mapped_column(UtcDateTime)
    updated_at: Mapped[Optional[dt.datetime]] = mapped_column(UtcDateTime)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[Optional[dt.datetime]] = mapped_column(UtcDateTime)
    published_scores: Mapped[dict] = mapped_column(JSON, default=dict)     # item code -> score, as published
    published_total: Mapped[Optional[float]] = mapped_column(Float)
    published_rating: Mapped[Optional[str]] = mapped_column(String(10))    # 合格 or 较差, as published
    published_flags: Mapped[Optional[list]] = mapped_column(JSON)          # 警告, 书面报告, 一票否决…, as published
    published_pay: Mapped[Optional[dict]] = mapped_column(JSON)            # the 绩效工资 sheet as published (kb.reports.pay)
    summary_handed_at: Mapped[Optional[dt.datetime]] = mapped_column(UtcDateTime)  # the month's statistics handed in
    report_causes: Mapped[Optional[str]] = mapped_column(Text)             # written report after two 较差 in a row
    report_remedies: Mapped[Optional[str]] = mapped_column(Text)
    report_at: Mapped[Optional[dt.datetime]] = mapped_column(UtcDateTime)
    veto_reason: Mapped[Optional[str]] = mapped_column(Text)               # 一票否决: the serious case, by the director

    def __repr__(self) -> str:
        return f"<AppraisalSheet {self.agent_id} {self.month} published={self.published_at is not None}>"


class AppraisalRuleSet(Base):
    """One version of a scheme's amounts (``kb.reports.appraisal_rules``), in force from ``effective_month`` on."""
    __tablename__ = "appraisal_rule_sets"
    __table_args__ = (UniqueConstraint("scheme", "effective_month", name="uq_appraisal_rules_scheme_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme: Mapped[str] = mapped_column(String(10))                        # pay (绩效工资) or target (目标责任制)
    effective_month: Mapped[str] = mapped_column(String(7))                # YYYY-MM, first month it applies to
    amounts: Mapped[dict] = mapped_column(JSON, default=dict)              # key -> number, every key of the scheme
    note: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class AppraisalEvent(Base):
    """One entry of the 绩效工资 scheme (``kb.reports.pay``): attendance, leave, complaints, praise…"""
    __tablename__ = "appraisal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)              # YYYY-MM of ``day``
    day: Mapped[dt.date] = mapped_column(Date)
    event: Mapped[str] = mapped_column(String(20))                         # a code of kb.reports.pay.EVENTS
    amount: Mapped[float] = mapped_column(Float)                           # days for leave, otherwise the count
    minutes: Mapped[Optional[int]] = mapped_column(Integer)                # lateness, early leave, absence from post
    slip: Mapped[Optional[str]] = mapped_column(String(10))                # before, after, hospital, none
    note: Mapped[Optional[str]] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(10), default="manual")      # manual or import
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class BulletinIssue(Base):
    __tablename__ = "bulletin_issues"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)           # YYYY-MM
    commentary: Mapped[dict] = mapped_column(JSON, default=dict)             # "1".."8" -> text
    outcomes: Mapped[dict] = mapped_column(JSON, default=dict)               # call id -> what became of it
    shared_with: Mapped[list] = mapped_column(JSON, default=list)            # department names
    shared_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class QueryLog(Base):
    __tablename__ = "query_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(500))
    result_count: Mapped[int] = mapped_column(Integer, default=0)
    top_unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    top_hit: Mapped[Optional[str]] = mapped_column(String(400))  # the first result's citation
    took_ms: Mapped[float] = mapped_column(Float, default=0.0)
    user_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)  # the agent, when logged in
    # Beijing time, like the call records the bulletin sets these searches beside.
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now, index=True)
    # The agent marked the search 未解决 (the caller's question stayed unanswered): joins the gaps queue.
    unresolved: Mapped[Optional[bool]] = mapped_column(Boolean)


class DemoRecord(Base):
    """A row added by ``add_demo_month``: the table and the row's id."""

    __tablename__ = "demo_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40), index=True)
    row_id: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(10), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
