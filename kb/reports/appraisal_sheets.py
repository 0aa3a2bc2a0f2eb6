"""What the appraisal sheet records by hand, month by month: the director's entries (``MANUAL``) and
scores, the agent's self-score by the 6th, the month's statistics handed in, the 一票否决, the agent's
written report after two 较差, and ``publish_month``, which freezes the centre's scores, the rating and the
pay sheet (the sheet's rules: ``kb.reports.appraisal``)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.reports.appraisal import (
    ITEM_BY_CODE, MANUAL_BY_KEY, Appraisal, AppraisalError, appraise_all, can_manage_appraisal,
)
from kb.reports.models import AppraisalSheet
from kb.core.periods import Period, parse_month
from kb.core.timestamps import utc_now
from kb.core.permissions import Forbidden, role_of
from kb.accounts.models import User
from kb.accounts.roles import AGENT



def _sheet(session: Session, agent_id: int, month: str) -> AppraisalSheet:
    sheet = session.scalars(select(AppraisalSheet).where(
        AppraisalSheet.agent_id == agent_id, AppraisalSheet.month == month)).first()
    if sheet is None:
        agent = session.get(User, agent_id)
        if agent is None or agent.role != AGENT:
            raise AppraisalError(f"用户 {agent_id} 不是咨询服务员")
        sheet = AppraisalSheet(agent_id=agent_id, month=month, inputs={}, centre_scores={}, self_scores={},
                               published_scores={})
        session.add(sheet)
        session.flush()
    return sheet


def _scores(values: dict, ceilings: dict[str, float], who: str) -> dict[str, float]:
    scores = {}
    for code, value in (values or {}).items():
        if code not in ITEM_BY_CODE or value is None or str(value).strip() == "":
            continue
        name = ITEM_BY_CODE[code].name
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise AppraisalError(f"“{name}”的分数“{value}”不是数字") from None
        if not number >= 0:
            raise AppraisalError(f"“{name}”的分数不能为负数")
        if number > ceilings[code]:
            raise AppraisalError(f"“{name}”的{who}{number:g}分超过该项分值{ceilings[code]:g}分（含已登记的加分），"
                                 "未登记的加分请在说明中写明")
        scores[code] = number
    return scores


def _ceilings(session: Session, agent: User, month: str, at: dt.datetime) -> dict[str, float]:
    appraisal = appraise_all(session, parse_month(month), at, [agent], with_history=False)[0]
    return {i.item.code: i.ceiling for i in appraisal.items}


def _open_sheet(session: Session, agent_id: int, month: str, what: str) -> AppraisalSheet:
    sheet = _sheet(session, agent_id, month)
    if sheet.published_at is not None:
        raise AppraisalError(f"{month} 的考核结果已公布，{what}")
    return sheet


def save_centre_entries(session: Session, actor, data: dict) -> AppraisalSheet:
    """The director's entries: ``{"agent_id", "month", "inputs", "centre_scores", "note", "at"?}``."""
    if not can_manage_appraisal(actor):
        raise Forbidden("只有中心主任可以评定考核")
    sheet = _open_sheet(session, data["agent_id"], data["month"], "不能再修改")
    at = data.get("at") or utc_now()
    inputs = {}
    for key, value in (data.get("inputs") or {}).items():
        if key not in MANUAL_BY_KEY or value is None or str(value).strip() == "":
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise AppraisalError(f"“{MANUAL_BY_KEY[key].label}”应填数字") from None
        if not number >= 0:
            raise AppraisalError(f"“{MANUAL_BY_KEY[key].label}”不能为负数")
        inputs[key] = number
    sheet.inputs = inputs
    session.flush()   # the ceilings count the bonuses just entered
    sheet.centre_scores = _scores(data.get("centre_scores"), _ceilings(session, session.get(User, sheet.agent_id), sheet.month, at),
                                  "中心评分")
    sheet.centre_note = (data.get("note") or "").strip() or None
    sheet.updated_at, sheet.updated_by_id = at, actor.id
    session.flush()
    return sheet


def save_self_score(session: Session, actor, data: dict) -> AppraisalSheet:
    """The agent's own score: ``{"month", "scores", "note", "at"?}``. Due by the 6th of the next month
    (休息天顺延); a later one is kept and recorded as late (``LATE_SELF_SCORE``)."""
    if role_of(actor) != AGENT:
        raise Forbidden("只有咨询服务员本人可以自评")
    sheet = _open_sheet(session, actor.id, data["month"], "不能再自评")
    at = data.get("at") or utc_now()
    sheet.self_scores = _scores(data.get("scores"), _ceilings(session, actor, sheet.month, at), "自评")
    sheet.self_note = (data.get("note") or "").strip() or None
    sheet.self_scored_at = at
    session.flush()
    return sheet


def record_summary(session: Session, actor, data: dict) -> AppraisalSheet:
    """The month's statistics handed in: ``{"agent_id"?, "month", "at"}``. The agent hands in their own
    (``at`` is now); the director records a hand-in on paper with its date. After the 5th of the next
    month (休息天顺延) it costs points in both schemes, automatically."""
    if can_manage_appraisal(actor):
        agent_id = data.get("agent_id")
    elif role_of(actor) == AGENT:
        agent_id = actor.id
    else:
        raise Forbidden("只有咨询服务员本人或中心主任可以登记月汇总上交")
    period = parse_month(data["month"])
    at = data.get("at") or utc_now()
    if at < period.end:
        raise AppraisalError(f"{period.label}的月汇总须在月末之后上交")
    sheet = _open_sheet(session, agent_id, period.key, "不能再登记")
    sheet.summary_handed_at = at
    session.flush()
    return sheet


def submit_report(session: Session, actor, data: dict) -> AppraisalSheet:
    """The agent's written report after two 较差 in a row: ``{"month", "causes", "remedies", "at"?}``."""
    if role_of(actor) != AGENT:
        raise Forbidden("只有咨询服务员本人可以提交书面报告")
    causes, remedies = (data.get("causes") or "").strip(), (data.get("remedies") or "").strip()
    if not causes or not remedies:
        raise AppraisalError("书面报告须写明原因分析和改进措施")
    sheet = _sheet(session, actor.id, data["month"])
    sheet.report_causes, sheet.report_remedies = causes, remedies
    sheet.report_at = data.get("at") or utc_now()
    session.flush()
    return sheet


def set_veto(session: Session, actor, data: dict) -> AppraisalSheet:
    """一票否决 for a serious case: ``{"agent_id", "month", "reason"}`` (an empty reason lifts it)."""
    if not can_manage_appraisal(actor):
        raise Forbidden("只有中心主任可以实行一票否决")
    sheet = _open_sheet(session, data["agent_id"], data["month"], "不能再修改")
    sheet.veto_reason = (data.get("reason") or "").strip() or None
    session.flush()
    return sheet


def publish_month(session: Session, actor, data: dict) -> list[Appraisal]:
    """Publish the month: ``{"period", "now"}``; each agent's centre scores, rating, flags and 绩效工资
    sheet are frozen on the sheet."""
    if not can_manage_appraisal(actor):
        raise Forbidden("只有中心主任可以公布考核结果")
    period: Period = data["period"]
    now = data["now"]
    if now < period.end:
        raise AppraisalError(f"{period.label}尚未结束，不能公布")
    appraisals = appraise_all(session, period, now)
    for appraisal in appraisals:
        sheet = appraisal.sheet or _sheet(session, appraisal.agent.id, period.key)
        if sheet.published_at is not None:
            continue
        appraisal.sheet = sheet
        rating, flags = appraisal.rating, appraisal.flags
        sheet.published_scores = {i.item.code: i.centre for i in appraisal.items}
        sheet.published_total = appraisal.centre_total
        sheet.published_rating, sheet.published_flags = rating, flags
        sheet.published_pay = appraisal.pay.frozen()
        sheet.published_at = now
        appraisal.pay.sheet = sheet
        for item in appraisal.items:
            item.published = sheet.published_scores[item.item.code]
    session.flush()
    return appraisals
