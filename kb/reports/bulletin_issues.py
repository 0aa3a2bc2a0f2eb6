"""An issue of the 《12366信息专报》 as the director sends it: the 加工提炼 and who receives it.

The 办法 has the centre "对其中有价值的信息进行加工和提炼，按月编发《12366信息专报》，为领导及有关部门
及时掌握相关信息、做出正确决策提供参考". The figures are computed (``kb.reports.bulletin``); the director adds:

- a commentary per section (``commentary``: section number -> text), the 加工提炼;
- for the section on callers' 意见建议 (``SUGGESTIONS_SECTION``), what became of each suggestion: the
  record says what it can (answered on the spot, put through, referred and answered…), the director
  adds the outcome (``outcomes``: call id -> text);
- the departments the issue is shared with (``shared_with``): their users may read that issue.

Callers' identities never appear: a suggestion is quoted by its question only.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.hotline.calls import ANSWERED, ESCALATED, REFERRED, TRANSFERRED
from kb.hotline.models import STATE_LABELS, Call, DirectorReport, Referral
from kb.core.departments import department_names
from kb.core.errors import KbError
from kb.core.periods import Period
from kb.core.permissions import Forbidden, role_of
from kb.accounts.roles import DIRECTOR
from kb.reports.models import BulletinIssue
from kb.core.timestamps import utc_now

SUGGESTIONS = "意见建议"
SUGGESTIONS_SECTION = "七、纳税人意见建议及办理情况"
SECTION_COUNT = 8  # the sections of kb.reports.bulletin.SECTIONS, each with its commentary
MAX_TEXT = 4000


class IssueError(KbError):
    pass


@dataclass
class Suggestion:
    call_id: int
    at: dt.datetime
    question: str
    handling: str          # what the records say became of it
    outcome: str | None    # the director's word on it


@dataclass
class Editorial:
    issue: BulletinIssue | None
    suggestions: list[Suggestion] = field(default_factory=list)

    def comment(self, section: int) -> str | None:
        return (self.issue.commentary or {}).get(str(section)) if self.issue else None

    @property
    def shared_with(self) -> list[str]:
        return list(self.issue.shared_with or []) if self.issue else []


def can_edit_issue(actor) -> bool:
    return role_of(actor) == DIRECTOR


def get_issue(session: Session, month: str) -> BulletinIssue | None:
    return session.get(BulletinIssue, month)


def _handling(call, referral, report) -> str:
    if call.disposition == ANSWERED:
        return f"当场答复：{call.answer}" if call.answer else "当场答复"
    if call.disposition == TRANSFERRED:
        return f"转接{call.transferred_to or '相关部门'}"
    if call.disposition == REFERRED:
        if referral is None:
            return "转办单未发出"
        text = f"转{referral.department or '（未定）'}办理，{STATE_LABELS.get(referral.state, referral.state)}"
        return text + (f"：{referral.answer}" if referral.answer else "")
    if call.disposition == ESCALATED:
        if report is not None and report.handling:
            return f"报中心主任：{report.handling}"
        return "报中心主任，待处理"
    return call.disposition


def suggestions(session: Session, period: Period, issue: BulletinIssue | None) -> list[Suggestion]:
    """The callers' 意见建议 of the period and what became of each."""
    calls = session.scalars(select(Call).where(
        Call.category == SUGGESTIONS, Call.created_at >= period.start, Call.created_at < period.end)
        .order_by(Call.created_at, Call.id)).all()
    ids = [c.id for c in calls]
    referrals = {r.call_id: r for r in session.scalars(select(Referral).where(Referral.call_id.in_(ids))
                                                        .order_by(Referral.id))} if ids else {}
    reports = {r.call_id: r for r in session.scalars(select(DirectorReport).where(DirectorReport.call_id.in_(ids)))} \
        if ids else {}
    outcomes = (issue.outcomes or {}) if issue else {}
    return [Suggestion(c.id, c.created_at, c.question, _handling(c, referrals.get(c.id), reports.get(c.id)),
                       outcomes.get(str(c.id))) for c in calls]


def build_editorial(session: Session, period: Period) -> Editorial:
    issue = get_issue(session, period.key)
    return Editorial(issue, suggestions(session, period, issue))


def _issue(session: Session, month: str) -> BulletinIssue:
    issue = get_issue(session, month)
    if issue is None:
        issue = BulletinIssue(month=month, commentary={}, outcomes={}, shared_with=[])
        session.add(issue)
    return issue


def _text(value, label: str) -> str | None:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        raise IssueError(f"{label}不能超过 {MAX_TEXT} 字")
    return text or None


def save_editorial(session: Session, actor, data: dict) -> BulletinIssue:
    """``{"period", "commentary": {section number: text}, "outcomes": {call id: text}, "at"?}``."""
    if not can_edit_issue(actor):
        raise Forbidden("只有中心主任可以编辑信息专报")
    period: Period = data["period"]
    known = {s.call_id for s in suggestions(session, period, None)}
    commentary = {}
    for key, value in (data.get("commentary") or {}).items():
        if not str(key).isdigit() or not 1 <= int(key) <= SECTION_COUNT:
            raise IssueError(f"专报没有第 {key} 部分")
        text = _text(value, "点评")
        if text:
            commentary[str(int(key))] = text
    outcomes = {}
    for key, value in (data.get("outcomes") or {}).items():
        if not str(key).isdigit() or int(key) not in known:
            raise IssueError(f"来电 {key} 不是本期的意见建议")
        text = _text(value, "办理情况")
        if text:
            outcomes[str(int(key))] = text
    issue = _issue(session, period.key)
    issue.commentary, issue.outcomes = commentary, outcomes
    issue.updated_at, issue.updated_by_id = data.get("at") or utc_now(), actor.id
    session.flush()
    return issue


def share_issue(session: Session, actor, data: dict) -> BulletinIssue:
    """``{"period", "departments": [names], "at"?}``: who receives the issue (replaces the list)."""
    if not can_edit_issue(actor):
        raise Forbidden("只有中心主任可以报送信息专报")
    period: Period = data["period"]
    known = department_names(session)
    chosen = []
    for name in data.get("departments") or []:
        name = (name or "").strip()
        if not name:
            continue
        if name not in known:
            raise IssueError(f"“{name}”不是部门名称")
        if name not in chosen:
            chosen.append(name)
    issue = _issue(session, period.key)
    issue.shared_with = chosen
    issue.shared_at = (data.get("at") or utc_now()) if chosen else None
    session.flush()
    return issue


def issues_shared_with(session: Session, department: str | None) -> list[BulletinIssue]:
    if not department:
        return []
    rows = session.scalars(select(BulletinIssue).where(BulletinIssue.shared_at.is_not(None))
                           .order_by(BulletinIssue.month.desc())).all()
    return [row for row in rows if department in (row.shared_with or [])]
