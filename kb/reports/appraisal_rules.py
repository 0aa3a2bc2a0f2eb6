"""The amounts of the two appraisal schemes, as versioned data the director can see and change.

- ``PAY`` — 绩效工资考核制度: decides pay, 100 points a month, ±5 yuan a point (``kb.reports.pay``);
- ``TARGET`` — 目标责任制考核表: 7 items, 自评 and 中心评分, the rating that feeds contract renewal
  (``kb.reports.appraisal``).

Each scheme's amounts are a flat mapping ``key -> number`` declared here once (``PARAMS``), with the
values the rules write (成都市国家税务局，2005年6月) as the first version. The director adds a version
that applies from a month on (``set_rules``); a month uses the latest version in force for it
(``rules_for``). A version can only start after the last published month, so a change of rule never
reaches a month already published.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.reports.models import AppraisalRuleSet, AppraisalSheet
from kb.core.errors import KbError
from kb.core.periods import PeriodError, parse_month
from kb.core.permissions import Forbidden, role_of
from kb.accounts.roles import DIRECTOR
from kb.core.workdays import first_working_day_from
from kb.core.timestamps import utc_now

PAY, TARGET = "pay", "target"
SCHEME_NAMES = {PAY: "绩效工资考核制度", TARGET: "目标责任制考核表"}
FIRST_MONTH = "2005-06"   # the rules' date: 二OO五年六月十日

DEDUCTION, BONUS, SETTING = -1, 1, 0   # the sign an amount must keep


@dataclass(frozen=True)
class Param:
    key: str
    label: str
    default: float
    kind: int = DEDUCTION


PAY_PARAMS = (
    Param("base", "月末得分基准（分）", 100, SETTING),
    Param("yuan_per_point", "每正负一分奖罚（元）", 5, SETTING),
    Param("late", "迟到、早退、擅自脱岗（半小时内）每次", -2),
    Param("late_limit_minutes", "迟到、早退、脱岗按事假或旷工论处的界限（分钟）", 30, SETTING),
    Param("beyond_limit_leave_days", "超过界限并有请假手续的，每次按事假计（天）", 0.5, SETTING),
    Param("absent", "旷工每次", -20),
    Param("dismissal_absences", "旷工累计次数达此数予以辞退", 2, SETTING),
    Param("personal_leave", "事假每天", -12),
    Param("sick_leave", "病假每天", -5),
    Param("summary_day", "月统计上交截止日（次月几日，休息天顺延）", 5, SETTING),
    Param("late_summary", "月统计未按时上交", -4),
    Param("complaint", "被投诉查实一次", -4),
    Param("private_use", "因私事占用热线或无故搁机一次", -10),
    Param("praise_letter", "纳税人来信表扬一次", 4, BONUS),
    Param("media_praise", "新闻媒体表扬或收到锦旗一次", 10, BONUS),
    Param("late_form", "未及时发转办单、重大疑难问题报告单、催办无效报告单一次", -2),
    Param("late_filing", "办结后未及时归档整理一次", -2),
    Param("info_endorsed", "信息提交领导参阅并批示认可一次", 4, BONUS),
    Param("suggestion", "合理化建议、意见被采用一项", 4, BONUS),
    Param("rule_breach", "不遵守规章制度一次", -4),
)

TARGET_PARAMS = (
    Param("item_quality", "受话质量（分值）", 15, SETTING),
    Param("item_ledger", "台帐登记（分值）", 15, SETTING),
    Param("item_referrals", "转办催办情况（分值）", 15, SETTING),
    Param("item_attitude", "工作态度（分值）", 25, SETTING),
    Param("item_attendance", "岗位考勤（分值）", 15, SETTING),
    Param("item_discipline", "遵守制度（分值）", 15, SETTING),
    Param("item_information", "提供信息（分值，只加分）", 0, SETTING),
    Param("ledger_entry", "登记内容不规范一次", -3),
    Param("late_summary", "月汇总无故延时上交", -5),
    Param("late_form", "未及时发转办单、重大疑难问题报告单、催办无效报告单一次", -2),
    Param("feedback_late", "部门答复后未及时回访反馈一次", -2),
    Param("late_filing", "办结后未及时归档整理一次", -2),
    Param("complaint", "被投诉查实一次", -5),
    Param("private_use", "因私事占用热线或无故搁机一次", -10),
    Param("praise_letter", "纳税人来信表扬一次", 5, BONUS),
    Param("media_praise", "新闻媒体表扬或收到锦旗一次", 10, BONUS),
    Param("attendance_breach", "未遵守考勤规定一次", -3),
    Param("rule_breach", "不遵守其他制度规定一次", -4),
    Param("info_submitted", "信息提交领导参阅一次", 5, BONUS),
    Param("info_endorsed", "信息被领导批示一次", 5, BONUS),
    Param("suggestion", "合理化建议、意见被采用一项", 5, BONUS),
    Param("faq_adopted", "提供的信息被采纳为FAQ一条", 5, BONUS),
    Param("self_score_day", "自评截止日（次月几日，休息天顺延）", 6, SETTING),
    Param("poor_below", "总分低于此分评为“较差”", 80, SETTING),
)

PARAMS = {PAY: PAY_PARAMS, TARGET: TARGET_PARAMS}


class RulesError(KbError):
    pass


@dataclass(frozen=True)
class RuleSet:
    scheme: str
    effective_month: str
    amounts: dict
    note: str | None = None

    def __getitem__(self, key: str) -> float:
        return self.amounts[key]

    @property
    def label(self) -> str:
        return f"{SCHEME_NAMES[self.scheme]}（{self.effective_month}起施行）"


def default_rules(scheme: str) -> RuleSet:
    return RuleSet(scheme, FIRST_MONTH, {p.key: p.default for p in PARAMS[scheme]}, "制度原文（2005年6月）")


def rules_for(session: Session, scheme: str, month: str) -> RuleSet:
    """The version of ``scheme`` in force for ``month`` (YYYY-MM)."""
    row = session.scalars(select(AppraisalRuleSet).where(
        AppraisalRuleSet.scheme == scheme, AppraisalRuleSet.effective_month <= month)
        .order_by(AppraisalRuleSet.effective_month.desc())).first()
    if row is None:
        return default_rules(scheme)
    amounts = {p.key: p.default for p in PARAMS[scheme]}
    amounts.update({k: v for k, v in (row.amounts or {}).items() if k in amounts})
    return RuleSet(scheme, row.effective_month, amounts, row.note)


def rule_versions(session: Session, scheme: str) -> list[RuleSet]:
    """Every version of ``scheme``, the first (the rules as written) first."""
    rows = session.scalars(select(AppraisalRuleSet).where(AppraisalRuleSet.scheme == scheme)
                           .order_by(AppraisalRuleSet.effective_month)).all()
    return [default_rules(scheme)] + [rules_for(session, scheme, row.effective_month) for row in rows]


def last_published_month(session: Session) -> str | None:
    return session.scalar(select(func.max(AppraisalSheet.month)).where(AppraisalSheet.published_at.is_not(None)))


def deadline(month: str, day_of_next_month: float) -> dt.date:
    """The ``day_of_next_month``-th of the month after ``month``, moved past rest days (休息天顺延)."""
    period = parse_month(month)
    return first_working_day_from(period.end.date().replace(day=int(day_of_next_month)))


def can_manage_rules(actor) -> bool:
    return role_of(actor) == DIRECTOR


def set_rules(session: Session, actor, data: dict) -> AppraisalRuleSet:
    """A new version: ``{"scheme", "effective_month", "amounts": {key: value}, "note", "at"?}``.

    Keys left out keep the value in force before that month. Refused for a month already published
    (or before one), and for an amount of the wrong sign.
    """
    if not can_manage_rules(actor):
        raise Forbidden("只有中心主任可以修改考核标准")
    scheme = data.get("scheme")
    if scheme not in PARAMS:
        raise RulesError(f"考核制度“{scheme}”不存在")
    try:
        month = parse_month(data.get("effective_month") or "").key
    except PeriodError as error:
        raise RulesError(str(error)) from None
    published = last_published_month(session)
    if published is not None and month <= published:
        raise RulesError(f"{published} 及以前的考核结果已公布，新标准最早从 {parse_month(published).end:%Y-%m} 起施行")
    if month <= FIRST_MONTH:
        raise RulesError(f"新标准须在 {FIRST_MONTH} 之后施行")
    amounts = dict(rules_for(session, scheme, month).amounts)
    for param in PARAMS[scheme]:
        value = (data.get("amounts") or {}).get(param.key)
        if value is None or str(value).strip() == "":
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise RulesError(f"“{param.label}”应填数字") from None
        if param.kind == DEDUCTION and number > 0:
            raise RulesError(f"“{param.label}”是扣分，应为负数或0")
        if param.kind == BONUS and number < 0:
            raise RulesError(f"“{param.label}”是加分，应为正数或0")
        if param.kind == SETTING and number < 0:
            raise RulesError(f"“{param.label}”不能为负数")
        if param.key.endswith("_day") and not (1 <= number <= 28 and number == int(number)):
            raise RulesError(f"“{param.label}”应为1到28之间的整数")
        amounts[param.key] = number
    row = session.scalars(select(AppraisalRuleSet).where(
        AppraisalRuleSet.scheme == scheme, AppraisalRuleSet.effective_month == month)).first()
    if row is None:
        row = AppraisalRuleSet(scheme=scheme, effective_month=month)
        session.add(row)
    row.amounts, row.note = amounts, (data.get("note") or "").strip() or None
    row.created_at, row.created_by_id = data.get("at") or utc_now(), actor.id
    session.flush()
    return row
