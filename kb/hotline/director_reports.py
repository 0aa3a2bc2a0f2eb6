"""Reports to the 12366 centre's director, with the director's handling recorded.

- 重大疑难问题报告单 (``DIFFICULTY``): an agent meets a major or difficult question and reports it
  straight to the director (工作细则 四、2(3)), who records how it was handled.
- 催办无效报告 (``INEFFECTIVE``): written by ``kb.hotline.reminders`` when a referral is still unanswered
  after its second 催办. It names the referral, never the caller (reports are always redacted).
- 无人接收报告 (``NO_RECEIVER``): written when a referral is sent to a department without an
  active user (its inbox would stay unread and 催办 would reach nobody).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.hotline.calls import ESCALATED, NewCall, get_call_for_use, record_call
from kb.hotline.models import DIFFICULTY, INEFFECTIVE, NO_RECEIVER, Call, DirectorReport
from kb.core.db import get_or_not_found
from kb.core.errors import KbError
from kb.core.permissions import Forbidden, role_of
from kb.accounts.roles import AGENT, DIRECTOR
from kb.core.timestamps import beijing_now, to_beijing


class ReportError(KbError):
    pass


@dataclass
class NewDifficultyReport:
    content: str
    call_id: int | None = None
    at: dt.datetime | None = None


def can_report_difficulty(actor) -> bool:
    return role_of(actor) in (AGENT, DIRECTOR)


def can_handle_reports(actor) -> bool:
    return role_of(actor) == DIRECTOR


def report_difficulty(session: Session, actor, data: NewDifficultyReport) -> DirectorReport:
    if not can_report_difficulty(actor):
        raise Forbidden("只有咨询服务员可以填写重大疑难问题报告单")
    content = (data.content or "").strip()
    if not content:
        raise ReportError("请写明重大、疑难问题的内容")
    call = get_call_for_use(session, actor, data.call_id) if data.call_id else None
    if call is not None:
        call.disposition = ESCALATED
    report = DirectorReport(kind=DIFFICULTY, created_at=data.at or beijing_now(), created_by_id=actor.id,
                            call_id=call.id if call else None, content=content)
    session.add(report)
    session.flush()
    return report


def write_ineffective_report(session: Session, referral, at: dt.datetime) -> DirectorReport:
    """The system's 催办无效报告 for ``referral`` (no caller identity in it)."""
    content = (f"转办单 {referral.id}（{referral.category}，承办部门：{referral.department}）"
               f"已于 {to_beijing(referral.sent_at):%Y-%m-%d %H:%M} 转办，答复期限 {to_beijing(referral.due_at):%Y-%m-%d %H:%M}，"
               f"经 {referral.reminder_count} 次催办仍未答复，请中心主任协调处理。")
    report = DirectorReport(kind=INEFFECTIVE, created_at=at, referral_id=referral.id,
                            call_id=referral.call_id, content=content)
    session.add(report)
    session.flush()
    return report


def write_no_receiver_report(session: Session, referral, at: dt.datetime) -> DirectorReport:
    """The system's report that ``referral`` went to a department with no active user (no caller in it)."""
    content = (f"转办单 {referral.id}（{referral.category}）于 {to_beijing(at):%Y-%m-%d %H:%M} 转{referral.department}，"
               f"该部门没有在岗的系统用户，无人接收，催办也无人可达；请中心主任指定承办人或改派部门。")
    report = DirectorReport(kind=NO_RECEIVER, created_at=at, referral_id=referral.id,
                            call_id=referral.call_id, content=content)
    session.add(report)
    session.flush()
    return report


def handle_report(session: Session, actor, data: dict) -> DirectorReport:
    """The director records the handling: ``{"report_id", "handling", "at"?}``."""
    if not can_handle_reports(actor):
        raise Forbidden("只有中心主任可以处理报告")
    report = get_or_not_found(session, DirectorReport, data["report_id"], "报告")
    handling = (data.get("handling") or "").strip()
    if not handling:
        raise ReportError("请填写处理意见")
    report.handling, report.handled_at, report.handled_by_id = handling, data.get("at") or beijing_now(), actor.id
    session.flush()
    return report


def open_reports(session: Session, actor) -> list[DirectorReport]:
    if not can_handle_reports(actor):
        raise Forbidden("只有中心主任可以查看报告")
    return list(session.scalars(
        select(DirectorReport).where(DirectorReport.handled_at.is_(None)).order_by(DirectorReport.id)
    ))


def record_escalated_call(session: Session, actor, data: NewCall) -> DirectorReport:
    """A call met a major or difficult question: record it (重大疑难上报) and report it to the director."""
    if not can_report_difficulty(actor):
        raise Forbidden("只有咨询服务员可以填写重大疑难问题报告单")
    call: Call = record_call(session, actor, NewCall(**{**data.__dict__, "disposition": ESCALATED}))
    return report_difficulty(session, actor, NewDifficultyReport(content=call.question, call_id=call.id, at=data.at))


def list_reports(session: Session, actor) -> list[DirectorReport]:
    """Every report, unhandled first, newest first."""
    if not can_handle_reports(actor):
        raise Forbidden("只有中心主任可以查看报告")
    return list(session.scalars(
        select(DirectorReport).order_by(DirectorReport.handled_at.is_not(None), DirectorReport.id.desc())
    ))
