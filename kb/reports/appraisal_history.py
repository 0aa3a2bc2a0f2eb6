"""History across months: each agent's 绩效工资 points and pay, 目标 score and rating per month, and the
半年小结 / 年终总结 the 工作细则 asks for ("每月测评一次，半年小结一次，年终总结考核").

A month counts once it has ended (``now`` past its end); a published month shows what was published,
a month not yet published what the records give today (marked 未公布).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from kb.reports.appraisal import POOR, REPORT, WARNING, appraise_all, can_read_appraisals, can_view_appraisal
from kb.core.errors import KbError
from kb.reports.pay import DISMISSAL
from kb.core.periods import Period, month_period
from kb.core.permissions import Forbidden
from kb.accounts.users import AGENT, User

HALVES = {1: ("上半年小结", range(1, 7)), 2: ("下半年小结", range(7, 13)), None: ("年终总结", range(1, 13))}


class HistoryError(KbError):
    pass


@dataclass
class MonthRecord:
    month: str
    label: str
    pay_points: float
    pay_yuan: float
    pay_flags: list[str]
    total: float
    rating: str
    flags: list[str]
    published: bool


@dataclass
class Summary:
    agent: User
    title: str                     # 2024年上半年小结 / 2024年年终总结
    months: list[MonthRecord] = field(default_factory=list)

    @property
    def pay_yuan(self) -> float:
        return round(sum(m.pay_yuan for m in self.months), 2)

    @property
    def average_total(self) -> float | None:
        return round(sum(m.total for m in self.months) / len(self.months), 1) if self.months else None

    @property
    def poor_months(self) -> list[str]:
        return [m.label for m in self.months if m.rating == POOR]

    @property
    def flags(self) -> list[str]:
        seen = [flag for m in self.months for flag in m.flags + m.pay_flags]
        return [flag for flag in (WARNING, REPORT, "一票否决", DISMISSAL) if flag in seen]


def summary_title(year: int, half: int | None) -> str:
    return f"{year}年{HALVES[half][0] if half in HALVES else ''}"


def summary_months(year: int, half: int | None, now: dt.datetime) -> list[Period]:
    if half not in HALVES:
        raise HistoryError("应为上半年（1）、下半年（2）或全年")
    if not 2000 <= year <= 2100:
        raise HistoryError(f"年份“{year}”无效")
    return [p for p in (month_period(year, m) for m in HALVES[half][1]) if p.end <= now]


def build_summaries(session: Session, actor, data: dict) -> list[Summary]:
    """``{"year", "half" (1, 2 or None for the year), "agent_id"?, "now"}``: the director and 征管处 get every
    agent (or the one named) and every ended month; an agent their own, published months only."""
    now = data["now"]
    agent_id = data.get("agent_id")
    if not can_read_appraisals(actor):
        if agent_id is None or not can_view_appraisal(actor, agent_id):
            raise Forbidden("只能查看本人的考核总结")
    agents = None
    if agent_id is not None:
        agent = session.get(User, agent_id)
        if agent is None or agent.role != AGENT:
            raise HistoryError("请选择咨询服务员")
        agents = [agent]
    year, half = int(data["year"]), data.get("half")
    title = summary_title(year, half)
    summaries: dict[int, Summary] = {}
    previous = None   # each month's ratings serve the next one (computed for the first)
    for period in summary_months(year, half, now):
        appraisals = appraise_all(session, period, now, agents, previous=previous)
        previous = {a.agent.id: a.rating for a in appraisals}
        for a in appraisals:
            if not a.published and not can_read_appraisals(actor):
                continue
            summary = summaries.setdefault(a.agent.id, Summary(a.agent, title))
            summary.months.append(MonthRecord(
                period.key, period.label, a.pay.points, a.pay.pay_yuan, a.pay.flags, a.total, a.rating, a.flags,
                a.published))
    if agents:
        for agent in agents:
            summaries.setdefault(agent.id, Summary(agent, title))
    return sorted(summaries.values(), key=lambda s: (s.agent.staff_no or "", s.agent.username))
