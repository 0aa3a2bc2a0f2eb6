"""Moments are stored as aware UTC, naive datetimes are refused, Beijing time is UTC+8."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select
from sqlalchemy.exc import StatementError

from kb.core.db import make_engine
from kb.core.timestamps import (
    BEIJING, UTC, NaiveDatetimeError, UtcDateTime, beijing_date, beijing_now, to_beijing, utc_now,
)

_metadata = MetaData()
_moments = Table("timestamp_probe", _metadata, Column("id", Integer, primary_key=True), Column("at", UtcDateTime))


@pytest.fixture
def probe(database_url):
    engine = make_engine(database_url)
    _metadata.create_all(engine)
    try:
        yield engine
    finally:
        _metadata.drop_all(engine)
        engine.dispose()


def test_an_aware_moment_comes_back_as_the_same_instant_in_utc(probe):
    taken = dt.datetime(2024, 5, 1, 7, 30, tzinfo=BEIJING)  # 2024-04-30 23:30 UTC
    with probe.begin() as connection:
        connection.execute(insert(_moments), [{"id": 1, "at": taken}, {"id": 2, "at": None}])
    with probe.connect() as connection:
        rows = dict(connection.execute(select(_moments.c.id, _moments.c.at)).all())
    assert rows[1] == taken
    assert rows[1].tzinfo is not None and rows[1].utcoffset() == dt.timedelta(0)
    assert rows[1].replace(tzinfo=None) == dt.datetime(2024, 4, 30, 23, 30)
    assert rows[2] is None


def test_a_comparison_with_a_beijing_bound_uses_the_instant(probe):
    with probe.begin() as connection:
        connection.execute(insert(_moments), [
            {"id": 1, "at": dt.datetime(2024, 4, 30, 23, 30, tzinfo=UTC)},  # 1 May 07:30 in Beijing
            {"id": 2, "at": dt.datetime(2024, 4, 30, 15, 59, tzinfo=UTC)},  # 30 April 23:59 in Beijing
        ])
    may_first = dt.datetime(2024, 5, 1, tzinfo=BEIJING)
    with probe.connect() as connection:
        ids = connection.execute(select(_moments.c.id).where(_moments.c.at >= may_first)).scalars().all()
    assert ids == [1]


def test_a_naive_datetime_is_refused_by_the_column(probe):
    with probe.begin() as connection:
        with pytest.raises(StatementError) as caught:
            connection.execute(insert(_moments), [{"id": 1, "at": dt.datetime(2024, 5, 1, 7, 30)}])
    assert isinstance(caught.value.orig, NaiveDatetimeError)
    assert "naive" in str(caught.value)


def test_beijing_time_is_utc_plus_eight_and_now_is_aware():
    at = dt.datetime(2024, 4, 30, 23, 30, tzinfo=UTC)
    assert to_beijing(at).replace(tzinfo=None) == dt.datetime(2024, 5, 1, 7, 30)
    assert beijing_date(at) == dt.date(2024, 5, 1)
    assert to_beijing(None) is None
    with pytest.raises(NaiveDatetimeError):
        to_beijing(dt.datetime(2024, 5, 1))
    assert utc_now().utcoffset() == dt.timedelta(0)
    assert beijing_now().utcoffset() == dt.timedelta(hours=8)
    assert abs(utc_now() - beijing_now()) < dt.timedelta(seconds=2)


def test_a_naive_time_is_refused_by_a_model_column(session):
    from kb.core.actors import SYSTEM
    from kb.accounts.users import NewUser, create_user
    from kb.hotline.calls import NewCall, record_call

    agent, _ = create_user(session, SYSTEM, NewUser(username="agent-a", role="agent", password="password-123",
                                                    staff_no="1001"))
    with pytest.raises(StatementError, match="naive datetime"):
        record_call(session, agent, NewCall(question="个税起征点是多少", answer="每年六万元",
                                            at=dt.datetime(2024, 6, 1, 7, 30)))
        session.flush()
