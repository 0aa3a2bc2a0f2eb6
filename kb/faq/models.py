"""The FAQ tables: entries, the library units they cite, and every version of each entry.

A citation keeps the cited unit's id *and* a stable reference (source file name, unit label,
ordinal among units sharing that label) so it survives a reindex and can be re-linked after the
cited file is imported again.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.core.db import Base
from kb.core.timestamps import UtcDateTime, utc_now
from kb.library.models import Document, Unit

# Lifecycle: draft → in_review → published → retired.
DRAFT = "draft"
IN_REVIEW = "in_review"
PUBLISHED = "published"
RETIRED = "retired"
STATUSES = (DRAFT, IN_REVIEW, PUBLISHED, RETIRED)
STATUS_LABELS = {DRAFT: "草稿", IN_REVIEW: "待审核", PUBLISHED: "已发布", RETIRED: "已停用"}

NEEDS_REVIEW_LABEL = "需复核"
NEEDS_REVIEW_WARNING = "本条问答引用的法律依据已变更，需复核，答复前请核对现行条文"


class FaqEntry(Base):
    __tablename__ = "faq_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(String(500), index=True)
    phrasings: Mapped[list] = mapped_column(JSON, default=list)  # other ways callers ask it
    answer: Mapped[str] = mapped_column(Text, default="")  # Markdown; see kb.faq.operations.render_answer
    tax_types: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)
    owner_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    review_by: Mapped[Optional[dt.date]] = mapped_column(Date)
    # 需复核: set when a cited document is repealed or superseded, cleared by a review.
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    review_reason: Mapped[Optional[str]] = mapped_column(String(1000))
    flagged_at: Mapped[Optional[dt.datetime]] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer, default=0)
    shown_count: Mapped[int] = mapped_column(Integer, default=0)
    copied_count: Mapped[int] = mapped_column(Integer, default=0)
    helpful_count: Mapped[int] = mapped_column(Integer, default=0)
    not_helpful_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)
    published_at: Mapped[Optional[dt.datetime]] = mapped_column(UtcDateTime)

    citations: Mapped[list["FaqCitation"]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="FaqCitation.position"
    )
    versions: Mapped[list["FaqVersion"]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="FaqVersion.number"
    )

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def warning(self) -> str | None:
        """What agents see on the answer card while the entry awaits review."""
        return NEEDS_REVIEW_WARNING if self.needs_review else None

    def __repr__(self) -> str:
        return f"<FaqEntry {self.id} {self.question[:20]} {self.status}>"


class FaqCitation(Base):
    __tablename__ = "faq_citations"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("faq_entries.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    document_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )
    # The stable reference: file name, unit label and which of the units with that label (1-based).
    source_name: Mapped[str] = mapped_column(String(300), index=True)
    unit_label: Mapped[str] = mapped_column(String(300))
    label_ordinal: Mapped[int] = mapped_column(Integer, default=1)
    paragraph: Mapped[Optional[int]] = mapped_column(Integer)  # 1-based 款, where the citation names one
    citation_text: Mapped[str] = mapped_column(String(600))  # 《…》第X条, as shown to agents
    text_hash: Mapped[Optional[str]] = mapped_column(String(64))  # the unit's text when cited

    entry: Mapped[FaqEntry] = relationship(back_populates="citations")
    unit: Mapped[Optional[Unit]] = relationship()
    document: Mapped[Optional[Document]] = relationship()

    @property
    def reference(self) -> str:
        """The stable reference as written in exports: ``file.md#label`` (``#label[n]`` when shared)."""
        suffix = f"[{self.label_ordinal}]" if self.label_ordinal > 1 else ""
        return f"{self.source_name}#{self.unit_label}{suffix}"

    @property
    def in_force(self) -> bool:
        return self.unit is not None and self.unit.document.is_current


class FaqVersion(Base):
    """One change to an entry: who, when, what (a snapshot) and a text diff from the previous one."""

    __tablename__ = "faq_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("faq_entries.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(30))  # created, edited, submitted, published, flagged, …
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)
    changed_fields: Mapped[list] = mapped_column(JSON, default=list)
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    diff: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[Optional[str]] = mapped_column(String(1000))

    entry: Mapped[FaqEntry] = relationship(back_populates="versions")
