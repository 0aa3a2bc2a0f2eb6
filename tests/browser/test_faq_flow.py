"""End to end in chromium: an agent marks a search 未解决; the director drafts an FAQ from the gap,
cites an article picked by searching in the editor, publishes; the agent then sees the answer card
for a paraphrased question."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser

AGENT_PASSWORD = "agent-pass-1"
DIRECTOR_PASSWORD = "director-pass-1"
QUESTION = "税务人员上门检查要出示什么证件"
PARAPHRASE = "税务局的人上门检查，需要亮什么证件"
BASIS = "《中华人民共和国税收征收管理法》第五十九条"


def test_the_director_answers_a_gap_and_agents_see_the_card(live_server, new_page):
    live_server.create_user("agent1", "agent", AGENT_PASSWORD, "--staff-no", "1001")
    live_server.create_user("director1", "director", DIRECTOR_PASSWORD)

    # the agent finds articles but no standard answer, and marks the search 未解决
    agent = new_page()
    log_in(agent, live_server, "agent1", AGENT_PASSWORD)
    agent.keyboard.type(QUESTION)
    agent.keyboard.press("Enter")
    agent.wait_for_selector("#results .result")
    assert agent.locator("#faq-card").count() == 0
    agent.click("#unresolved")
    agent.wait_for_selector("#toast:has-text('未解决')")

    # the director drafts from the gap, cites by searching in the editor, publishes
    director = new_page()
    log_in(director, live_server, "director1", DIRECTOR_PASSWORD)
    director.goto(f"{live_server.url}/faq/gaps")
    row = director.locator("#gaps tbody tr", has_text=QUESTION)
    row.locator("a.draft-from-gap").click()
    director.wait_for_url(re.compile(r"/faq/new\?"))
    assert director.input_value("#question") == QUESTION
    director.fill("#phrasings", "税务局来查账要亮证吗")
    director.fill("#answer", "应当出示**税务检查证**和**税务检查通知书**；未出示的，被检查人有权拒绝检查。")
    director.wait_for_selector("#answer-preview strong:has-text('税务检查证')")
    director.fill("#picker-q", "税务检查证 税务检查通知书")
    director.press("#picker-q", "Enter")
    director.locator(f".add-citation[data-citation='{BASIS}']").first.click()
    assert director.input_value("#citations") == BASIS
    director.click("#save-faq")
    director.wait_for_url(re.compile(r"/faq/\d+$"))
    director.click("#step-in_review")
    director.wait_for_selector("#step-published")
    director.click("#step-published")
    director.wait_for_selector(".flash.success")
    assert "已发布" in director.inner_text("#faq-status")
    assert director.locator("#gaps").count() == 0
    director.goto(f"{live_server.url}/faq/gaps")
    assert QUESTION not in director.inner_text("#gaps")  # answered: no longer a gap

    # an agent asks the same thing in other words and sees the answer card above the articles
    agent.goto(f"{live_server.url}/")
    agent.fill("#q", PARAPHRASE)
    agent.press("#q", "Enter")
    card = agent.wait_for_selector("#faq-card")
    assert QUESTION in card.inner_text() and "税务检查通知书" in card.inner_text()
    link = agent.locator("#faq-card .faq-citations a", has_text=BASIS)
    assert re.search(r"/units/\d+$", link.get_attribute("href"))
    assert agent.locator("#faq-card .faq-citations .badge").first.inner_text() == "有效"
    assert agent.locator("#faq-card .faq-warning").count() == 0
    agent.click("#faq-card .faq-rate[data-event=helpful]")
    agent.wait_for_selector("#faq-card .faq-rate.chosen")
    screenshot(agent, "faq-card.png")
