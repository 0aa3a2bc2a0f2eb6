"""Filtered, paged lists of documents and referrals (what the JSON API and tools page through).

Plain functions on a ``Session``; the referral list applies the same visibility rule as the
pages (``kb.hotline.referrals.can_view_referral``): hotline staff see every referral, a department user
only those sent to its department.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.core.errors import KbError
from kb.library.models import STATUSES, Document
from kb.core.permissions import Forbidden, department_of, role_of
from kb.hotline.referrals import DRAFT, STATES, Referral
from kb.accounts.users import ADMIN, AGENT, DEPARTMENT, DIRECTOR, POLICY

MAX_LIMIT = 200


class ListError(KbError):
    pass


@dataclass
class Page:
    total: int
    items: list
    limit: int
    offset: int


@dataclass
class DocumentFilter:
    status: str | None = None
    level: str | None = None
    tax_type: str | None = None
    title: str | None = None  # a part of the title
    limit: int = 50
    offset: int = 0


def _check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise ListError(f"limit 应在 1 到 {MAX_LIMIT} 之间")
    if offset < 0:
        raise ListError("offset 不能为负数")


def list_documents(session: Session, data: DocumentFilter) -> Page:
    """Documents matching ``data``, by level, title and date."""
    _check_page(data.limit, data.offset)
    if data.status and data.status not in STATUSES:
        raise ListError(f"状态“{data.status}”无效，应为 {'/'.join(STATUSES)}")
    query = select(Document)
    if data.status:
        query = query.where(Document.status == data.status)
    if data.level:
        query = query.where(Document.level == data.level)
    if data.title:
        query = query.where(Document.title.contains(data.title.strip(), autoescape=True))  # % and _ are text
    documents = list(session.scalars(query.order_by(Document.level, Document.title, Document.published_on,
                                                    Document.id)))
    if data.tax_type:  # a JSON list column: filtered here, the same on SQLite and PostgreSQL
        documents = [d for d in documents if data.tax_type in (d.tax_types or [])]
    return Page(total=len(documents), items=documents[data.offset:data.offset + data.limit],
                limit=data.limit, offset=data.offset)


@dataclass
class ReferralFilter:
    state: str | None = None
    limit: int = 50
    offset: int = 0


def list_referrals(session: Session, actor, data: ReferralFilter) -> Page:
    """The referrals ``actor`` may see, newest first."""
    _check_page(data.limit, data.offset)
    if data.state and data.state not in STATES:
        raise ListError(f"状态“{data.state}”无效，应为 {'/'.join(STATES)}")
    role = role_of(actor)
    query = select(Referral)
    if role == DEPARTMENT and department_of(actor):
        query = query.where(Referral.department == department_of(actor), Referral.state != DRAFT)
    elif role not in (AGENT, POLICY, DIRECTOR, ADMIN):
        raise Forbidden("无权查看转办单")
    if data.state:
        query = query.where(Referral.state == data.state)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = list(session.scalars(query.order_by(Referral.created_at.desc(), Referral.id.desc())
                                 .limit(data.limit).offset(data.offset)))
    return Page(total=total, items=items, limit=data.limit, offset=data.offset)
