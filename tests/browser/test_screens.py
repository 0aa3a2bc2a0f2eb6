"""Every page on every screen: at 375, 768 and 1366 px nothing scrolls sideways but a wide table
inside its own box, the search box keeps its width and nothing covers it, and the director's menu
stays on one row on a 1366 px laptop."""
from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser

PASSWORD = "screen-pass-1"
WIDTHS = (375, 768, 1366)
PAGES = {"agent1": ["/", "/search?q=滞纳金怎么算", "/documents", "/referrals/", "/calls/today", "/reports/"],
         "boss": ["/reports/bulletin", "/reports/appraisal", "/referrals/", "/faq/"]}


def _sideways(page) -> int:
    """How far the page itself scrolls sideways (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_every_page_fits_every_screen(live_server, browser):
    live_server.create_user("agent1", "agent", PASSWORD, "--staff-no", "1001")
    live_server.create_user("boss", "director", PASSWORD)
    live_server.flask("demo-data", "--calls", "120")  # real tables: referrals, the bulletin, the appraisal
    for width in WIDTHS:
        for user, paths in PAGES.items():
            context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 800})
            context.set_default_timeout(20_000)
            page = context.new_page()
            log_in(page, live_server, user, PASSWORD)
            for path in paths:
                response = page.goto(live_server.url + path)
                page.wait_for_load_state()
                assert response.ok, f"{path}: {response.status}"
                assert _sideways(page) <= 1, f"{path} scrolls sideways at {width} px ({user})"
                if page.locator("#q").count():
                    box = page.locator("#q").bounding_box()
                    assert box["width"] >= min(width - 120, 400), f"search box {box['width']} px at {width} px"
                    covering = page.evaluate(
                        "(() => { const r = document.getElementById('q').getBoundingClientRect();"
                        " const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
                        " return hit && hit.id; })()")
                    assert covering == "q", f"the search box is covered by {covering!r} at {width} px"
            if user == "boss" and width == 1366:
                header = page.locator("header.top").bounding_box()
                assert header["height"] < 70, f"the director's menu wraps: header {header['height']} px"
            screenshot(page, f"screen-{user}-{width}.png")
            context.close()
