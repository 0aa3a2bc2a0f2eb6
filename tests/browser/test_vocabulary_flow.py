"""End to end in chromium: the director adds a word to the tax dictionary and a colloquial synonym on
the 词典与同义词 page; the agent's next searches cut the word whole and understand the synonym."""
from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser

DIRECTOR_PASSWORD = "director-pass-1"
AGENT_PASSWORD = "agent-pass-1"
WORD = "税控装置"  # in 发票管理办法 and 征管法; jieba's own cut: 税控 + 装置


def _tags(page, selector: str) -> list[str]:
    return [t.strip() for t in page.locator(f"{selector} .tag").all_inner_texts()]


def test_the_directors_word_and_synonym_change_what_agents_find(live_server, new_page):
    live_server.create_user("director1", "director", DIRECTOR_PASSWORD)
    live_server.create_user("agent1", "agent", AGENT_PASSWORD, "--staff-no", "1001")

    director = new_page()
    log_in(director, live_server, "director1", DIRECTOR_PASSWORD)
    director.goto(f"{live_server.url}/vocabulary")
    director.fill("#try-text", f"损毁{WORD}怎么处罚")
    director.press("#try-text", "Enter")
    director.wait_for_selector("#tryout-words")
    assert WORD not in _tags(director, "#tryout-words")

    director.fill("#word-form input[name=word]", WORD)
    director.click("#word-form button[type=submit]")
    director.wait_for_selector(f".flash.success:has-text('已重新索引含“{WORD}”的文件')")
    assert WORD in director.inner_text("#director-words")
    director.fill("#try-text", f"损毁{WORD}怎么处罚")
    director.press("#try-text", "Enter")
    director.wait_for_selector("#tryout-words")
    assert WORD in _tags(director, "#tryout-words")

    director.fill("#term", "钱袋子")
    director.fill("#expansions", "滞纳金")
    director.click("#synonym-form button[type=submit]")
    director.wait_for_selector(".flash.success:has-text('已保存词条“钱袋子”')")
    assert "钱袋子" in director.inner_text("#synonym-rows")
    screenshot(director, "vocabulary.png")

    agent = new_page()
    log_in(agent, live_server, "agent1", AGENT_PASSWORD)
    agent.keyboard.type(WORD)
    agent.keyboard.press("Enter")
    agent.wait_for_selector("#results .result")
    assert WORD in agent.locator("#results .result .snippet mark").all_inner_texts()

    agent.goto(f"{live_server.url}/search?q=%E9%92%B1%E8%A2%8B%E5%AD%90")  # 钱袋子
    agent.wait_for_selector("#results .result")
    assert "滞纳金" in agent.inner_text("#results")

    # an agent may not edit the vocabulary
    response = agent.goto(f"{live_server.url}/vocabulary")
    assert response.status == 403
