"""The tables of the 语音服务 (self-service voice menu): the key tree, its announcements, their
versions, the FAQ entries each rests on, and the recordings agents make of them.

An announcement hangs on a node of the tree (按键 → topic) or, with no node, is a 语音信箱 greeting.
``VoiceFaqLink.faq_version`` is the FAQ entry's version when the announcement's wording was last
written or confirmed: when the entry moves on (edited, flagged 需复核 because an article it cites
changed, retired), the announcement needs review (``kb.channels.voice_menu.announcement_problems``).
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.core.db import Base
from kb.core.timestamps import UtcDateTime
from kb.faq.models import FaqEntry

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
