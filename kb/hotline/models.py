"""The hotline's tables: calls, referrals (转办单) and their events, the director's routing rules and
fitted router models, reports to the director (重大疑难问题报告单), reviews of answers (依法答复) and the
official calendars the director entered."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.core.db import Base
from kb.core.departments import CONFIDENTIAL_RECEIVERS, group_of
from kb.core.workdays import deadline_status
from kb.hotline.routing import Rule
from kb.core.timestamps import UtcDateTime

CONFIDENTIAL_CATEGORIES = ("举报", "投诉")


def is_confidential_matter(category: str | None, *departments: str | None) -> bool:
    """The one confidentiality rule for calls, referrals and reports: a 举报 or 投诉, or anything
    put through (转接) or sent (转办) to 稽查局 or 监察室."""
    return category in CONFIDENTIAL_CATEGORIES or any(
        group_of(d) in CONFIDENTIAL_RECEIVERS for d in departments if d)


class Call(Base):
    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    agent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    agent_staff_no: Mapped[Optional[str]] = mapped_column(String(30))  # 工号 as it was at the call
    caller_name: Mapped[Optional[str]] = mapped_column(String(100))
    caller_phone: Mapped[Optional[str]] = mapped_column(String(50))
    category: Mapped[str] = mapped_column(String(20), index=True)
    tax_type: Mapped[Optional[str]] = mapped_column(String(30))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[Optional[str]] = mapped_column(Text)
    citations: Mapped[list] = mapped_column(JSON, default=list)  # citation strings the agent copied
    disposition: Mapped[str] = mapped_column(String(20))
    # The department the call was put through or referred to (who may then see a reporter's identity).
    transferred_to: Mapped[Optional[str]] = mapped_column(String(100))

    @property
    def is_confidential(self) -> bool:
        return is_confidential_matter(self.category, self.transferred_to)

    def __repr__(self) -> str:
        return f"<Call {self.id} {self.category} {self.disposition}>"


DRAFT, SENT, REPLIED, RETURNED, FEEDBACK, CLOSED = "draft", "sent", "replied", "returned", "feedback", "closed"
STATES = (DRAFT, SENT, REPLIED, RETURNED, FEEDBACK, CLOSED)
STATE_LABELS = {DRAFT: "草稿", SENT: "已转办", REPLIED: "已答复", RETURNED: "已退回",
                FEEDBACK: "已反馈", CLOSED: "已办结"}
OPEN_STATES = (SENT, REPLIED, RETURNED, FEEDBACK)


class Referral(Base):
    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[Optional[int]] = mapped_column(ForeignKey("calls.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    agent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)  # 首问责任人
    agent_staff_no: Mapped[Optional[str]] = mapped_column(String(30))
    caller_name: Mapped[str] = mapped_column(String(100))
    caller_contact: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20))
    tax_type: Mapped[Optional[str]] = mapped_column(String(30))
    question: Mapped[str] = mapped_column(Text)
    searched: Mapped[list] = mapped_column(JSON, default=list)   # the queries tried
    articles: Mapped[list] = mapped_column(JSON, default=list)   # citations of the articles looked at
    suggested_department: Mapped[Optional[str]] = mapped_column(String(100))
    suggestion_reason: Mapped[Optional[str]] = mapped_column(Text)
    department: Mapped[Optional[str]] = mapped_column(String(100), index=True)  # the receiving one
    state: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)
    sent_at: Mapped[Optional[dt.datetime]] = mapped_column(UtcDateTime)
    due_at: Mapped[Optional[dt.datetime]] = mapped_column(UtcDateTime, index=True)
    reminder_count: Mapped[int] = mapped_column(Integer, default=0)
    reminder_due_at: Mapped[Optional[dt.datetime]] = mapped_column(UtcDateTime)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)  # 催办无效报告 sent
    answer: Mapped[Optional[str]] = mapped_column(Text)
    answer_citations: Mapped[list] = mapped_column(JSON, default=list)
    answered_at: Mapped[Optional[dt.datetime]] = mapped_column(UtcDateTime)
    answered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    return_reason: Mapped[Optional[str]] = mapped_column(Text)
    feedback: Mapped[Optional[str]] = mapped_column(Text)
    feedback_at: Mapped[Optional[dt.datetime]] = mapped_column(UtcDateTime)
    closed_at: Mapped[Optional[dt.datetime]] = mapped_column(UtcDateTime)

    call: Mapped[Optional[Call]] = relationship(lazy="selectin")  # read by ``is_confidential``
    events: Mapped[list["ReferralEvent"]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", order_by="ReferralEvent.id"
    )

    @property
    def is_confidential(self) -> bool:
        """举报 and 投诉, anything addressed to 稽查局 / 监察室, and anything copied from a confidential
        call (``kb.hotline.models.is_confidential_matter``, the same rule as for calls)."""
        return is_confidential_matter(self.category, self.department, self.suggested_department) or (
            self.call is not None and self.call.is_confidential)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    # Set by ``send_referral`` when the department has no active user (the director is told).
    warning = None

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.state == SENT and self.due_at is not None and now > self.due_at

    def deadline_status(self, now: dt.datetime) -> str | None:
        """While the department owes an answer: 剩 1 个工作日, 今日 18:00 到期, 已超期 2 个工作日."""
        return deadline_status(self.due_at, now) if self.state == SENT and self.due_at is not None else None

    def __repr__(self) -> str:
        return f"<Referral {self.id} {self.state} → {self.department}>"


class ReferralEvent(Base):
    """One step of a referral's history: created, sent, 催办, replied, returned, feedback, closed."""

    __tablename__ = "referral_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # see EVENT_LABELS
    note: Mapped[Optional[str]] = mapped_column(Text)

    referral: Mapped[Referral] = relationship(back_populates="events")


class RoutingRule(Base):
    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # ties between equal priorities
    name: Mapped[str] = mapped_column(String(100), unique=True)
    department: Mapped[str] = mapped_column(String(100))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    category: Mapped[Optional[str]] = mapped_column(String(20))
    tax_types: Mapped[list] = mapped_column(JSON, default=list)
    words: Mapped[list] = mapped_column(JSON, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[Optional[dt.datetime]] = mapped_column(UtcDateTime)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    def as_rule(self) -> Rule:
        return Rule(name=self.name, department=self.department, priority=self.priority,
                    category=self.category, tax_types=tuple(self.tax_types or ()),
                    words=tuple(self.words or ()), id=self.id)

    def __repr__(self) -> str:
        return f"<RoutingRule {self.name} → {self.department} ({self.priority})>"


class RouterModelRecord(Base):
    """A router model in force: the corrections it was fitted on (beside the shipped training
    split), its calibration, and the held-out figures it was accepted on. The newest one is used."""

    __tablename__ = "router_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    examples: Mapped[list] = mapped_column(JSON, default=list)   # [{"id", "text", "office"}]
    temperature: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    held_out: Mapped[int] = mapped_column(Integer, default=0)
    accuracy_before: Mapped[Optional[float]] = mapped_column(Float)
    accuracy_after: Mapped[Optional[float]] = mapped_column(Float)
    note: Mapped[Optional[str]] = mapped_column(Text)


DIFFICULTY = "difficulty"
INEFFECTIVE = "ineffective"
NO_RECEIVER = "no_receiver"
KIND_LABELS = {DIFFICULTY: "重大疑难问题报告单", INEFFECTIVE: "催办无效报告", NO_RECEIVER: "无人接收报告"}


class DirectorReport(Base):
    __tablename__ = "director_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))  # None: the system
    call_id: Mapped[Optional[int]] = mapped_column(ForeignKey("calls.id"))
    referral_id: Mapped[Optional[int]] = mapped_column(ForeignKey("referrals.id"))
    content: Mapped[str] = mapped_column(Text)
    handling: Mapped[Optional[str]] = mapped_column(Text)
    handled_at: Mapped[Optional[dt.datetime]] = mapped_column(UtcDateTime)
    handled_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    def __repr__(self) -> str:
        return f"<DirectorReport {self.id} {self.kind} handled={self.handled_at is not None}>"


class AnswerReview(Base):
    __tablename__ = "answer_reviews"

    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    verdict: Mapped[str] = mapped_column(String(10))                     # a key of VERDICTS
    note: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class OfficialCalendar(Base):
    __tablename__ = "official_calendars"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holidays: Mapped[list] = mapped_column(JSON, default=list)     # ISO dates off (放假), weekends included
    workdays: Mapped[list] = mapped_column(JSON, default=list)     # ISO dates on although Saturday or Sunday (调休)
    note: Mapped[str | None] = mapped_column(Text)                 # the notice: 国办发明电〔2026〕×号
    entered_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
