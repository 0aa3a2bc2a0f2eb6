"""《12366信息专报》: the figures of a period as plain data, for the page, the .docx and the CLI.

``build_bulletin(session, period, now)`` reads the records of ``period`` (``kb.core.periods``) and returns
a ``Bulletin``: calls by day, category, tax type and disposition; the most asked questions grouped
by similarity (``kb.faq.similarity``), each with the published FAQ entry that answers it or none;
topics rising against the previous period; searches that found nothing; referrals by department
(on-time rate, average handling time, the overdue list); the five 100% promises with the records
that break them (``kb.reports.promises``); the director's 加工提炼 and the callers' 意见建议 with what became of
each (``kb.reports.bulletin_issues``); the summary of each 专题答疑 that ended in the month (``kb.channels.campaigns``). ``build_weekly`` is the agents' weekly summary: the same figures
for one week, without the management sections.

Content of 举报 and 投诉 calls never appears (they are counted, not quoted).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.reports.bulletin_issues import SUGGESTIONS_SECTION, Editorial, build_editorial, get_issue
from kb.channels.campaigns import CampaignSummary, summaries_for_month
from kb.hotline.calls import DISPOSITIONS
from kb.hotline.models import STATE_LABELS, Call, Referral, is_confidential_matter
from kb.faq.models import PUBLISHED, FaqEntry
from kb.core.periods import Period
from kb.core.permissions import department_of, is_supervising_department, role_of
from kb.reports.promises import Promise, check_promises, referral_summary_of
from kb.reports.models import QueryLog
from kb.hotline.routing import CATEGORIES
from kb.faq.similarity import FaqMatcher, distinct_variants, group_questions, question_key
from kb.accounts.roles import ADMIN, AGENT, DEPARTMENT, DIRECTOR, POLICY
from kb.core.workdays import is_working_day, working_days_late
from kb.core.timestamps import beijing_date

TOP_QUESTIONS = 20
TOP_SEARCHES = 20
RISING_LIMIT = 10
RISING_MIN_COUNT = 3      # a topic must be asked this often to be "rising"
RISING_MIN_RATIO = 1.5    # and this many times as often as in the previous period
NO_TAX_TYPE = "未分税种"
TITLE = "12366信息专报"
CAMPAIGNS_SECTION = "八、税收政策专题答疑活动"
# The sections of the bulletin, in order, as every rendering titles them (weekly: the first four).
SECTIONS = ("一、来电总体情况", "二、来电最多的问题", "三、上升的话题", "四、未检索到结果的搜索",
            "五、转办件办理情况", "六、五个100%服务承诺", SUGGESTIONS_SECTION, CAMPAIGNS_SECTION)
WEEKLY_SECTIONS = SECTIONS[:4]


def can_view_bulletin(actor) -> bool:
    """The director compiles it; the policy office, the admin and 征管处 (in charge) may read it."""
    return role_of(actor) in (DIRECTOR, POLICY, ADMIN) or is_supervising_department(actor)


def can_read_issue(session: Session, actor, month: str) -> bool:
    """The bulletin readers, and a department the director shared that month's issue with."""
    if can_view_bulletin(actor):
        return True
    if role_of(actor) != DEPARTMENT or not department_of(actor):
        return False
    issue = get_issue(session, month)
    return issue is not None and issue.shared_at is not None and department_of(actor) in (issue.shared_with or [])


def can_view_weekly(actor) -> bool:
    return role_of(actor) in (AGENT, DIRECTOR, POLICY, ADMIN) or is_supervising_department(actor)


@dataclass
class TopQuestion:
    wording: str
    count: int
    variants: list[str]
    faq_id: int | None = None
    faq_question: str | None = None


@dataclass
class RisingTopic:
    kind: str        # 问题 or 税种
    label: str
    count: int
    previous: int

    @property
    def change(self) -> int:
        return self.count - self.previous


@dataclass
class ZeroSearch:
    wording: str
    count: int
    variants: list[str]


@dataclass
class DepartmentFigures:
    department: str
    sent: int = 0
    answered: int = 0
    on_time: int = 0
    late: int = 0
    pending: int = 0
    handling_hours: list[float] = field(default_factory=list)

    @property
    def on_time_rate(self) -> float | None:
        """On time among those whose time limit has passed (None when none has)."""
        judged = self.on_time + self.late
        return self.on_time / judged if judged else None

    @property
    def average_hours(self) -> float | None:
        return sum(self.handling_hours) / len(self.handling_hours) if self.handling_hours else None


@dataclass
class OverdueReferral:
    id: int
    department: str
    question: str
    sent_at: dt.datetime
    due_at: dt.datetime
    answered_at: dt.datetime | None
    hours_late: float
    reminders: int
    state: str
    working_days_late: int = 0  # on the official calendar (kb.core.workdays)

    @property
    def late_label(self) -> str:
        return f"{self.working_days_late} 个工作日" if self.working_days_late else "不足 1 个工作日"


@dataclass
class Bulletin:
    period: Period
    now: dt.datetime
    total_calls: int = 0
    previous_calls: int = 0
    by_day: list[tuple[dt.date, int]] = field(default_factory=list)
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_tax_type: list[tuple[str, int]] = field(default_factory=list)
    by_disposition: list[tuple[str, int]] = field(default_factory=list)
    top_questions: list[TopQuestion] = field(default_factory=list)
    rising: list[RisingTopic] = field(default_factory=list)
    searches: int = 0
    zero_searches: int = 0
    zero_groups: list[ZeroSearch] = field(default_factory=list)
    departments: list[DepartmentFigures] = field(default_factory=list)
    overdue: list[OverdueReferral] = field(default_factory=list)
    promises: list[Promise] = field(default_factory=list)
    editorial: Editorial | None = None   # the director's 加工提炼 and the 意见建议 section (monthly only)
    campaigns: list[CampaignSummary] = field(default_factory=list)  # 专题答疑 that ended in the month

    @property
    def referrals_sent(self) -> int:
        return sum(d.sent for d in self.departments)

    @property
    def on_time_rate(self) -> float | None:
        judged = sum(d.on_time + d.late for d in self.departments)
        return sum(d.on_time for d in self.departments) / judged if judged else None

    @property
    def faq_coverage(self) -> float | None:
        """Share of the top questions' calls that an FAQ entry answers."""
        total = sum(q.count for q in self.top_questions)
        return sum(q.count for q in self.top_questions if q.faq_id) / total if total else None

    @property
    def rest_days(self) -> set[dt.date]:
        return {day for day, _n in self.by_day if not is_working_day(day)}

    @property
    def departments_rates(self) -> list[tuple[str, float]]:
        return [(d.department, d.on_time_rate) for d in self.departments if d.on_time_rate is not None]

    @property
    def promise_rates(self) -> list[tuple[str, float]]:
        return [(p.name, p.rate) for p in self.promises]

    @property
    def rising_note(self) -> str:
        """What the 上升的话题 section says when it lists nothing."""
        if not self.previous_calls:
            return f"上期（{self.period.previous().label}）没有来电记录，无法比较上升的话题。"
        return "本期没有明显上升的话题。"

    @property
    def rising_rows(self) -> list[tuple[str, int]]:
        return [(f"{t.kind}：{t.label}", t.change) for t in self.rising]

    @property
    def zero_rate(self) -> float | None:
        return self.zero_searches / self.searches if self.searches else None


def build_bulletin(session: Session, period: Period, now: dt.datetime, weekly: bool = False) -> Bulletin:
    bulletin = Bulletin(period=period, now=now)
    rows = _calls(session, period)
    previous = _calls(session, period.previous())
    bulletin.total_calls, bulletin.previous_calls = len(rows), len(previous)
    _count_calls(bulletin, rows)
    askable = [r.question for r in rows if not is_confidential_matter(r.category, r.transferred_to)]
    bulletin.top_questions = _top_questions(session, askable)
    bulletin.rising = _rising(rows, previous) if previous else []  # nothing to compare with: no "+583 vs 0"
    _searches(session, bulletin, period)
    if not weekly:
        _referrals(session, bulletin, period, now)
        bulletin.promises = list(check_promises(session, period, now).values())
        bulletin.editorial = build_editorial(session, period)
        bulletin.campaigns = summaries_for_month(session, period.start.date(), period.end.date())
    return bulletin


def build_weekly(session: Session, period: Period, now: dt.datetime) -> Bulletin:
    return build_bulletin(session, period, now, weekly=True)


def _calls(session: Session, period: Period) -> list:
    return session.execute(
        select(Call.created_at, Call.category, Call.tax_type, Call.disposition, Call.question, Call.transferred_to)
        .where(Call.created_at >= period.start, Call.created_at < period.end)).all()


def _count_calls(bulletin: Bulletin, rows) -> None:
    days = Counter(beijing_date(r.created_at) for r in rows)
    bulletin.by_day = [(day, days.get(day, 0)) for day in bulletin.period.days]
    categories = Counter(r.category for r in rows)
    bulletin.by_category = [(c, categories[c]) for c in CATEGORIES if categories[c]] + sorted(
        ((c, n) for c, n in categories.items() if c not in CATEGORIES), key=lambda item: -item[1])
    taxes = Counter(r.tax_type or NO_TAX_TYPE for r in rows)
    bulletin.by_tax_type = sorted(taxes.items(), key=lambda item: (item[0] == NO_TAX_TYPE, -item[1], item[0]))
    dispositions = Counter(r.disposition for r in rows)
    bulletin.by_disposition = [(d, dispositions[d]) for d in DISPOSITIONS if dispositions[d]]


def _top_questions(session: Session, questions: list[str]) -> list[TopQuestion]:
    """The most asked questions; groups answered by the same FAQ entry are one question."""
    matcher = FaqMatcher(session.execute(
        select(FaqEntry.id, FaqEntry.question, FaqEntry.phrasings).where(FaqEntry.status == PUBLISHED)
        .order_by(FaqEntry.id)).all())
    merged: dict = {}
    for number, group in enumerate(group_questions(questions)[:TOP_QUESTIONS * 4]):
        entry, _score = matcher.best(group.variants[:10])
        slot = merged.setdefault(("faq", entry.entry_id) if entry else ("group", number), [entry, Counter()])
        slot[1].update(group.wordings)
    top = []
    for entry, wordings in merged.values():
        variants = distinct_variants(wordings)
        top.append(TopQuestion(wording=variants[0], count=sum(wordings.values()), variants=variants[1:6],
                               faq_id=entry.entry_id if entry else None, faq_question=entry.question if entry else None))
    top.sort(key=lambda q: (-q.count, q.wording))
    return top[:TOP_QUESTIONS]


def _rising(rows, previous) -> list[RisingTopic]:
    """Question groups and tax types asked clearly more often than in the previous period."""
    current_q = [r.question for r in rows if not is_confidential_matter(r.category, r.transferred_to)]
    previous_q = [r.question for r in previous if not is_confidential_matter(r.category, r.transferred_to)]
    groups = group_questions(current_q + previous_q)
    group_of = {key: n for n, group in enumerate(groups) for key in group.keys}
    now_counts = Counter(group_of[k] for k in map(question_key, current_q) if k in group_of)
    then_counts = Counter(group_of[k] for k in map(question_key, previous_q) if k in group_of)
    topics = [RisingTopic("问题", groups[n].wording, count, then_counts.get(n, 0)) for n, count in now_counts.items()]
    taxes_now = Counter(r.tax_type for r in rows if r.tax_type)
    taxes_then = Counter(r.tax_type for r in previous if r.tax_type)
    topics += [RisingTopic("税种", tax, count, taxes_then.get(tax, 0)) for tax, count in taxes_now.items()]
    rising = [t for t in topics if t.count >= RISING_MIN_COUNT and t.count >= RISING_MIN_RATIO * t.previous
              and t.count > t.previous]
    rising.sort(key=lambda t: (-t.change, -t.count, t.kind, t.label))
    return rising[:RISING_LIMIT]


def _searches(session: Session, bulletin: Bulletin, period: Period) -> None:
    in_period = (QueryLog.created_at >= period.start, QueryLog.created_at < period.end)
    bulletin.searches = session.scalar(select(func.count(QueryLog.id)).where(*in_period)) or 0
    zero = list(session.scalars(select(QueryLog.query).where(*in_period, QueryLog.result_count == 0)))
    bulletin.zero_searches = len(zero)
    bulletin.zero_groups = [ZeroSearch(g.wording, g.count, distinct_variants(g.wordings)[1:6])
                            for g in group_questions(zero)[:TOP_SEARCHES]]


def _referrals(session: Session, bulletin: Bulletin, period: Period, now: dt.datetime) -> None:
    """Referrals sent in the period, by receiving department."""
    figures: dict[str, DepartmentFigures] = {}
    for r in session.execute(
            select(Referral.id, Referral.department, Referral.suggested_department, Referral.category,
                   Referral.question, Referral.sent_at, Referral.due_at, Referral.answered_at, Referral.reminder_count,
                   Referral.state, Call.category.label("call_category"), Call.transferred_to)
            .outerjoin(Call, Call.id == Referral.call_id)
            .where(Referral.sent_at >= period.start, Referral.sent_at < period.end)
            .order_by(Referral.sent_at, Referral.id)):
        name = r.department or "（未定部门）"
        figure = figures.setdefault(name, DepartmentFigures(name))
        figure.sent += 1
        if r.answered_at is not None:
            figure.answered += 1
            figure.handling_hours.append((r.answered_at - r.sent_at).total_seconds() / 3600)
        until = r.answered_at or now
        if r.answered_at is None and now <= r.due_at:
            figure.pending += 1
        elif until <= r.due_at:
            figure.on_time += 1
        else:
            figure.late += 1
            bulletin.overdue.append(OverdueReferral(
                id=r.id, department=name, question=referral_summary_of(r), sent_at=r.sent_at,
                due_at=r.due_at, answered_at=r.answered_at, hours_late=(until - r.due_at).total_seconds() / 3600,
                working_days_late=working_days_late(r.due_at, until),
                reminders=r.reminder_count, state=STATE_LABELS.get(r.state, r.state)))
    bulletin.departments = sorted(figures.values(), key=lambda f: (-f.sent, f.department))
    bulletin.overdue.sort(key=lambda o: (-o.hours_late, o.id))

