"""The agents' monthly appraisal: 目标责任制考核表, filled from the records where they know.

Seven items (``ITEMS``): six of them start from their points (15, 15, 15, 25, 15, 15 = 100) and lose
points for each fault; 提供信息 starts at 0 and only adds. An item never falls below 0; praise and
information may lift the total above 100. The performance pay moves ±5 yuan a point around 100
(绩效工资考核制度: "月末得分以100分为基准，每正负一分奖罚5元").

Filled automatically from the records of the month (``kb.promises``, the agent's own records):

- 台帐登记: −3 for each of the agent's call records without 工号 or without the answer or
  handling written, and each referral of theirs without a call record;
- 转办催办: −2 for each 转办单 or 重大疑难问题报告单 not sent in time (100%受理 broken), each
  late referral of theirs never reminded (督办 broken), and each answered referral whose caller was
  not called back in time (回访反馈 late);
- 提供信息: +5 for each FAQ entry the agent owns or first wrote that was published in the month
  (information contributed and adopted).

Entered by hand by the director (``MANUAL``): errors found in answers, attendance, complaints,
praise, rule breaches, information sent to and endorsed by the leadership. The agent enters a
self-score per item (by the 6th); the centre's score is the computed one unless the director
sets another. ``publish_month`` freezes the centre's scores; the agent sees them from then on.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from kb.appraisal_models import AppraisalSheet
from kb.calls import Call
from kb.errors import KbError
from kb.faq_models import FaqEntry, FaqVersion
from kb.periods import Period
from kb.permissions import Forbidden, role_of
from kb.promises import ACCEPTED, ANSWERED_OR_FEEDBACK, FEEDBACK_LATE, FOLLOWED_UP, RECORDED, STAFF_NO, check_promises
from kb.users import AGENT, DIRECTOR, User

BASE_TOTAL = 100
YUAN_PER_POINT = 5
MAX_SCORE = 100.0  # largest self- or centre score accepted for one item


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
    per: int            # points per unit; "points" entries are the points themselves (per = -1)
    unit: str = "次"


MANUAL = (
    Manual("quality_error_points", "quality", "受话差错扣分（每次5-10分，填合计分数）", -1, "分"),
    Manual("late_summary", "ledger", "月汇总无故延时上交", -5),
    Manual("poor_entries", "ledger", "登记内容不规范（人工抽查）", -3),
    Manual("late_filing", "referrals", "办结后未及时归档整理", -2),
    Manual("complaints", "attitude", "被纳税人投诉并查实", -5),
    Manual("private_use", "attitude", "私事占用热线或无故搁机", -10),
    Manual("praise_letters", "attitude", "纳税人来信表扬", 5),
    Manual("media_praise", "attitude", "新闻媒体表扬或收到锦旗", 10),
    Manual("attendance_breaches", "attendance", "未遵守考勤规定", -3),
    Manual("absence_points", "attendance", "严重脱岗扣分（每次5-10分，填合计分数）", -1, "分"),
    Manual("rule_breaches", "discipline", "不遵守制度规定", -4),
    Manual("info_submitted", "information", "信息提交领导参阅", 5),
    Manual("info_endorsed", "information", "信息被领导批示", 5),
    Manual("suggestions_adopted", "information", "合理化建议、意见被采用", 5, "项"),
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
    adjustments: list[Adjustment] = field(default_factory=list)
    self_score: float | None = None
    centre_override: float | None = None
    published: float | None = None

    @property
    def computed(self) -> float:
        return max(0.0, self.item.points + sum(a.points for a in self.adjustments))

    @property
    def centre(self) -> float:
        return self.centre_override if self.centre_override is not None else self.computed


@dataclass
class Appraisal:
    agent: User
    month: str
    items: list[ItemScore]
    sheet: AppraisalSheet | None = None

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
    def pay_difference(self) -> float:
        """Yuan above (+) or below (−) the base pay: the published total once published."""
        return pay_difference(self.published_total if self.published else self.centre_total)


def pay_difference(total: float) -> float:
    return round((total - BASE_TOTAL) * YUAN_PER_POINT, 2)


# -- permissions --------------------------------------------------------------------------------

def can_manage_appraisal(actor) -> bool:
    return role_of(actor) == DIRECTOR


def can_view_appraisal(actor, agent_id: int) -> bool:
    return can_manage_appraisal(actor) or (role_of(actor) == AGENT and actor.id == agent_id)


# -- computing ----------------------------------------------------------------------------------

def agents_for(session: Session, period: Period) -> list[User]:
    """Active agents whose account existed in the period, and any agent who took calls in it (an
    agent created in November is not on October's sheet)."""
    callers = select(Call.agent_id).where(Call.created_at >= period.start, Call.created_at < period.end)
    existed = and_(User.active.is_(True), or_(User.created_at.is_(None), User.created_at < period.end))
    return list(session.scalars(select(User).where(
        User.role == AGENT, or_(existed, User.id.in_(callers))).order_by(User.staff_no, User.username)))


def appraise_all(session: Session, period: Period, now: dt.datetime, agents: list[User] | None = None) -> list[Appraisal]:
    """Every agent's sheet for the month (one pass over the records for all of them)."""
    agents = agents_for(session, period) if agents is None else agents
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
    return [_appraisal(agent, period.key, faults.get(agent.id, {}), adopted.get(agent.id, []), sheets.get(agent.id))
            for agent in agents]


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


def _appraisal(agent: User, month: str, faults: dict, adopted: list[FaqEntry], sheet: AppraisalSheet | None) -> Appraisal:
    items = {item.code: ItemScore(item) for item in ITEMS}
    ledger = faults.get(STAFF_NO, []) + faults.get(RECORDED, [])
    if ledger:
        items["ledger"].adjustments.append(Adjustment("登记不完整（记录自动核查）", len(ledger), -3 * len(ledger), _records(ledger)))
    late_forms = faults.get(ACCEPTED, [])
    if late_forms:
        items["referrals"].adjustments.append(Adjustment("未及时发转办单或报告单（记录自动核查）", len(late_forms),
                                                         -2 * len(late_forms), _records(late_forms)))
    unreminded = faults.get(FOLLOWED_UP, [])
    if unreminded:
        items["referrals"].adjustments.append(Adjustment("转办件未及时催办（记录自动核查）", len(unreminded),
                                                         -2 * len(unreminded), _records(unreminded)))
    no_feedback = faults.get(ANSWERED_OR_FEEDBACK, [])
    if no_feedback:
        items["referrals"].adjustments.append(Adjustment("部门答复后未及时回访反馈（记录自动核查）", len(no_feedback),
                                                         -2 * len(no_feedback), _records(no_feedback)))
    if adopted:
        items["information"].adjustments.append(Adjustment(
            "提供的信息被采纳为FAQ（记录自动核查）", len(adopted), 5 * len(adopted),
            [f"FAQ #{e.id}：{e.question}" for e in adopted]))
    if sheet is not None:
        for spec in MANUAL:
            value = float((sheet.inputs or {}).get(spec.key) or 0)
            if value:
                points = -value if spec.per == -1 else spec.per * value
                items[spec.item].adjustments.append(Adjustment(spec.label, value, points))
        for code, score in items.items():
            score.self_score = _number((sheet.self_scores or {}).get(code))
            score.centre_override = _number((sheet.centre_scores or {}).get(code))
            score.published = _number((sheet.published_scores or {}).get(code))
    return Appraisal(agent=agent, month=month, items=list(items.values()), sheet=sheet)


def _number(value) -> float | None:
    return None if value is None or value == "" else float(value)


# -- operations ---------------------------------------------------------------------------------

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


def _scores(values: dict, allowed=None) -> dict[str, float]:
    scores = {}
    for code, value in (values or {}).items():
        if code not in ITEM_BY_CODE or value is None or str(value).strip() == "":
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise AppraisalError(f"“{ITEM_BY_CODE[code].name}”的分数“{value}”不是数字") from None
        if not 0 <= number <= MAX_SCORE:
            raise AppraisalError(f"“{ITEM_BY_CODE[code].name}”的分数应在 0 到 {MAX_SCORE:g} 之间")
        scores[code] = number
    return scores


def save_centre_entries(session: Session, actor, data: dict) -> AppraisalSheet:
    """The director's entries: ``{"agent_id", "month", "inputs", "centre_scores", "note", "at"?}``."""
    if not can_manage_appraisal(actor):
        raise Forbidden("只有中心主任可以评定考核")
    sheet = _sheet(session, data["agent_id"], data["month"])
    if sheet.published_at is not None:
        raise AppraisalError(f"{data['month']} 的考核结果已公布，不能再修改")
    inputs = {}
    for key, value in (data.get("inputs") or {}).items():
        if key not in MANUAL_BY_KEY or value is None or str(value).strip() == "":
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise AppraisalError(f"“{MANUAL_BY_KEY[key].label}”应填数字") from None
        if number < 0:
            raise AppraisalError(f"“{MANUAL_BY_KEY[key].label}”不能为负数")
        inputs[key] = number
    sheet.inputs = inputs
    sheet.centre_scores = _scores(data.get("centre_scores"))
    sheet.centre_note = (data.get("note") or "").strip() or None
    sheet.updated_at, sheet.updated_by_id = data.get("at") or dt.datetime.now(), actor.id
    session.flush()
    return sheet


def save_self_score(session: Session, actor, data: dict) -> AppraisalSheet:
    """The agent's own score: ``{"month", "scores", "note", "at"?}``."""
    if role_of(actor) != AGENT:
        raise Forbidden("只有咨询服务员本人可以自评")
    sheet = _sheet(session, actor.id, data["month"])
    if sheet.published_at is not None:
        raise AppraisalError(f"{data['month']} 的考核结果已公布，不能再自评")
    sheet.self_scores = _scores(data.get("scores"))
    sheet.self_note = (data.get("note") or "").strip() or None
    sheet.self_scored_at = data.get("at") or dt.datetime.now()
    session.flush()
    return sheet


def publish_month(session: Session, actor, data: dict) -> list[Appraisal]:
    """Publish the month: ``{"period", "now"}``; each agent's centre scores are frozen on the sheet."""
    if not can_manage_appraisal(actor):
        raise Forbidden("只有中心主任可以公布考核结果")
    period: Period = data["period"]
    now = data["now"]
    appraisals = appraise_all(session, period, now)
    for appraisal in appraisals:
        sheet = appraisal.sheet or _sheet(session, appraisal.agent.id, period.key)
        if sheet.published_at is not None:
            continue
        sheet.published_scores = {i.item.code: i.centre for i in appraisal.items}
        sheet.published_total = appraisal.centre_total
        sheet.published_at = now
        appraisal.sheet = sheet
        for item in appraisal.items:
            item.published = sheet.published_scores[item.item.code]
    session.flush()
    return appraisals
