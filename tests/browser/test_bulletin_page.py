"""In chromium: the director opens the 《12366信息专报》 of a demo month and sees its charts."""
from __future__ import annotations

import pytest

from kb.reports.bulletin import SECTIONS
from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser

DIRECTOR_PASSWORD = "director-pass-1"


def test_director_sees_the_bulletin_with_its_charts(live_server, new_page):
    live_server.create_user("director1", "director", DIRECTOR_PASSWORD)
    assert "来电 1500" in live_server.flask("demo-data", "--month", "2024-05", "--calls", "1500")
    page = new_page()
    log_in(page, live_server, "director1", DIRECTOR_PASSWORD)
    page.click("text=信息专报")
    page.fill("#month", "2024-05")
    page.click(".report-tools button[type=submit]")
    page.wait_for_selector("#bulletin")
    assert "2024年5月" in page.inner_text("header.masthead")
    for section in SECTIONS:
        assert page.locator("h2", has_text=section).count() == 1
    charts = page.locator("svg.chart")
    assert charts.count() >= 6
    daily = charts.first.bounding_box()
    assert daily["width"] > 600 and daily["height"] > 120          # drawn, not collapsed
    assert page.locator("svg.chart").first.locator("rect.bar").count() == 31
    assert page.locator("#top-questions tbody tr").count() == 20
    assert page.locator("#promises tbody tr").count() == 5
    assert page.locator("#download-docx").get_attribute("href").endswith("month=2024-05")
    screenshot(page, "bulletin.png", full_page=True)
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()              # the print layout hides the site's header
