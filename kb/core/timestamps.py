"""Moments in time: stored as aware UTC, worked with as aware datetimes, shown in Beijing time.

Every ``*_at`` column is a ``UtcDateTime``: it takes only aware datetimes (a naive one is refused, since
naive times are how UTC and Beijing time once got mixed in the same database), stores the instant in UTC
(``timestamptz`` on PostgreSQL; a UTC text on SQLite) and gives back aware UTC datetimes.

In memory every datetime is aware; comparing or subtracting aware values in different zones is correct.
Code that takes a calendar date, an hour or a month boundary (working-day deadlines, a report's month, a
campaign's daily hours, "calls today") converts to Beijing time first with ``to_beijing``; pages, exports
and reports show Beijing time, JSON gives ISO 8601 with the offset.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

UTC = dt.timezone.utc
BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")  # no daylight saving in China since 1991


class NaiveDatetimeError(ValueError):
    """A datetime without a time zone was about to be stored."""


def utc_now() -> dt.datetime:
    """Now, aware, in UTC."""
    return dt.datetime.now(UTC)


def beijing_now() -> dt.datetime:
    """Now, aware, in Beijing time, to the second."""
    return dt.datetime.now(BEIJING).replace(microsecond=0)


def to_beijing(value: dt.datetime | None) -> dt.datetime | None:
    """An aware datetime as Beijing time (``None`` stays ``None``); a naive one is refused."""
    if value is None:
        return None
    _require_aware(value)
    return value.astimezone(BEIJING)


def beijing_datetime(day: dt.date, time: dt.time = dt.time()) -> dt.datetime:
    """``day`` at ``time`` on Beijing's clock, aware."""
    return dt.datetime.combine(day, time, tzinfo=BEIJING)


def beijing_date(value: dt.datetime) -> dt.date:
    """The Beijing calendar day of an aware moment."""
    return to_beijing(value).date()


def _require_aware(value: dt.datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"naive datetime {value.isoformat()} refused: give a time zone (kb.core.timestamps.utc_now() "
            "or beijing_now(); to_beijing for display)")


class UtcDateTime(TypeDecorator):
    """A moment, stored in UTC; aware datetimes in, aware UTC datetimes out, naive refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"a datetime is needed, not {type(value).__name__}")
        _require_aware(value)
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":  # stored as text without an offset: always UTC
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):  # a value read where the column type was not known
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def beijing_iso(value: dt.datetime | None) -> str | None:
    """ISO 8601 in Beijing time with its offset (``2024-05-01 07:30:00+08:00``): what JSON gives."""
    return None if value is None else to_beijing(value).isoformat(sep=" ")
