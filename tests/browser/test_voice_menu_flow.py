"""End to end in chromium: the director builds the voice menu (a key, an announcement resting on a
published FAQ entry of the starter set), edits its wording and finds both versions with who changed them."""
from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser

DIRECTOR_PASSWORD = "director-pass-1"


def test_the_director_builds_and_edits_the_voice_menu(live_server, new_page):
    live_server.create_user("director1", "director", DIRECTOR_PASSWORD)
    page = new_page()
    log_in(page, live_server, "director1", DIRECTOR_PASSWORD)
    page.click("header nav >> text=热线渠道")  # the channels' menu
    page.click("header nav >> text=语音服务")
    page.wait_for_selector("#voice-menu")

    page.fill("#node-key", "1")
    page.fill("#node-title-input", "申报纳税")
    page.click("#add-node")
    page.wait_for_selector(".flash.success:has-text('已添加按键 1：申报纳税')")

    page.select_option("#a-node", label="1 申报纳税")
    page.fill("#a-title", "申报期限")
    page.fill("#a-faq", "1")
    page.fill("#a-text", "纳税申报期限按税种确定，详情请按零转人工。")
    page.click("#save-announcement")
    page.wait_for_selector(".flash.success:has-text('已保存播报“申报期限”')")
    assert "按键 1 · 申报期限" in page.inner_text("h1")

    page.fill("#a-text", "纳税申报期限按税种确定；增值税一般自期满之日起十五日内申报。")
    page.fill("#a-note", "补充增值税期限")
    page.click("#save-announcement")
    page.wait_for_selector(".flash.success:has-text('已保存')")
    history = page.inner_text("#voice-history")
    assert "#2 修改 · director1" in history and "补充增值税期限" in history and "#1 创建 · director1" in history
    assert page.locator("#synth-preview").count() == 1 or page.locator("#espeak-missing").count() == 1
    screenshot(page, "voice-announcement.png", full_page=True)

    page.click("text=← 语音服务")
    row = page.inner_text("#voice-menu")
    assert "申报期限" in row and "今日播放" in row and "现行" in row
