"""The public portal in chromium: a 360 px phone, keyboard only, no cookie; and the exported static
site opened from file:// (its links and its offline search)."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def _sideways(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def _focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()")


def test_a_phone_user_searches_and_reads_with_the_keyboard_alone(live_server, browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(f"{live_server.url}/portal/")
    assert _sideways(page) <= 1
    page.keyboard.press("Tab")
    assert _focused(page) == "跳到主要内容"
    page.keyboard.press("Enter")
    assert _focused(page) == "main"
    page.keyboard.press("Tab")
    assert _focused(page) == "q"  # the search box, announced by its label
    assert page.evaluate("document.getElementById('q').labels[0].textContent") == "检索法规和常见问题"
    page.keyboard.type("滞纳金怎么算")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/portal/search?q=" in page.url and page.locator("#results li").count() > 0
    assert "找到" in page.locator("#result-status").inner_text()
    assert _sideways(page) <= 1
    screenshot(page, "portal-search-360.png", full_page=True)
    first = page.locator("#results li a").first
    for _ in range(12):  # Tab from the search box to the first result
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement === document.querySelector('#results li a')"):
            break
    assert page.evaluate("document.activeElement === document.querySelector('#results li a')")
    target = first.get_attribute("href")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert target.split("#")[0] in page.url and "/portal/" in page.url
    assert _sideways(page) <= 1
    assert context.cookies() == []  # an anonymous visitor gets no cookie
    context.close()


def test_the_exported_site_works_from_file(live_server, browser, tmp_path):
    out = tmp_path / "site"
    live_server.flask("portal-export", "-o", str(out))
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto((out / "index.html").as_uri())
    assert "法规库" in page.title() and page.locator("#documents li").count() > 10
    with page.expect_navigation():
        page.locator("#documents li a").first.click()
    assert page.url.startswith("file://") and page.locator(".unit").count() > 0
    page.goto((out / "search.html").as_uri())
    page.fill("#q", "滞纳金")
    page.press("#q", "Enter")
    assert page.locator("#results li").count() > 0
    with page.expect_navigation():
        page.locator("#results li a").first.click()
    assert page.url.startswith("file://") and ("doc-" in page.url or "faq-" in page.url)
    context.close()
