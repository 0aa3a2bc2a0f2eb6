"""The official calendar past what chinese-calendar knows: the director enters the State Council's notice
for a year; deadlines in a year neither knows are provisional; the director is reminded from November."""
from __future__ import annotations

import datetime as dt

import pytest

from kb.core import workdays
from kb.core.actors import SYSTEM
from kb.reports.appraisal_rules import deadline
from kb.hotline.official_calendar import (
    CalendarError, calendar_reminder, check_against_package, enter_calendar, parse_days,
)
from kb.core.permissions import Forbidden
from kb.hotline.referrals import NewReferral, open_referral, send_referral
from kb.hotline.reminders import send_reminders
from kb.accounts.users import NewUser, create_user
from tests.web_helpers import csrf_token, login
from kb.core.timestamps import BEIJING

# The 2027 Spring Festival (6 February, a Saturday): a notice as the State Council would write it.
HOLIDAYS_2027 = "2027-01-01\n2027-02-05~2027-02-13\n2027-04-05\n2027-05-01~2027-05-05\n2027-10-01~2027-10-07"
WORKDAYS_2027 = "2027-02-14, 2027-02-20"


@pytest.fixture(autouse=True)
def forget_entered_years():
    yield
    workdays.set_official_days({})


def _user(session, name, role, **fields):
    return create_user(session, SYSTEM, NewUser(username=name, role=role, password="password-123", **fields))[0]


def test_an_uncovered_year_counts_monday_to_friday_until_entered(session):
    director = _user(session, "director", "director")
    agent = _user(session, "agent", "agent", staff_no="1001")
    friday = dt.datetime(2027, 2, 5, 10, 0, tzinfo=BEIJING)
    assert workdays.is_provisional(friday.date()) and workdays.due_at(friday) == dt.datetime(2027, 2, 9, 18, 0, tzinfo=BEIJING)
    referral = open_referral(session, agent, NewReferral(caller_name="李女士", caller_contact="13900000000",
                                                         question="春节前开的发票怎么作废", department="货物和劳务税处",
                                                         at=friday))
    send_referral(session, agent, {"referral_id": referral.id, "at": friday})
    assert referral.due_at == dt.datetime(2027, 2, 9, 18, 0, tzinfo=BEIJING)      # through the Spring Festival: wrong
    assert deadline("2027-01", 5) == dt.date(2027, 2, 5)
    reminded = open_referral(session, agent, NewReferral(caller_name="李女士", caller_contact="13900000000",
                                                         question="年前的申报逾期了怎么办", department="征管处",
                                                         at=dt.datetime(2027, 1, 28, 10, 0, tzinfo=BEIJING)))
    send_referral(session, agent, {"referral_id": reminded.id, "at": dt.datetime(2027, 1, 28, 10, 0, tzinfo=BEIJING)})
    assert send_reminders(session, dt.datetime(2027, 2, 4, 10, 0, tzinfo=BEIJING)).reminded == [reminded]
    assert reminded.reminder_due_at == dt.datetime(2027, 2, 5, 18, 0, tzinfo=BEIJING)

    with pytest.raises(Forbidden):
        enter_calendar(session, agent, {"year": 2027, "holidays": HOLIDAYS_2027})
    enter_calendar(session, director, {"year": "2027", "holidays": HOLIDAYS_2027, "workdays": WORKDAYS_2027,
                                       "note": "国务院办公厅关于2027年部分节假日安排的通知"})
    assert not workdays.is_provisional(friday.date())
    assert not workdays.is_working_day(dt.date(2027, 2, 8)) and workdays.is_working_day(dt.date(2027, 2, 14))
    # Friday 5 February is a holiday: day 0 is Sunday the 14th (调休), due Tuesday the 16th
    assert workdays.due_at(friday) == dt.datetime(2027, 2, 16, 18, 0, tzinfo=BEIJING)
    assert referral.due_at == dt.datetime(2027, 2, 16, 18, 0, tzinfo=BEIJING)     # the referral awaiting its answer, counted again
    assert reminded.due_at == dt.datetime(2027, 2, 1, 18, 0, tzinfo=BEIJING)
    assert reminded.reminder_due_at == dt.datetime(2027, 2, 14, 18, 0, tzinfo=BEIJING)  # the 催办's time limit too
    assert deadline("2027-01", 5) == dt.date(2027, 2, 14)         # the 5th is off: moved to the next working day


@pytest.mark.parametrize("data, message", [
    ({"year": "二〇二七", "holidays": "2027-01-01"}, "年份"),
    ({"year": 2027, "holidays": ""}, "放假日期"),
    ({"year": 2027, "holidays": "2027-13-01"}, "格式"),
    ({"year": 2027, "holidays": "2028-01-01"}, "不在 2027 年"),
    ({"year": 2027, "holidays": "2027-01-01", "workdays": "2027-02-15"}, "周六或周日"),
    ({"year": 2027, "holidays": "2027-02-13", "workdays": "2027-02-13"}, "既是"),
    ({"year": 2027, "holidays": "2027-02-20~2027-02-01"}, "范围"),
])
def test_bad_notices_are_refused_in_chinese(session, data, message):
    director = _user(session, "director", "director")
    with pytest.raises(CalendarError, match=message):
        enter_calendar(session, director, data)
    assert workdays.is_provisional(dt.date(2027, 3, 1))


def test_parse_days_reads_lists_and_ranges():
    assert parse_days("2027-10-01~2027-10-03，2027-10-07\n") == [
        dt.date(2027, 10, 1), dt.date(2027, 10, 2), dt.date(2027, 10, 3), dt.date(2027, 10, 7)]


def test_an_entered_year_is_checked_against_the_package_once_it_covers_it(session):
    director = _user(session, "director", "director")
    # 2026 is covered by the package: a notice entered for it is compared day by day
    enter_calendar(session, director, {"year": 2026, "holidays": "2026-01-01~2026-01-03\n2026-10-01~2026-10-08",
                                       "workdays": "2026-01-04, 2026-01-10"})
    mismatches = check_against_package(session)[2026]
    days = {m.day for m in mismatches}
    assert dt.date(2026, 1, 4) not in days                       # 调休 in both
    assert dt.date(2026, 1, 10) in days                          # entered as 调休, the package says rest
    assert dt.date(2026, 2, 16) in days                           # the Spring Festival, missing from this entry
    assert workdays.is_working_day(dt.date(2026, 1, 10)) is False  # the package wins for a year it covers


def test_the_director_is_reminded_from_november():
    assert calendar_reminder(dt.date(2026, 10, 31)) is None
    assert "2027" in calendar_reminder(dt.date(2026, 11, 1))
    assert "2027年的节假日安排尚未录入" in calendar_reminder(dt.date(2027, 3, 1))
    workdays.set_official_days({2027: ([dt.date(2027, 1, 1)], [])})
    assert calendar_reminder(dt.date(2026, 11, 1)) is None


def test_calendar_page_and_reminder_banner(app, monkeypatch):
    with app.extensions["kb_storage"].session_factory() as session:
        _user(session, "director", "director")
        _user(session, "agent", "agent", staff_no="1001")
        session.commit()
    import webapp.calendar_admin as page

    monkeypatch.setattr(page, "beijing_now", lambda: dt.datetime(2026, 11, 30, 9, 0, tzinfo=BEIJING))
    director = app.test_client()
    assert login(director, "director", "password-123").status_code == 302
    home = director.get("/calendar")
    assert home.status_code == 200 and 'id="calendar-reminder"' in home.text and "2027" in home.text
    bad = director.post("/calendar", data={"year": "2027", "holidays": "2027-02-30", "csrf_token": csrf_token(home.text)})
    assert bad.status_code == 400 and "格式" in bad.text and "2027-02-30" in bad.text
    blank = director.post("/calendar", data={"year": "2027", "holidays": " ", "note": "国办发明电",
                                             "csrf_token": csrf_token(home.text)})
    assert blank.status_code == 400 and "请填写放假日期" in blank.text and "国办发明电" in blank.text
    assert "国办发明电" not in director.get("/calendar").text  # nothing saved
    done = director.post("/calendar", data={"year": "2027", "holidays": HOLIDAYS_2027, "workdays": WORKDAYS_2027,
                                            "note": "国办发明电", "csrf_token": csrf_token(home.text)})
    assert done.status_code == 302
    page_after = director.get("/calendar")
    assert "国办发明电" in page_after.text and 'id="calendar-reminder"' not in page_after.text
    agent = app.test_client()
    assert login(agent, "agent", "password-123").status_code == 302
    assert agent.get("/calendar").status_code == 403
