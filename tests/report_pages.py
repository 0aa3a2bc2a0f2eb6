"""Shared set-up of the report page tests (``test_reports_pages``, ``test_appraisal_pages``): the known
month of ``tests/report_records.py`` in the app's database, and a client logged in as one of its people.

Test modules import the fixture: ``from tests.report_pages import logged_in, records  # noqa: F401``.
"""
from __future__ import annotations

import pytest

from tests.report_records import PASSWORD, Records, build_month
from tests.web_helpers import login


@pytest.fixture
def records(app) -> Records:
    """May 2024 as ``build_month`` writes it (director, agent-a, agent-b, dept, calls, referrals), committed."""
    with app.extensions["kb_storage"].session_factory() as session:
        records = build_month(session)
        session.commit()
    return records


def logged_in(app, username: str):
    """A test client logged in, through the login form, as ``username`` of the known month."""
    client = app.test_client()
    assert login(client, username, PASSWORD).status_code == 302
    return client
