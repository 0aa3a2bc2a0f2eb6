"""The periods reports cover: a calendar month (the bulletin, the appraisal) or a week (the agents' summary).

Bounds are aware Beijing datetimes (a month starts at midnight in Beijing); a period is
``start <= at < end`` for an aware ``at`` in any zone.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from kb.core.errors import KbError
from kb.core.timestamps import BEIJING, beijing_datetime

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


class PeriodError(KbError):
    pass


@dataclass(frozen=True)
class Period:
    start: dt.datetime
    end: dt.datetime
    label: str   # 2024年5月, 2024年5月6日—5月12日
    key: str     # 2024-05, 2024-05-06

    @property
    def days(self) -> list[dt.date]:
        first, last = self.start.date(), (self.end - dt.timedelta(seconds=1)).date()
        return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]

    def previous(self) -> "Period":
        if len(self.key) == 7:
            before = self.start.date() - dt.timedelta(days=1)
            return month_period(before.year, before.month)
        return week_period(self.start.date() - dt.timedelta(days=7))

    def contains(self, at: dt.datetime | None) -> bool:
        return at is not None and self.start <= at < self.end


def month_period(year: int, month: int) -> Period:
    if not 1 <= month <= 12:
        raise PeriodError(f"月份“{year}-{month}”无效")
    start = dt.datetime(year, month, 1, tzinfo=BEIJING)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=BEIJING)
    return Period(start=start, end=end, label=f"{year}年{month}月", key=f"{year:04d}-{month:02d}")


def parse_month(text: str) -> Period:
    """``YYYY-MM`` (``YYYY-M`` accepted) as a period."""
    match = _MONTH.match((text or "").strip())
    if not match:
        raise PeriodError(f"月份“{text}”格式不正确，应为 YYYY-MM")
    return month_period(int(match.group(1)), int(match.group(2)))


def previous_month(today: dt.date) -> Period:
    before = today.replace(day=1) - dt.timedelta(days=1)
    return month_period(before.year, before.month)


def week_period(day: dt.date) -> Period:
    """The week (Monday to Sunday) holding ``day``."""
    monday = day - dt.timedelta(days=day.weekday())
    sunday = monday + dt.timedelta(days=6)
    start = beijing_datetime(monday)
    return Period(start=start, end=start + dt.timedelta(days=7),
                  label=f"{monday.year}年{monday.month}月{monday.day}日—{sunday.month}月{sunday.day}日",
                  key=monday.isoformat())


def parse_week(text: str) -> Period:
    try:
        return week_period(dt.date.fromisoformat((text or "").strip()))
    except ValueError:
        raise PeriodError(f"日期“{text}”格式不正确，应为 YYYY-MM-DD") from None
