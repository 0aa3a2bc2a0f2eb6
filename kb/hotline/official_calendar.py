"""The official calendar past what ``chinese_calendar`` knows: the State Council's holiday notice as data.

``chinese_calendar`` covers the years whose notice it ships (up to 2026 for the version pinned); for a
later year every deadline (referrals, 催办, the 5th and the 6th of the appraisal) would silently count
Monday to Friday, through the Spring Festival. The director enters the notice of a year here: its
holidays (放假) and its 调休 working days (上班的周六、周日). ``kb.core.workdays`` then uses them for that
year (and the due times of referrals awaiting an answer are counted again); once the package covers
the year it wins, and ``check_against_package`` lists where the entered
notice and the package disagree. A year neither covers is *provisional* (``kb.core.workdays.is_provisional``);
from November the director is reminded to enter the next year (``calendar_reminder``).

Every process keeps the entered years in ``kb.core.workdays`` (``load_calendars``); the web app reloads them
when they change (``webapp.storage``).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.core import workdays
from kb.core.errors import KbError
from kb.core.permissions import Forbidden, role_of
from kb.hotline.models import SENT, OfficialCalendar, Referral, ReferralEvent
from kb.accounts.roles import DIRECTOR
from kb.core.timestamps import beijing_datetime, utc_now

REMIND_FROM_MONTH = 11
_RANGE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})\s*(?:~|～|至|--|—|–)\s*(\d{4}-\d{1,2}-\d{1,2})$")


class CalendarError(KbError):
    pass


def can_enter_calendar(actor) -> bool:
    return role_of(actor) == DIRECTOR


def _date(text: str) -> dt.date:
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return dt.date(year, month, day)
    except ValueError:
        raise CalendarError(f"日期“{text}”格式不正确，应为 YYYY-MM-DD") from None


def parse_days(text: str) -> list[dt.date]:
    """Dates one a line or separated by commas; ``2027-02-06~2027-02-12`` (or 至) is a range."""
    days: set[dt.date] = set()
    for part in re.split(r"[\n,，、;；]+", text or ""):
        part = part.strip()
        if not part:
            continue
        match = _RANGE.match(part)
        if match:
            first, last = _date(match.group(1)), _date(match.group(2))
            if last < first or (last - first).days > 31:
                raise CalendarError(f"日期范围“{part}”无效")
            days.update(first + dt.timedelta(days=n) for n in range((last - first).days + 1))
        else:
            days.add(_date(part))
    return sorted(days)


def enter_calendar(session: Session, actor, data: dict) -> OfficialCalendar:
    """``{"year", "holidays": text, "workdays": text, "note", "at"?}``: the notice of a year."""
    if not can_enter_calendar(actor):
        raise Forbidden("只有中心主任可以录入节假日安排")
    try:
        year = int(str(data.get("year") or "").strip())
    except ValueError:
        raise CalendarError(f"年份“{data.get('year')}”无效") from None
    if not 2000 <= year <= 2100:
        raise CalendarError(f"年份“{year}”无效")
    holidays, extra = parse_days(data.get("holidays") or ""), parse_days(data.get("workdays") or "")
    if not holidays:
        raise CalendarError("请填写放假日期")
    for day in holidays + extra:
        if day.year != year:
            raise CalendarError(f"{day.isoformat()} 不在 {year} 年")
    for day in extra:
        if day.weekday() < 5:
            raise CalendarError(f"{day.isoformat()} 是周一至周五，调休上班日应为周六或周日")
    both = set(holidays) & set(extra)
    if both:
        raise CalendarError(f"{min(both).isoformat()} 既是放假日又是调休上班日")
    row = session.get(OfficialCalendar, year)
    if row is None:
        row = OfficialCalendar(year=year)
        session.add(row)
    row.holidays, row.workdays = [d.isoformat() for d in holidays], [d.isoformat() for d in extra]
    row.note = (data.get("note") or "").strip() or None
    row.entered_at, row.entered_by_id = data.get("at") or utc_now(), actor.id
    session.flush()
    workdays.set_official_day(year, holidays, extra)
    recompute_due_times(session, year)
    return row


def recompute_due_times(session: Session, year: int) -> int:
    """Referrals still awaiting their answer whose due time was counted across ``year``: the due time and
    the time limit of the last 催办 counted again on the calendar now known. Returns how many changed."""
    changed = 0
    start, end = beijing_datetime(dt.date(year - 1, 12, 1)), beijing_datetime(dt.date(year + 1, 1, 1))
    for referral in session.scalars(select(Referral).where(
            Referral.state == SENT, Referral.sent_at.is_not(None), Referral.sent_at >= start, Referral.sent_at < end)):
        due = workdays.due_at(referral.sent_at)
        reminded_at = session.scalar(select(func.max(ReferralEvent.at)).where(
            ReferralEvent.referral_id == referral.id, ReferralEvent.kind == "reminder"))
        reminder_due = workdays.due_at(reminded_at, 1) if reminded_at is not None else referral.reminder_due_at
        if (due, reminder_due) != (referral.due_at, referral.reminder_due_at):
            referral.due_at, referral.reminder_due_at = due, reminder_due
            changed += 1
    session.flush()
    return changed


def calendars(session: Session) -> list[OfficialCalendar]:
    return list(session.scalars(select(OfficialCalendar).order_by(OfficialCalendar.year)))


def load_calendars(session: Session) -> None:
    """Give ``kb.core.workdays`` every entered year (replacing what it held)."""
    workdays.set_official_days({row.year: ([dt.date.fromisoformat(d) for d in row.holidays],
                                           [dt.date.fromisoformat(d) for d in row.workdays])
                                for row in calendars(session)})


def calendar_stamp(session: Session) -> tuple:
    """Changes when a year is entered or changed: (count, latest entry time)."""
    return tuple(session.execute(select(func.count(), func.max(OfficialCalendar.entered_at))).one())


@dataclass(frozen=True)
class Mismatch:
    day: dt.date
    entered: bool      # working day according to the entered notice
    package: bool      # working day according to chinese_calendar


def check_against_package(session: Session) -> dict[int, list[Mismatch]]:
    """For each entered year the package covers: the days where the two disagree."""
    result = {}
    for row in calendars(session):
        if not workdays.is_covered(dt.date(row.year, 1, 1)):
            continue
        holidays, extra = set(row.holidays), set(row.workdays)
        day, mismatches = dt.date(row.year, 1, 1), []
        while day.year == row.year:
            entered = day.isoformat() in extra or (day.weekday() < 5 and day.isoformat() not in holidays)
            package = workdays.is_working_day(day)
            if entered != package:
                mismatches.append(Mismatch(day, entered, package))
            day += dt.timedelta(days=1)
        result[row.year] = mismatches
    return result


def calendar_reminder(today: dt.date) -> str | None:
    """From November: a reminder when next year's notice is known neither to the package nor entered;
    any day: a warning when this year's is not."""
    for year in (today.year, today.year + 1):
        if workdays.is_known(dt.date(year, 1, 1)):
            continue
        if year == today.year:
            return f"{year}年的节假日安排尚未录入，期限暂按周一至周五计算，请录入国务院办公厅的放假通知。"
        if today.month >= REMIND_FROM_MONTH:
            return f"请录入{year}年的节假日安排（国务院办公厅放假通知）：未录入前，{year}年的期限暂按周一至周五计算。"
    return None
