"""The agents' monthly appraisal: 目标责任制考核表, filled from the records where they know.

Seven items (``ITEMS``): six of them start from their points (15, 15, 15, 25, 15, 15 = 100) and lose
points for each fault; 提供信息 starts at 0 and only adds. An item never falls below 0; praise and
information may lift the total above 100. The amounts are versioned data (``kb.reports.appraisal_rules``,
scheme ``TARGET``). Pay is *not* derived from this table: it comes from the other scheme, the
绩效工资考核制度 (``kb.reports.pay``); each ``Appraisal`` carries that month's ``PaySheet`` beside it.

Filled automatically from the records of the month (``kb.reports.promises``, the agent's own records):

- 台帐登记: −3 for each of the agent's call records without 工号 or without the answer or
  handling written, and each referral of theirs without a call record; −5 when the month's
  statistics were handed in (``record_summary``) after the 5th of the next month (休息天顺延);
- 转办催办: −2 for each 转办单 or 重大疑难问题报告单 not sent in time (100%受理 broken), and each
  answered referral whose caller was not called back in time (回访反馈 late). A late 催办 is not
  the agent's: ``send-reminders`` sends them (and the 催办无效报告);
- 提供信息: +5 for each FAQ entry the agent owns or first wrote that was published in the month
  (information contributed and adopted).

Entered by hand by the director (``MANUAL``): errors found in answers, attendance, complaints,
praise, rule breaches, information sent to and endorsed by the leadership. The agent enters a
self-score per item by the 6th of the next month (休息天顺延; a later one is recorded as late),
never above the item's points plus the bonuses entered for it; the centre's score is the computed one
unless the director sets another. ``publish_month`` freezes the centre's scores, the rating and the
pay sheet; the agent sees them from then on.

The rating: 较差 below the threshold the director owns (``poor_below``, 80 as shipped) or after a
一票否决; 较差 gives a 警告, 较差 twice in a row asks the agent for a written report (causes and
remedies, ``submit_report``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from kb.reports.models import AppraisalSheet
from kb.reports.appraisal_rules import TARGET, RuleSet, deadline, rules_for
from kb.hotline.models import Call
from kb.core.errors import KbError
from kb.faq.models import FaqEntry, FaqVersion
from kb.reports.pay import PaySheet, pay_difference, pay_sheets  # noqa: F401  (pay_difference: the 绩效工资 rule)
from kb.core.periods import Period
from kb.core.permissions import is_supervising_department, role_of
from kb.reports.promises import ACCEPTED, ANSWERED_OR_FEEDBACK, FEEDBACK_LATE, RECORDED, STAFF_NO, check_promises
from kb.accounts.roles import AGENT, DIRECTOR
from kb.accounts.models import User
from kb.core.timestamps import beijing_date

BASE_TOTAL = 100
YUAN_PER_POINT = 5
POOR, FAIR = "较差", "合格"
WARNING, REPORT, VETO, LATE_SELF_SCORE = "警告", "书面报告", "一票否决", "自评逾期"


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    points: int
    standard: str


ITEMS = (
    Item("quality", "受话质量", 15, "因咨询工作不细导致重要内容出现差错的一次扣5-10分"),
    Item("ledger", "台帐登记", 15, "做好每日来电受理登记；月汇总无故延时上交扣5分；登记内容不规范的一次扣3分"),
    Item("referrals", "转办催办", 15, "未及时催办的一次扣2分；未及时发转办单、重大疑难问题报告单、催办无效报告单的一次扣2分；办结后未及时归档整理的一次扣2分"),
    Item("attitude", "工作态度", 25, "被投诉查实一次扣5分；私事占用热线或无故搁机一次扣10分；来信表扬一次加5分；媒体表扬或锦旗一次加10分"),
    Item("attendance", "岗位考勤", 15, "未遵守考勤规定的一次扣3分；严重脱岗的一次扣5-10分"),
    Item("discipline", "遵守制度", 15, "不遵守其他制度规定的一次扣4分"),
    Item("information", "提供信息", 0, "信息提交领导参阅一次加5分，被批示一次加5分；合理化建议被采用一项加5分"),
)
ITEM_BY_CODE = {item.code: item for item in ITEMS}


@dataclass(frozen=True)
class Manual:
    key: str
    item: str
    label: str
    param: str | None   # the amount per unit in the rules (kb.reports.appraisal_rules); None: the points themselves
    unit: str = "次"


MANUAL = (
    Manual("quality_error_points", "quality", "受话差错扣分（每次5-10分，填合计分数）", None, "分"),
    Manual("late_summary", "ledger", "月汇总无故延时上交", "late_summary"),
    Manual("poor_entries", "ledger", "登记内容不规范（人工抽查）", "ledger_entry"),
    Manual("late_filing", "referrals", "办结后未及时归档整理", "late_filing"),
    Manual("complaints", "attitude", "被纳税人投诉并查实", "complaint"),
    Manual("private_use", "attitude", "私事占用热线或无故搁机", "private_use"),
    Manual("praise_letters", "attitude", "纳税人来信表扬", "praise_letter"),
    Manual("media_praise", "attitude", "新闻媒体表扬或收到锦旗", "media_praise"),
    Manual("attendance_breaches", "attendance", "未遵守考勤规定", "attendance_breach"),
    Manual("absence_points", "attendance", "严重脱岗扣分（每次5-10分，填合计分数）", None, "分"),
    Manual("rule_breaches", "discipline", "不遵守制度规定", "rule_breach"),
    Manual("info_submitted", "information", "信息提交领导参阅", "info_submitted"),
    Manual("info_endorsed", "information", "信息被领导批示", "info_endorsed"),
    Manual("suggestions_adopted", "information", "合理化建议、意见被采用", "suggestion", "项"),
)
MANUAL_BY_KEY = {m.key: m for m in MANUAL}


class AppraisalError(KbError):
    pass


@dataclass
class Adjustment:
    label: str
    count: float
    points: float                  # signed total
    records: list[str] = field(default_factory=list)  # e.g. 来电 #12：接听记录未登记工号


@dataclass
class ItemScore:
    item: Item
    points: float = 0.0            # the item's points under the month's rules
    adjustments: list[Adjustment] = field(default_factory=list)
    self_score: float | None = None
    centre_override: float | None = None
    published: float | None = None

    @property
    def computed(self) -> float:
        return max(0.0, self.points + sum(a.points for a in self.adjustments))

    @property
    def centre(self) -> float:
        return self.centre_override if self.centre_override is not None else self.computed

    @property
    def ceiling(self) -> float:
        """The most a score may give: the item's points plus the bonuses entered for it."""
        return self.points + sum(a.points for a in self.adjustments if a.points > 0)


@dataclass
class Appraisal:
    agent: User
    month: str
    items: list[ItemScore]
    sheet: AppraisalSheet | None = None
    rules: RuleSet | None = None
    pay: PaySheet | None = None
    previous_rating: str | None = None

    @property
    def computed_total(self) -> float:
        return sum(i.computed for i in self.items)

    @property
    def centre_total(self) -> float:
        return sum(i.centre for i in self.items)

    @property
    def self_total(self) -> float | None:
        scores = [i.self_score for i in self.items]
        return None if all(s is None for s in scores) else sum(s or 0 for s in scores)

    @property
    def published(self) -> bool:
        return self.sheet is not None and self.sheet.published_at is not None

    @property
    def published_total(self) -> float | None:
        return self.sheet.published_total if self.published else None

    @property
    def total(self) -> float:
        """The published total once published, else the centre's total as it stands."""
        return self.published_total if self.published else self.centre_total

    @property
    def vetoed(self) -> bool:
        return self.sheet is not None and bool(self.sheet.veto_reason)

    @property
    def rating(self) -> str:
        if self.published and self.sheet.published_rating:
            return self.sheet.published_rating
        return rating_of(self.total, self.rules, self.vetoed)

    @property
    def self_score_due(self) -> dt.date:
        return deadline(self.month, self.rules["self_score_day"])

    @property
    def summary_due(self) -> dt.date:
        return deadline(self.month, self.pay.rules["summary_day"] if self.pay else 5)

    @property
    def self_score_late(self) -> bool:
        at = self.sheet.self_scored_at if self.sheet else None
        return at is not None and beijing_date(at) > self.self_score_due

    @property
    def flags(self) -> list[str]:
        if self.published and self.sheet.published_flags is not None:
            return list(self.sheet.published_flags)
        flags = []
        if self.rating == POOR:
            flags.append(WARNING)
            if self.previous_rating == POOR:
                flags.append(REPORT)
        if self.vetoed:
            flags.append(VETO)
        if self.self_score_late:
            flags.append(LATE_SELF_SCORE)
        return flags

    @property
    def report_due(self) -> bool:
        """A written report is asked for and not handed in yet."""
        return REPORT in self.flags and not (self.sheet and self.sheet.report_at)


def rating_of(total: float, rules: RuleSet, vetoed: bool = False) -> str:
    return POOR if vetoed or total < rules["poor_below"] else FAIR


# -- permissions --------------------------------------------------------------------------------

def can_manage_appraisal(actor) -> bool:
    return role_of(actor) == DIRECTOR


def can_read_appraisals(actor) -> bool:
    """Every agent's sheets: the director, and 征管处 (in charge of the hotline, read only)."""
    return can_manage_appraisal(actor) or is_supervising_department(actor)


def can_view_appraisal(actor, agent_id: int) -> bool:
    return can_read_appraisals(actor) or (role_of(actor) == AGENT and actor.id == agent_id)


# -- computing ----------------------------------------------------------------------------------

def agents_for(session: Session, period: Period) -> list[User]:
    """Active agents whose account existed in the period, and any agent who took calls in it (an
    agent created in November is not on October's sheet)."""
    callers = select(Call.agent_id).where(Call.created_at >= period.start, Call.created_at < period.end)
    existed = and_(User.active.is_(True), or_(User.created_at.is_(None), User.created_at < period.end))
    return list(session.scalars(select(User).where(
        User.role == AGENT, or_(existed, User.id.in_(callers))).order_by(User.staff_no, User.username)))


def appraise_all(session: Session, period: Period, now: dt.datetime, agents: list[User] | None = None,
                 with_history: bool = True, previous: dict[int, str] | None = None) -> list[Appraisal]:
    """Every agent's sheet for the month (one pass over the records for all of them), each with its
    绩效工资 sheet and, ``with_history``, the previous month's rating (for the written report):
    ``previous`` (agent id -> rating) when the caller has it, else computed."""
    agents = agents_for(session, period) if agents is None else agents
    rules = rules_for(session, TARGET, period.key)
    promises = check_promises(session, period, now)
    faults: dict[int | None, dict[str, list]] = {}
    for promise in promises.values():
        for breach in promise.breaches:
            if promise.code == ANSWERED_OR_FEEDBACK and breach.reason != FEEDBACK_LATE:
                continue  # the department's or the director's delay, not the agent's
            faults.setdefault(breach.agent_id, {}).setdefault(promise.code, []).append(breach)
    adopted = _adopted_faq(session, period)
    sheets = {s.agent_id: s for s in session.scalars(
        select(AppraisalSheet).where(AppraisalSheet.month == period.key))}
    pays = {p.agent.id: p for p in pay_sheets(session, period, now, agents, promises)}
    if previous is None:
        previous = _previous_ratings(session, period, now, agents) if with_history and agents else {}
    return [_appraisal(agent, period.key, rules, faults.get(agent.id, {}), adopted.get(agent.id, []),
                       sheets.get(agent.id), pays[agent.id], previous.get(agent.id))
            for agent in agents]


def _previous_ratings(session: Session, period: Period, now: dt.datetime, agents: list[User]) -> dict[int, str]:
    """Each agent's rating of the month before: as published, else as it stands."""
    before = period.previous()
    if now < before.end:
        return {}
    return {a.agent.id: a.rating for a in appraise_all(session, before, now, agents, with_history=False)}


def appraise(session: Session, agent: User, period: Period, now: dt.datetime) -> Appraisal:
    return appraise_all(session, period, now, [agent])[0]


def _adopted_faq(session: Session, period: Period) -> dict[int, list[FaqEntry]]:
    first_author = {entry_id: actor_id for entry_id, actor_id in session.execute(
        select(FaqVersion.entry_id, FaqVersion.actor_id).order_by(FaqVersion.entry_id.desc(), FaqVersion.number.desc()))}
    adopted: dict[int, list[FaqEntry]] = {}
    for entry in session.scalars(select(FaqEntry).where(
            FaqEntry.published_at >= period.start, FaqEntry.published_at < period.end).order_by(FaqEntry.id)):
        for agent_id in {entry.owner_id, first_author.get(entry.id)} - {None}:
            adopted.setdefault(agent_id, []).append(entry)
    return adopted


def _records(breaches) -> list[str]:
    return [f"{b.kind} #{b.record_id}：{b.reason}" for b in breaches]


def _appraisal(agent: User, month: str, rules: RuleSet, faults: dict, adopted: list[FaqEntry],
               sheet: AppraisalSheet | None, pay: PaySheet, previous_rating: str | None) -> Appraisal:
    items = {item.code: ItemScore(item, rules[f"item_{item.code}"]) for item in ITEMS}

    def auto(code, label, found, per, records):
        if found:
            items[code].adjustments.append(Adjustment(label, len(found), per * len(found), records))

    auto("ledger", "登记不完整（记录自动核查）", faults.get(STAFF_NO, []) + faults.get(RECORDED, []),
         rules["ledger_entry"], _records(faults.get(STAFF_NO, []) + faults.get(RECORDED, [])))
    auto("referrals", "未及时发转办单或报告单（记录自动核查）", faults.get(ACCEPTED, []), rules["late_form"],
         _records(faults.get(ACCEPTED, [])))
    auto("referrals", "部门答复后未及时回访反馈（记录自动核查）", faults.get(ANSWERED_OR_FEEDBACK, []),
         rules["feedback_late"], _records(faults.get(ANSWERED_OR_FEEDBACK, [])))
    auto("information", "提供的信息被采纳为FAQ（记录自动核查）", adopted, rules["faq_adopted"],
         [f"FAQ #{e.id}：{e.question}" for e in adopted])
    if sheet is not None:
        due = deadline(month, pay.rules["summary_day"])
        if sheet.summary_handed_at is not None and beijing_date(sheet.summary_handed_at) > due:
            items["ledger"].adjustments.append(Adjustment(
                "月汇总延时上交（记录自动核查）", 1, rules["late_summary"],
                [f"{beijing_date(sheet.summary_handed_at):%Y-%m-%d} 上交，截止 {due:%Y-%m-%d}"]))
        for spec in MANUAL:
            value = float((sheet.inputs or {}).get(spec.key) or 0)
            if value:
                points = -value if spec.param is None else rules[spec.param] * value
                items[spec.item].adjustments.append(Adjustment(spec.label, value, points))
        for code, score in items.items():
            score.self_score = _number((sheet.self_scores or {}).get(code))
            score.centre_override = _number((sheet.centre_scores or {}).get(code))
            score.published = _number((sheet.published_scores or {}).get(code))
    return Appraisal(agent=agent, month=month, items=list(items.values()), sheet=sheet, rules=rules, pay=pay,
                     previous_rating=previous_rating)


def _number(value) -> float | None:
    return None if value is None or value == "" else float(value)
