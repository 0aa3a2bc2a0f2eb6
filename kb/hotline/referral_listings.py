"""Filtered, paged lists of referrals (what the JSON API and tools page through).

The list applies the same visibility rule as the pages (``kb.hotline.referrals.can_view_referral``):
hotline staff see every referral, a department user only those sent to its department.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.accounts.roles import ADMIN, AGENT, DEPARTMENT, DIRECTOR, POLICY
from kb.core.paging import ListError, Page, check_page
from kb.core.permissions import Forbidden, department_of, role_of
from kb.hotline.models import DRAFT, STATES, Referral


@dataclass
class ReferralFilter:
    state: str | None = None
    limit: int = 50
    offset: int = 0


def list_referrals(session: Session, actor, data: ReferralFilter) -> Page:
    """The referrals ``actor`` may see, newest first."""
    check_page(data.limit, data.offset)
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
