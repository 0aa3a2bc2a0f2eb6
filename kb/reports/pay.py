"""绩效工资考核制度: the monthly performance pay, as the rules write it.

100 points a month; each point above or below 100 is ±5 yuan (amounts: ``kb.reports.appraisal_rules.PAY``,
versioned). The entries (``EVENTS``) are ``AppraisalEvent`` rows the director enters or imports, plus
the entries the records prove (``auto_lines``), each showing the record it came from:

- 迟到/早退/擅自脱岗 within half an hour: −2 each. Beyond half an hour it is 事假 when a leave slip was
  approved beforehand or a written account handed in afterwards (half a day each), otherwise 旷工;
- 旷工 −20 each; the second 旷工 (counted over the agent's whole history) flags 辞退;
- 事假 −12 a day with a slip (``before`` or ``after``), otherwise each day (begun) is a 旷工;
- 病假 −5 a day with an approved hospital slip (``hospital``), otherwise each day (begun) is a 旷工;
- the month's statistics handed in after the 5th of the next month (休息天顺延): −4, automatically
  when the hand-in is recorded late (``kb.reports.appraisal_sheets.record_summary``), or entered by the director;
- a 转办单 or 重大疑难问题报告单 sent late or never (the 100%受理 check of ``kb.reports.promises``): −2 each,
  automatically. The 催办 and the 催办无效报告 are sent by ``send-reminders``, so a missing one is
  not the agent's omission and is not entered.

No floor: the total is 100 plus every entry. Once the month is published (``kb.reports.appraisal_sheets.publish_month``)
the sheet is frozen on ``AppraisalSheet.published_pay`` and no entry of that month can change.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import asdict, dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.core.actors import allowed
from kb.reports.models import AppraisalEvent, AppraisalSheet
from kb.reports.appraisal_rules import PAY, RuleSet, deadline, rules_for
from kb.core.errors import KbError
from kb.core.periods import Period
from kb.core.permissions import Forbidden, is_supervising_department, role_of
from kb.reports.promises import ACCEPTED, check_promises
from kb.accounts.roles import AGENT, DIRECTOR
from kb.accounts.models import User
from kb.core.timestamps import beijing_date, to_beijing, utc_now


@dataclass(frozen=True)
class EventType:
    code: str
    name: str      # the name in the import file and on the page
    unit: str = "次"


EVENTS = (
    EventType("late", "迟到早退脱岗"), EventType("absent", "旷工"), EventType("personal_leave", "事假", "天"),
    EventType("sick_leave", "病假", "天"), EventType("late_summary", "月报迟交"), EventType("complaint", "投诉查实"),
    EventType("private_use", "私事占线"), EventType("praise_letter", "来信表扬"), EventType("media_praise", "媒体表扬"),
    EventType("late_form", "单据迟发"), EventType("late_filing", "归档迟"), EventType("info_endorsed", "信息批示"),
    EventType("suggestion", "建议采纳", "项"), EventType("rule_breach", "违反制度"),
)
EVENT_BY_CODE = {e.code: e for e in EVENTS}
EVENT_BY_NAME = {e.name: e for e in EVENTS}
LEAVE = ("personal_leave", "sick_leave")
SLIPS = {"before": "事先请假条已批准", "after": "事后补交书面情况说明", "hospital": "医院病假条已批准", "none": "无请假手续"}
VALID_SLIPS = {"personal_leave": ("before", "after"), "sick_leave": ("hospital",), "late": ("before", "after")}
DISMISSAL = "辞退"


class PayError(KbError):
    pass


@dataclass
class PayLine:
    label: str
    count: float
    points: float
    absences: int = 0                                  # how many 旷工 this line counts (for 辞退)
    day: dt.date | None = None
    source: str = "登记"                               # 登记, 导入, 记录核查
    records: list[str] = field(default_factory=list)
    event_id: int | None = None


@dataclass
class PaySheet:
    agent: User
    month: str
    rules: RuleSet
    lines: list[PayLine]
    prior_absences: int = 0
    sheet: AppraisalSheet | None = None

    @property
    def published(self) -> bool:
        return self.sheet is not None and self.sheet.published_pay is not None

    @property
    def points(self) -> float:
        if self.published:
            return self.sheet.published_pay["points"]
        return round(self.rules["base"] + sum(line.points for line in self.lines), 2)

    @property
    def pay_yuan(self) -> float:
        if self.published:
            return self.sheet.published_pay["pay_yuan"]
        return pay_difference(self.points, self.rules)

    @property
    def absences(self) -> int:
        return sum(line.absences for line in self.lines)

    @property
    def flags(self) -> list[str]:
        if self.published:
            return list(self.sheet.published_pay.get("flags") or [])
        limit = self.rules["dismissal_absences"]
        return [DISMISSAL] if self.absences and self.prior_absences + self.absences >= limit else []

    def frozen(self) -> dict:
        return {"points": self.points, "pay_yuan": self.pay_yuan, "flags": self.flags,
                "rules": self.rules.effective_month,
                "lines": [{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(line).items()}
                          for line in self.lines]}

    def shown_lines(self) -> list[PayLine]:
        """The lines as published once published, else as computed now."""
        if not self.published:
            return self.lines
        return [PayLine(**{**line, "day": dt.date.fromisoformat(line["day"]) if line.get("day") else None})
                for line in self.sheet.published_pay.get("lines") or []]


def pay_difference(points: float, rules: RuleSet | None = None) -> float:
    base, yuan = (rules["base"], rules["yuan_per_point"]) if rules else (100, 5)
    return round((points - base) * yuan, 2)


# -- permissions --------------------------------------------------------------------------------

def can_manage_pay(actor) -> bool:
    return role_of(actor) == DIRECTOR


def can_view_pay(actor, agent_id: int) -> bool:
    return can_manage_pay(actor) or is_supervising_department(actor) or (role_of(actor) == AGENT and actor.id == agent_id)


# -- reading the entries ------------------------------------------------------------------------

def event_lines(event: AppraisalEvent, rules: RuleSet) -> list[PayLine]:
    """What one entry counts for under ``rules``."""
    kind = EVENT_BY_CODE[event.event]
    source = "导入" if event.source == "import" else "登记"
    slip = SLIPS.get(event.slip or "", "")
    note = f"（{event.note}）" if event.note else ""

    def line(label, count, points, absences=0):
        return PayLine(label + note, count, round(points, 2), absences, event.day, source, [], event.id)

    def absent(label, times):
        return line(f"{label}，按旷工论处", times, rules["absent"] * times, times)

    if event.event == "late":
        minutes = f"{event.minutes}分钟" if event.minutes else "半小时内"
        if not event.minutes or event.minutes <= rules["late_limit_minutes"]:
            return [line(f"迟到、早退或擅自脱岗（{minutes}）", event.amount, rules["late"] * event.amount)]
        if event.slip in VALID_SLIPS["late"]:
            days = rules["beyond_limit_leave_days"] * event.amount
            return [line(f"迟到、早退或脱岗超过半小时（{minutes}，{slip}），按事假{days:g}天论处", days,
                         rules["personal_leave"] * days)]
        return [absent(f"迟到、早退或脱岗超过半小时（{minutes}，无请假手续）", int(event.amount))]
    if event.event in LEAVE:
        if event.slip in VALID_SLIPS[event.event]:
            return [line(f"{kind.name}{event.amount:g}天（{slip}）", event.amount, rules[event.event] * event.amount)]
        missing = "无医院病假条或未经批准" if event.event == "sick_leave" else "无请假条或书面情况说明"
        return [absent(f"{kind.name}{event.amount:g}天（{missing}）", math.ceil(event.amount))]
    if event.event == "absent":
        return [line("旷工", event.amount, rules["absent"] * event.amount, int(event.amount))]
    return [line(_EVENT_LABELS[event.event], event.amount, rules[event.event] * event.amount)]


_EVENT_LABELS = {
    "late_summary": "月统计未按时上交", "complaint": "被纳税人投诉并查实", "private_use": "因私事占用热线或无故搁机",
    "praise_letter": "纳税人来信表扬", "media_praise": "新闻媒体表扬或收到锦旗",
    "late_form": "未及时发转办单、重大疑难问题报告单或催办无效报告单", "late_filing": "办结后未及时归档整理",
    "info_endorsed": "信息提交领导参阅并批示认可", "suggestion": "合理化建议、意见被采用", "rule_breach": "不遵守规章制度",
}


def auto_lines(breaches: list, sheet: AppraisalSheet | None, month: str, rules: RuleSet) -> list[PayLine]:
    """The entries the records prove: late 转办单 or 报告单 (``breaches`` of 100%受理), a late hand-in."""
    lines = []
    if breaches:
        lines.append(PayLine("未及时发转办单或重大疑难问题报告单", len(breaches), rules["late_form"] * len(breaches),
                             source="记录核查", records=[f"{b.kind} #{b.record_id}：{b.reason}" for b in breaches]))
    due = deadline(month, rules["summary_day"])
    if sheet is not None and sheet.summary_handed_at is not None and beijing_date(sheet.summary_handed_at) > due:
        lines.append(PayLine("月统计未按时上交", 1, rules["late_summary"], day=beijing_date(sheet.summary_handed_at),
                             source="记录核查",
                             records=[f"{to_beijing(sheet.summary_handed_at):%Y-%m-%d} 上交，截止 {due:%Y-%m-%d}"]))
    return lines


def pay_sheets(session: Session, period: Period, now: dt.datetime, agents: list[User],
               promises: dict | None = None) -> list[PaySheet]:
    """Every agent's 绩效工资 sheet for the month (one pass over the records; ``promises``: the month's
    ``check_promises`` when the caller has it already)."""
    rules = rules_for(session, PAY, period.key)
    late_forms: dict[int | None, list] = {}
    promises = check_promises(session, period, now) if promises is None else promises
    for breach in promises[ACCEPTED].breaches:
        late_forms.setdefault(breach.agent_id, []).append(breach)
    ids = [a.id for a in agents]
    sheets = {s.agent_id: s for s in session.scalars(select(AppraisalSheet).where(
        AppraisalSheet.month == period.key, AppraisalSheet.agent_id.in_(ids)))}
    events: dict[int, list[AppraisalEvent]] = {}
    prior: dict[int, int] = {}
    month_rules = {period.key: rules}
    for event in session.scalars(select(AppraisalEvent).where(
            AppraisalEvent.agent_id.in_(ids), AppraisalEvent.month <= period.key)
            .order_by(AppraisalEvent.day, AppraisalEvent.id)):
        if event.month == period.key:
            events.setdefault(event.agent_id, []).append(event)
        elif event.event in ("absent", "late", *LEAVE):
            if event.month not in month_rules:
                month_rules[event.month] = rules_for(session, PAY, event.month)
            prior[event.agent_id] = prior.get(event.agent_id, 0) + sum(
                line.absences for line in event_lines(event, month_rules[event.month]))
    result = []
    for agent in agents:
        lines = [line for event in events.get(agent.id, []) for line in event_lines(event, rules)]
        lines += auto_lines(late_forms.get(agent.id, []), sheets.get(agent.id), period.key, rules)
        result.append(PaySheet(agent, period.key, rules, lines, prior.get(agent.id, 0), sheets.get(agent.id)))
    return result


# -- entering -----------------------------------------------------------------------------------

def _published(session: Session, agent_id: int, month: str) -> bool:
    return session.scalar(select(AppraisalSheet.id).where(
        AppraisalSheet.agent_id == agent_id, AppraisalSheet.month == month,
        AppraisalSheet.published_at.is_not(None))) is not None


def _number(value, label: str) -> float:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        raise PayError(f"{label}“{value}”不是数字") from None
    if not math.isfinite(number):
        raise PayError(f"{label}“{value}”不是数字")
    return number


def record_event(session: Session, actor, data: dict) -> AppraisalEvent:
    """One entry: ``{"agent_id", "day", "event" (code or name), "amount", "minutes"?, "slip"?, "note"?,
    "source"?, "at"?}``. The director (or the operator's CLI, ``actor`` ``SYSTEM``) enters them."""
    if not allowed(actor, can_manage_pay):
        raise Forbidden("只有中心主任可以登记绩效考核事项")
    kind = EVENT_BY_CODE.get(data.get("event") or "") or EVENT_BY_NAME.get((data.get("event") or "").strip())
    if kind is None:
        raise PayError(f"考核事项“{data.get('event')}”不存在，应为：{'、'.join(e.name for e in EVENTS)}")
    agent = session.get(User, data.get("agent_id")) if data.get("agent_id") else None
    if agent is None or agent.role != AGENT:
        raise PayError("请选择咨询服务员")
    day = data.get("day")
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day.strip())
        except ValueError:
            raise PayError(f"日期“{day}”格式不正确，应为 YYYY-MM-DD") from None
    if not isinstance(day, dt.date):
        raise PayError("请填写日期")
    month = f"{day.year:04d}-{day.month:02d}"
    if _published(session, agent.id, month):
        raise PayError(f"{month} 的考核结果已公布，不能再登记")
    amount = 1.0 if str(data.get("amount") or "").strip() == "" else _number(data.get("amount"), "数量")
    if kind.code in LEAVE:
        if not (0 < amount <= 31 and (amount * 2) == int(amount * 2)):
            raise PayError(f"{kind.name}天数应为0.5到31之间、以半天计")
    elif not (1 <= amount <= 100 and amount == int(amount)):
        raise PayError(f"{kind.name}次数应为1到100之间的整数")
    minutes = None
    if kind.code == "late" and str(data.get("minutes") or "").strip():
        minutes = _number(data.get("minutes"), "分钟数")
        if not (0 < minutes <= 24 * 60 and minutes == int(minutes)):
            raise PayError("分钟数应为1到1440之间的整数")
        minutes = int(minutes)
    slip = (data.get("slip") or "").strip() or None
    if kind.code in VALID_SLIPS:
        slip = slip or "none"
        if slip not in SLIPS:
            raise PayError(f"请假手续“{slip}”无效，应为：{'、'.join(SLIPS)}")
    else:
        slip = None
    event = AppraisalEvent(agent_id=agent.id, month=month, day=day, event=kind.code, amount=amount, minutes=minutes,
                           slip=slip, note=(data.get("note") or "").strip() or None,
                           source=data.get("source") or "manual", created_at=data.get("at") or utc_now(),
                           created_by_id=getattr(actor, "id", None))
    session.add(event)
    session.flush()
    return event


def delete_event(session: Session, actor, data: dict) -> AppraisalEvent:
    """``{"event_id"}``: remove an entry of a month not yet published."""
    if not can_manage_pay(actor):
        raise Forbidden("只有中心主任可以删除绩效考核事项")
    event = session.get(AppraisalEvent, data.get("event_id"))
    if event is None:
        raise PayError("该考核事项不存在")
    if _published(session, event.agent_id, event.month):
        raise PayError(f"{event.month} 的考核结果已公布，不能再修改")
    session.delete(event)
    session.flush()
    return event


# -- the import file ----------------------------------------------------------------------------

IMPORT_COLUMNS = ("staff_no", "date", "event", "amount", "note")


@dataclass
class ImportReport:
    loaded: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)   # (line, message)


def _note_fields(note: str) -> tuple[dict, str]:
    """``slip=yes; minutes=45; 其他说明`` -> ({"slip": "yes", "minutes": "45"}, "其他说明")."""
    fields, rest = {}, []
    for part in (note or "").replace("；", ";").split(";"):
        key, sep, value = part.partition("=")
        if sep and key.strip() in ("slip", "minutes"):
            fields[key.strip()] = value.strip()
        elif part.strip():
            rest.append(part.strip())
    return fields, "；".join(rest)


def import_events(session: Session, actor, text: str) -> ImportReport:
    """Load ``staff_no,date,event,amount,note`` rows; a bad row is reported with its line, good rows load.

    ``amount`` is days for 事假/病假, otherwise the count; ``note`` may carry ``slip=yes|no|before|after``
    (leave and lateness) and ``minutes=N`` (lateness), separated by ``;`` from the rest of the note.
    """
    if not allowed(actor, can_manage_pay):
        raise Forbidden("只有中心主任可以导入绩效考核事项")
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in IMPORT_COLUMNS[:4] if c not in (reader.fieldnames or [])]
    if missing:
        report.errors.append((1, f"缺少列：{', '.join(missing)}（应为 {','.join(IMPORT_COLUMNS)}）"))
        return report
    staff = {u.staff_no: u for u in session.scalars(select(User).where(User.role == AGENT, User.staff_no.is_not(None)))}
    for row in reader:
        line = reader.line_num
        agent = staff.get((row.get("staff_no") or "").strip())
        if agent is None:
            report.errors.append((line, f"工号“{row.get('staff_no')}”不是咨询服务员"))
            continue
        fields, note = _note_fields(row.get("note") or "")
        event = (row.get("event") or "").strip()
        slip = fields.get("slip")
        if slip in ("yes", "no"):
            slip = {"yes": "hospital" if event == "病假" else "before", "no": "none"}[slip]
        try:
            # record_event checks everything before it adds the row: a refused row leaves nothing behind
            record_event(session, actor, {"agent_id": agent.id, "day": row.get("date") or "", "event": event,
                                          "amount": row.get("amount"), "minutes": fields.get("minutes"),
                                          "slip": slip, "note": note, "source": "import"})
        except PayError as error:
            report.errors.append((line, str(error)))
        else:
            report.loaded += 1
    return report
