"""The policy library's tables: documents, their units and the cross-references between them; and
``library_locks``
(``kb.library.import_lock``: one import of the library at a time)."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from kb.core.db import Base
from kb.core.timestamps import UtcDateTime, utc_now
from kb.library.statuses import (  # noqa: F401  validity statuses, re-exported
    CURRENT_STATUSES, IN_FORCE, PARTLY_REPEALED, REPEALED, REVISED, STATUSES,
)

LEVELS = ("法律", "行政法规", "部门规章", "规范性文件", "司法解释", "内部制度")

# Unit kinds.
ARTICLE = "article"        # 第X条 (and 第X条之一)
SECTION = "section"        # 一、二、 numbered sections of internal rules that have no 条
PREAMBLE = "preamble"      # text before the first article
TABLE_ROW = "table_row"    # one row of an attached table (印花税税目税率表)
ATTACHMENT = "attachment"  # an attachment's text, or a table title with no rows
UNIT_KINDS = (ARTICLE, SECTION, PREAMBLE, TABLE_ROW, ATTACHMENT)


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300), index=True)
    # The comparable form of the title (kb.library.titles.normalise_title): versions share it.
    title_key: Mapped[str] = mapped_column(String(300), index=True, default="")
    short_names: Mapped[list] = mapped_column(JSON, default=list)
    doc_number: Mapped[Optional[str]] = mapped_column(String(100))  # 文号
    issuer: Mapped[Optional[str]] = mapped_column(String(200))
    level: Mapped[Optional[str]] = mapped_column(String(50))
    published_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    effective_on: Mapped[Optional[dt.date]] = mapped_column(Date)
    expires_on: Mapped[Optional[dt.date]] = mapped_column(Date)  # repeal date, where known
    status: Mapped[str] = mapped_column(String(20), default=IN_FORCE)
    superseded_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )
    # The successor as named by a catalog or an operator, kept until it can be resolved.
    superseded_by_name: Mapped[Optional[str]] = mapped_column(String(300))
    tax_types: Mapped[list] = mapped_column(JSON, default=list)
    source_name: Mapped[str] = mapped_column(String(300), index=True)
    source_hash: Mapped[str] = mapped_column(String(64), index=True)
    source_format: Mapped[str] = mapped_column(String(20))
    history: Mapped[list] = mapped_column(JSON, default=list)  # adoption and revision lines
    # A code published in several files is stored as one document assembled from its parts:
    # [{"source": file name, "hash": sha256, "part": 总则}], in article order; empty otherwise.
    parts: Mapped[list] = mapped_column(JSON, default=list)
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    imported_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, server_default=func.now(), onupdate=utc_now)

    units: Mapped[list["Unit"]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Unit.seq"
    )
    superseded_by: Mapped[Optional["Document"]] = relationship(remote_side=[id])

    @validates("title")
    def _keep_title_key(self, _key: str, title: str) -> str:
        from kb.library.titles import normalise_title

        self.title_key = normalise_title(title)
        return title

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT_STATUSES

    @property
    def version_date(self) -> Optional[dt.date]:
        return self.published_on or self.effective_on

    def __repr__(self) -> str:
        return f"<Document {self.id} {self.title} {self.version_date} {self.status}>"


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(300))  # 第三十二条, 一、业务范围, 印花税税目税率表
    number: Mapped[Optional[int]] = mapped_column(Integer)  # 32 for 第三十二条
    sub_number: Mapped[Optional[int]] = mapped_column(Integer)  # 1 for 第十七条之一
    book: Mapped[Optional[str]] = mapped_column(String(200))  # 第一编 总则
    chapter: Mapped[Optional[str]] = mapped_column(String(200))  # 第一章 总则
    section: Mapped[Optional[str]] = mapped_column(String(200))  # 第一节 一般规定
    text: Mapped[str] = mapped_column(Text)
    # 款 and their 项: [{"text": "...", "items": [{"label": "（一）", "text": "..."}]}]
    paragraphs: Mapped[list] = mapped_column(JSON, default=list)
    # The part file the unit came from, when its document is assembled from parts (总则.md).
    source_name: Mapped[Optional[str]] = mapped_column(String(300))

    document: Mapped[Document] = relationship(back_populates="units")
    references: Mapped[list["Reference"]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", foreign_keys="Reference.unit_id"
    )

    def __repr__(self) -> str:
        return f"<Unit {self.id} {self.label}>"


class Reference(Base):
    """A cross-reference found in a unit's text: 《…》, 本法第X条, 前款."""

    __tablename__ = "references"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # document | article | paragraph
    mention: Mapped[str] = mapped_column(String(300))  # the text as written
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    target_title: Mapped[Optional[str]] = mapped_column(String(300))
    target_key: Mapped[Optional[str]] = mapped_column(String(300), index=True)  # normalised target_title
    target_document_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )
    target_label: Mapped[Optional[str]] = mapped_column(String(100))  # 第三十二条
    target_paragraph: Mapped[Optional[int]] = mapped_column(Integer)  # 1-based 款

    unit: Mapped[Unit] = relationship(back_populates="references", foreign_keys=[unit_id])

    @validates("target_title")
    def _keep_target_key(self, _key: str, title: str | None) -> str | None:
        from kb.library.titles import normalise_title

        self.target_key = normalise_title(title) if title else None
        return title


class LibraryLock(Base):
    __tablename__ = "library_locks"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    taken_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
