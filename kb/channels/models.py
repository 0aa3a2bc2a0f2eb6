"""The channels' tables: 业务辅导 requests (``CoachingRequest``), 专题答疑 campaigns (``Campaign``), and the
语音服务 (self-service voice menu): the key tree, its announcements, their versions, the FAQ entries
each rests on, and the recordings agents make of them.

An announcement hangs on a node of the tree (按键 → topic) or, with no node, is a 语音信箱 greeting.
``VoiceFaqLink.faq_version`` is the FAQ entry's version when the announcement's wording was last
written or confirmed: when the entry moves on (edited, flagged 需复核 because an article it cites
changed, retired), the announcement needs review (``kb.channels.voice_menu.announcement_problems``).
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Optional

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.core.db import Base
from kb.core.workdays import deadline_status
from kb.faq.models import FaqEntry
from kb.core.timestamps import UtcDateTime, to_beijing, utc_now

MENU = "menu"
GREETING = "greeting"  # 语音信箱
KINDS = (MENU, GREETING)
KIND_LABELS = {MENU: "菜单播报", GREETING: "语音信箱提示"}


class VoiceMenuNode(Base):
    """One key of the menu: ``key`` pressed under ``parent`` leads to ``title`` (the topic)."""

    __tablename__ = "voice_menu_nodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("voice_menu_nodes.id"), index=True)
    key: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    parent: Mapped[Optional["VoiceMenuNode"]] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["VoiceMenuNode"]] = relationship(back_populates="parent", order_by="VoiceMenuNode.key")
    announcements: Mapped[list["VoiceAnnouncement"]] = relationship(
        back_populates="node", order_by="VoiceAnnouncement.id")

    @property
    def keys(self) -> str:
        """The keys pressed from the top of the menu: ``1-2``."""
        path, node = [], self
        while node is not None:
            path.append(node.key)
            node = node.parent
        return "-".join(reversed(path))


class VoiceAnnouncement(Base):
    __tablename__ = "voice_announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    node_id: Mapped[Optional[int]] = mapped_column(ForeignKey("voice_menu_nodes.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=MENU)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[Optional[dt.date]] = mapped_column(Date)  # plays from (None: always)
    ends_on: Mapped[Optional[dt.date]] = mapped_column(Date)    # plays until, inclusive
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    node: Mapped[Optional[VoiceMenuNode]] = relationship(back_populates="announcements")
    faq_links: Mapped[list["VoiceFaqLink"]] = relationship(
        back_populates="announcement", cascade="all, delete-orphan", order_by="VoiceFaqLink.position")
    versions: Mapped[list["VoiceAnnouncementVersion"]] = relationship(
        back_populates="announcement", cascade="all, delete-orphan", order_by="VoiceAnnouncementVersion.number")
    recordings: Mapped[list["VoiceRecording"]] = relationship(
        back_populates="announcement", cascade="all, delete-orphan", order_by="VoiceRecording.id")

    @property
    def faq_ids(self) -> list[int]:
        return [link.faq_entry_id for link in self.faq_links]

    @property
    def keys(self) -> str:
        return self.node.keys if self.node is not None else ""


class VoiceFaqLink(Base):
    __tablename__ = "voice_faq_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("voice_announcements.id", ondelete="CASCADE"), index=True)
    faq_entry_id: Mapped[int] = mapped_column(ForeignKey("faq_entries.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    faq_version: Mapped[int] = mapped_column(Integer)  # the entry's version when the wording was confirmed

    announcement: Mapped[VoiceAnnouncement] = relationship(back_populates="faq_links")
    entry: Mapped[FaqEntry] = relationship()


class VoiceAnnouncementVersion(Base):
    """One change: who, when, which fields, and the announcement as it then stood."""

    __tablename__ = "voice_announcement_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("voice_announcements.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))  # created, edited, reviewed, removed
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    changed_fields: Mapped[list] = mapped_column(JSON, default=list)
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    note: Mapped[Optional[str]] = mapped_column(String(1000))

    announcement: Mapped[VoiceAnnouncement] = relationship(back_populates="versions")


class VoiceRecording(Base):
    """A recording of one version of an announcement's text (WAV or MP3, checked by content)."""

    __tablename__ = "voice_recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("voice_announcements.id", ondelete="CASCADE"), index=True)
    announcement_version: Mapped[int] = mapped_column(Integer)
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_by_name: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    filename: Mapped[str] = mapped_column(String(300))
    format: Mapped[str] = mapped_column(String(10))  # wav | mp3
    size_bytes: Mapped[int] = mapped_column(Integer)
    duration_seconds: Mapped[float] = mapped_column(Float)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    announcement: Mapped[VoiceAnnouncement] = relationship(back_populates="recordings")

    @property
    def mimetype(self) -> str:
        return "audio/mpeg" if self.format == "mp3" else "audio/wav"


SENT, ANSWERED, RETURNED = "sent", "answered", "returned"
STATE_LABELS = {SENT: "待部门辅导", ANSWERED: "已辅导", RETURNED: "已退回"}


class CoachingRequest(Base):
    __tablename__ = "coaching_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    asked_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    asked_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    asked_by_name: Mapped[str] = mapped_column(String(100))
    question: Mapped[str] = mapped_column(Text)
    tax_type: Mapped[Optional[str]] = mapped_column(String(30))
    department: Mapped[str] = mapped_column(String(100), index=True)
    state: Mapped[str] = mapped_column(String(20), default=SENT, index=True)
    sent_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    answer: Mapped[Optional[str]] = mapped_column(Text)
    answer_citations: Mapped[list] = mapped_column(JSON, default=list)
    answered_at: Mapped[Optional[dt.datetime]] = mapped_column(UtcDateTime, index=True)
    answered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_by_name: Mapped[Optional[str]] = mapped_column(String(100))
    return_reason: Mapped[Optional[str]] = mapped_column(Text)
    faq_entry_id: Mapped[Optional[int]] = mapped_column(ForeignKey("faq_entries.id", ondelete="SET NULL"))
    faq_left_out: Mapped[list] = mapped_column(JSON, default=list)  # citations the draft could not take

    faq_entry: Mapped[Optional[FaqEntry]] = relationship()

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    def deadline_status(self, now: dt.datetime) -> str | None:
        return deadline_status(self.due_at, now) if self.state == SENT else None

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.state == SENT and now > self.due_at


_SPACES = re.compile(r"\s+")


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(Text, default="")  # what the campaign explains, for agents
    keywords: Mapped[list] = mapped_column(JSON, default=list)  # the words callers use for the topic
    starts_on: Mapped[dt.date] = mapped_column(Date, index=True)
    ends_on: Mapped[dt.date] = mapped_column(Date, index=True)
    opens_at: Mapped[str] = mapped_column(String(5), default="09:00")  # Beijing time, HH:MM
    closes_at: Mapped[str] = mapped_column(String(5), default="17:00")
    departments: Mapped[list] = mapped_column(JSON, default=list)
    experts: Mapped[list] = mapped_column(JSON, default=list)  # "姓名（处室）" on duty; staff, never shown publicly
    faq_ids: Mapped[list] = mapped_column(JSON, default=list)
    document_ids: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)

    @property
    def hours(self) -> str:
        return f"{self.opens_at}-{self.closes_at}"

    @property
    def match_words(self) -> list[str]:
        """The words that make a question this campaign's: its keywords, else its title."""
        return [_normal(w) for w in (self.keywords or [self.title]) if _normal(w)]

    def runs_at(self, moment: dt.datetime) -> bool:
        """Whether ``moment`` falls on its dates and within its hours, on Beijing's calendar and clock."""
        moment = to_beijing(moment)
        clock = moment.strftime("%H:%M")
        return self.starts_on <= moment.date() <= self.ends_on and self.opens_at <= clock < self.closes_at

    def __repr__(self) -> str:
        return f"<Campaign {self.id} {self.title} {self.starts_on}~{self.ends_on}>"


def _normal(text: str | None) -> str:
    return _SPACES.sub("", text or "").lower()
