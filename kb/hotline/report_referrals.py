"""A 重大疑难问题报告单 passed by the director to a department, and followed like a referral.

The 工作细则 has the agent report a major or difficult question to the director, "由12366服务中心主任
酌情处理"; one way is to pass it to the department that can answer. ``pass_report`` writes a 转办单
from the report (the caller from its call record, or as the director gives it), sends it at once, and
records on the report that it was passed: from then on the referral has its due time, the 催办 and
the 催办无效报告 of every referral (``kb.hotline.referrals``, ``kb.hotline.reminders``), followed up by the director.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from kb.core.db import get_or_not_found
from kb.hotline.models import DIFFICULTY, DirectorReport, Referral
from kb.hotline.director_reports import ReportError, can_handle_reports
from kb.core.permissions import Forbidden
from kb.hotline.referrals import NewReferral, open_referral, send_referral
from kb.core.timestamps import beijing_now, to_beijing


def pass_report(session: Session, actor, data: dict) -> Referral:
    """``{"report_id", "department", "caller_name"?, "caller_contact"?, "at"?}``: the report's referral, sent."""
    if not can_handle_reports(actor):
        raise Forbidden("只有中心主任可以将报告单转部门办理")
    report = get_or_not_found(session, DirectorReport, data.get("report_id"), "报告")
    if report.kind != DIFFICULTY:
        raise ReportError("只有重大疑难问题报告单可以转部门办理")
    if report.handled_at is not None:
        raise ReportError(f"报告 {report.id} 已处理" + (f"，已转办（转办单 {report.referral_id}）" if report.referral_id else ""))
    department = (data.get("department") or "").strip()
    if not department:
        raise ReportError("请选择承办部门")
    at = data.get("at") or beijing_now()
    referral = open_referral(session, actor, NewReferral(
        caller_name=data.get("caller_name") or "", caller_contact=data.get("caller_contact") or "",
        question=report.content, call_id=report.call_id, department=department, at=at))
    send_referral(session, actor, {"referral_id": referral.id, "at": at})
    report.referral_id = referral.id
    report.handling = f"转{referral.department}办理（转办单 {referral.id}），答复期限 {to_beijing(referral.due_at):%Y-%m-%d %H:%M}"
    report.handled_at, report.handled_by_id = at, actor.id
    session.flush()
    return referral
