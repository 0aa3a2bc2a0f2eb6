"""Working days on China's official calendar, and when a referral is due.

Working days come from ``chinese_calendar`` (the State Council's yearly holiday notices: public
holidays off, 调休 make-up working days on, even on a Saturday or Sunday). For a year the
package does not cover yet, the notice the director entered (``kb.hotline.official_calendar``), else
Monday to Friday: such a deadline is provisional (``is_provisional``).

The deadline rule (《转办单》“原则上在两天内”答复, counted in working days):

- a referral opened on a working day before ``CUTOFF`` (18:00, the end of the hotline's
  working day) counts that day as day 0; its working-day count starts the next working day;
- opened at or after 18:00, or on a rest day, day 0 is the next working day;
- it is due at ``CUTOFF`` (18:00) of the second working day after day 0.

So a referral opened Monday 10:00 is due Wednesday 18:00; opened Monday 19:00 (day 0 is
Tuesday), Thursday 18:00; opened on a Sunday (day 0 is Monday), Wednesday 18:00 — with
holidays skipped and 调休 Saturdays or Sundays counted. Times are aware datetimes in any zone; the days,
the cut-off and the due time are Beijing's (``kb.core.timestamps.to_beijing``).
"""
from __future__ import annotations

import datetime as dt

import chinese_calendar

from kb.core.timestamps import beijing_datetime, to_beijing

CUTOFF = dt.time(18, 0)
DUE_WORKING_DAYS = 2


# Years entered by the director from the State Council's notice (``kb.hotline.official_calendar``):
# year -> (holidays, 调休 working days). Used only for years the package does not cover.
_OFFICIAL: dict[int, tuple[frozenset[dt.date], frozenset[dt.date]]] = {}


def set_official_days(years: dict[int, tuple]) -> None:
    """Replace the entered years: ``{year: (holidays, working days)}``."""
    _OFFICIAL.clear()
    for year, (holidays, extra) in years.items():
        set_official_day(year, holidays, extra)


def set_official_day(year: int, holidays, extra) -> None:
    _OFFICIAL[year] = (frozenset(holidays), frozenset(extra))


def is_covered(day: dt.date) -> bool:
    """Whether the official calendar for ``day``'s year is known to ``chinese_calendar``."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def is_known(day: dt.date) -> bool:
    """Whether ``day``'s year is covered by the package or entered by the director."""
    return is_covered(day) or day.year in _OFFICIAL


def is_provisional(day: dt.date) -> bool:
    """A deadline on ``day`` is provisional: its year's holidays are not known (Monday to Friday assumed)."""
    return not is_known(day)


def is_working_day(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        pass
    official = _OFFICIAL.get(day.year)
    if official is not None:
        holidays, extra = official
        if day in extra:
            return True
        if day in holidays:
            return False
    return day.weekday() < 5  # a year not yet published nor entered: Monday to Friday


def next_working_day(day: dt.date) -> dt.date:
    """The first working day strictly after ``day``."""
    day += dt.timedelta(days=1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def first_working_day_from(day: dt.date) -> dt.date:
    """``day`` if it is a working day, else the next one (休息天顺延)."""
    return day if is_working_day(day) else next_working_day(day)


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The ``count``-th working day after ``day`` (``day`` itself is not counted)."""
    for _ in range(count):
        day = next_working_day(day)
    return day


def start_day(opened_at: dt.datetime) -> dt.date:
    """Day 0 of the count: the opening day (in Beijing) if it is a working day before the cut-off."""
    opened_at = to_beijing(opened_at)
    day = opened_at.date()
    if is_working_day(day) and opened_at.time() < CUTOFF:
        return day
    return next_working_day(day)


def due_at(opened_at: dt.datetime, working_days: int = DUE_WORKING_DAYS) -> dt.datetime:
    """When a referral opened at ``opened_at`` must be answered (see the module rule), in Beijing time."""
    return beijing_datetime(add_working_days(start_day(opened_at), working_days), CUTOFF)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def working_days_late(due: dt.datetime, until: dt.datetime) -> int:
    """Whole working days past ``due`` at ``until``: the working days after the due day up to
    ``until``'s day (0 when answered, or still open, later on the due day itself)."""
    return working_days_between(to_beijing(due).date(), to_beijing(until).date()) if until > due else 0


def deadline_status(due: dt.datetime, now: dt.datetime) -> str:
    """What is left of a deadline, in working days: 剩 2 个工作日, 今日 18:00 到期, 已超期 1 个工作日."""
    if now <= due:
        due = to_beijing(due)
        left = working_days_between(to_beijing(now).date(), due.date())
        if left == 0:
            return f"今日 {due:%H:%M} 到期"
        return f"剩 {left} 个工作日"
    return late_label(working_days_late(due, now))


def late_label(days: int) -> str:
    return f"已超期 {days} 个工作日" if days else "已超期（不足 1 个工作日）"
