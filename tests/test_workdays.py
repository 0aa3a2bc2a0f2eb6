"""Working days on China's official calendar (chinese_calendar) and the two-working-day deadline."""
from __future__ import annotations

import datetime as dt

import pytest

from kb.core.workdays import (
    add_working_days, deadline_status, due_at, is_covered, is_working_day, start_day, working_days_between,
    working_days_late,
)
from kb.core.timestamps import BEIJING

D = dt.date


def T(*fields) -> dt.datetime:
    """A moment on Beijing's clock."""
    return dt.datetime(*fields, tzinfo=BEIJING)


def test_the_calendar_knows_holidays_and_make_up_days():
    assert is_covered(D(2025, 10, 1)) and is_covered(D(2026, 2, 17))
    assert not is_working_day(D(2025, 10, 1))       # National Day
    assert not is_working_day(D(2025, 10, 8))       # still the National Day holiday (a Wednesday)
    assert is_working_day(D(2025, 9, 28))           # Sunday, 调休 make-up working day
    assert is_working_day(D(2025, 10, 11))          # Saturday, 调休 make-up working day
    assert is_working_day(D(2026, 2, 14))           # Saturday before the Spring Festival, make-up day
    assert not is_working_day(D(2026, 2, 23))       # Monday, Spring Festival holiday


@pytest.mark.parametrize("opened, due", [
    # An ordinary week: day 0 is the opening day before 18:00, the next working day after.
    (T(2025, 11, 17, 10, 0), T(2025, 11, 19, 18, 0)),   # Monday morning -> Wednesday
    (T(2025, 11, 17, 18, 0), T(2025, 11, 20, 18, 0)),   # Monday 18:00 -> Thursday
    (T(2025, 11, 14, 17, 59), T(2025, 11, 18, 18, 0)),  # Friday before 18:00 -> Tuesday
    (T(2025, 11, 16, 9, 0), T(2025, 11, 19, 18, 0)),    # Sunday -> day 0 Monday -> Wednesday
    # National Day 2025: holiday 1-8 October, make-up days Sunday 28 September and Saturday 11 October.
    (T(2025, 9, 30, 10, 0), T(2025, 10, 10, 18, 0)),    # Tuesday before the holiday -> 9, 10 October
    (T(2025, 9, 30, 19, 0), T(2025, 10, 11, 18, 0)),    # evening: day 0 is 9 October -> Saturday 11th
    (T(2025, 10, 4, 11, 0), T(2025, 10, 11, 18, 0)),    # opened during the holiday
    (T(2025, 9, 27, 11, 0), T(2025, 9, 30, 18, 0)),     # Saturday: day 0 is the make-up Sunday 28th
    (T(2025, 9, 28, 9, 0), T(2025, 9, 30, 18, 0)),      # on the make-up Sunday itself
    # Spring Festival 2026: holiday 15-23 February, make-up Saturdays 14 and 28 February.
    (T(2026, 2, 13, 15, 0), T(2026, 2, 24, 18, 0)),     # Friday -> Saturday 14th, then Tuesday 24th
    (T(2026, 2, 24, 9, 0), T(2026, 2, 26, 18, 0)),
    (T(2026, 2, 26, 10, 0), T(2026, 2, 28, 18, 0)),     # Thursday -> Friday, make-up Saturday 28th
])
def test_a_referral_is_due_two_working_days_after_it_is_opened(opened, due):
    assert due_at(opened) == due


def test_helpers():
    assert start_day(T(2025, 10, 3, 9, 0)) == D(2025, 10, 9)
    assert add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert working_days_between(D(2025, 9, 30), D(2025, 10, 11)) == 3
    assert working_days_between(D(2025, 10, 11), D(2025, 9, 30)) == 0


def test_a_year_the_calendar_does_not_cover_falls_back_to_monday_to_friday():
    assert not is_covered(D(2099, 1, 5))
    assert is_working_day(D(2099, 1, 5)) and not is_working_day(D(2099, 1, 3))
    assert due_at(T(2099, 1, 2, 10, 0)) == T(2099, 1, 6, 18, 0)  # Friday -> Monday, Tuesday


def test_what_is_left_of_a_deadline_is_told_in_working_days():
    due = due_at(T(2025, 9, 29, 10, 0))  # Monday before National Day: due Thursday 9 October 18:00
    assert due == T(2025, 10, 9, 18, 0)
    assert deadline_status(due, T(2025, 9, 29, 11, 0)) == "剩 2 个工作日"  # 30 September, 9 October
    assert deadline_status(due, T(2025, 10, 3, 9, 0)) == "剩 1 个工作日"  # the holiday does not count
    assert deadline_status(due, T(2025, 10, 9, 9, 0)) == "今日 18:00 到期"
    assert deadline_status(due, T(2025, 10, 9, 19, 0)) == "已超期（不足 1 个工作日）"
    assert deadline_status(due, T(2025, 10, 11, 9, 0)) == "已超期 2 个工作日"  # Saturday 11 October is 调休
    assert deadline_status(due, T(2025, 10, 12, 9, 0)) == "已超期 2 个工作日"  # Sunday is not
    assert working_days_late(due, T(2025, 10, 9, 17, 0)) == 0


def test_the_deadline_counts_beijing_days_whatever_zone_the_moment_is_given_in():
    utc = dt.timezone.utc
    # Friday 7 March 2025, 15:00 UTC = 23:00 Beijing: after the cut-off, day 0 is Monday the 10th.
    assert due_at(dt.datetime(2025, 3, 7, 15, 0, tzinfo=utc)) == T(2025, 3, 12, 18, 0)
    # Monday 10 March, 01:30 UTC = 09:30 Beijing: day 0 is Monday.
    assert due_at(dt.datetime(2025, 3, 10, 1, 30, tzinfo=utc)) == T(2025, 3, 12, 18, 0)
    # Due Wednesday 18:00 Beijing; Wednesday 16:00 Beijing is 08:00 UTC: still on the due day.
    assert deadline_status(T(2025, 3, 12, 18, 0), dt.datetime(2025, 3, 12, 8, 0, tzinfo=utc)) == "今日 18:00 到期"
    # Thursday 23:30 Beijing (15:30 UTC) is one working day late; 00:30 Friday (16:30 UTC) two.
    assert working_days_late(T(2025, 3, 12, 18, 0), dt.datetime(2025, 3, 13, 15, 30, tzinfo=utc)) == 1
    assert working_days_late(T(2025, 3, 12, 18, 0), dt.datetime(2025, 3, 13, 16, 30, tzinfo=utc)) == 2
