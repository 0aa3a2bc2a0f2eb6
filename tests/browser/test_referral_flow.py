"""End to end in chromium: one call from the search page to a referral, the department's reply,
the agent's call-back feedback and closure; and a call record saved with one keystroke."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.browser

AGENT_PASSWORD = "agent-pass-1"
DEPARTMENT_PASSWORD = "income-pass-1"
QUESTION = "个人所得税专项附加扣除中子女教育怎么填报比较复杂"


def test_a_call_goes_from_search_to_referral_reply_feedback_and_closure(live_server, new_page):
    live_server.create_user("agent1", "agent", AGENT_PASSWORD, "--staff-no", "1001")
    live_server.create_user("income1", "department", DEPARTMENT_PASSWORD, "--department", "所得税处")

    # the agent searches, copies an article, and cannot answer: 无法解答 → 转办
    agent = new_page()
    log_in(agent, live_server, "agent1", AGENT_PASSWORD)
    agent.keyboard.type(QUESTION)
    agent.keyboard.press("Enter")
    agent.wait_for_selector("#results .result.selected")
    citation = agent.locator("#results .result").first.get_attribute("data-citation")
    agent.keyboard.press("c")
    assert agent.input_value("#call-question") == QUESTION  # the call form follows the search box
    assert citation in agent.input_value("#call-citations")  # 复制依据 fills the answer's citations
    screenshot(agent, "call-panel.png")
    agent.click("#refer-button")
    agent.wait_for_url(re.compile(r"/referrals/new\?"))
    assert agent.input_value("#question") == QUESTION
    assert agent.inner_text("#suggested-department") == "所得税处"
    assert "所得税" in agent.inner_text("#suggestion-reason")
    assert agent.input_value("#department") == "所得税处"
    assert citation in agent.inner_text(".looked")  # what was searched and looked at goes along
    agent.fill("#caller_name", "赵某")
    agent.fill("#caller_contact", "13900000000")
    screenshot(agent, "referral-draft.png")
    agent.click("#send-referral")
    agent.wait_for_url(re.compile(r"/referrals/\d+$"))
    referral_url = agent.url
    assert agent.inner_text("#referral-state") == "已转办"

    # the department finds it in its inbox and replies
    department = new_page()
    log_in(department, live_server, "income1", DEPARTMENT_PASSWORD)
    department.goto(f"{live_server.url}/referrals/inbox")
    department.click(f"#referral-list a[href='{referral_url.removeprefix(live_server.url)}']")
    assert department.inner_text("#caller-name") == "赵某"
    department.fill("#reply-answer", "子女教育专项附加扣除按每个子女每月2000元的标准定额扣除。")
    department.fill("#reply-citations", "《中华人民共和国个人所得税法》第六条")
    department.click("#reply-submit")
    department.wait_for_selector("#referral-answer")
    assert department.inner_text("#referral-state") == "已答复"

    # the agent is told (待反馈), calls back, records the feedback and closes
    agent.goto(f"{live_server.url}/")
    agent.click(".awaiting a")
    agent.click(f"#referral-list a[href='{referral_url.removeprefix(live_server.url)}']")
    assert "2000元" in agent.inner_text("#referral-answer")
    assert agent.locator("#close-referral").count() == 0  # nothing closes without feedback
    agent.fill("#feedback-text", "已电话告知纳税人，纳税人表示清楚。")
    agent.click("#feedback-submit")
    agent.wait_for_selector("#close-referral")
    assert agent.inner_text("#referral-state") == "已反馈"
    agent.click("#close-referral")
    agent.wait_for_selector("#referral-feedback")
    assert agent.inner_text("#referral-state") == "已办结"
    assert "办结" in agent.inner_text("#referral-events")
    screenshot(agent, "referral-closed.png", full_page=True)

    # a call answered on the spot: Ctrl+S saves it, with the agent's 工号
    agent.goto(f"{live_server.url}/")
    agent.keyboard.type("发票丢了怎么办")
    agent.fill("#call-answer", "应当于发现丢失当日书面报告税务机关。")
    agent.keyboard.press("Control+s")
    agent.wait_for_selector("#call-status:has-text('工号 1001')")
    assert "发票丢了怎么办" in agent.inner_text("#calls-today")
    assert QUESTION[:10] in agent.inner_text("#calls-today")  # the referred call was recorded too


def test_below_the_threshold_the_agent_picks_one_of_two_departments(live_server, new_page):
    live_server.create_user("agent1", "agent", AGENT_PASSWORD, "--staff-no", "1001")
    agent = new_page()
    log_in(agent, live_server, "agent1", AGENT_PASSWORD)
    agent.goto(f"{live_server.url}/referrals/new?question=有个情况想跟你们说一下")
    choices = agent.locator("#suggestion-choices .choose-department")
    assert agent.is_visible("#suggestion-choice") and choices.count() == 2
    assert agent.input_value("#department") == ""  # nothing chosen for the agent
    second = choices.nth(1).get_attribute("data-department")
    choices.nth(1).click()
    assert agent.input_value("#department") == second
    screenshot(agent, "referral-two-choices.png")

    agent.fill("#question", "")
    agent.type("#question", "我要举报一家公司虚开增值税发票")
    agent.wait_for_selector("#suggestion-choice", state="hidden")
    assert agent.inner_text("#suggested-department") == "稽查局"
    assert agent.input_value("#department") == second  # the agent's choice is kept
