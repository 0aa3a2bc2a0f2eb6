"""A live call in chromium, by keyboard: the answer card is what C copies into the call record, an
article gives its matching 款 (not its whole text), and each call keeps its own searches up to its
referral (填写转办单 of a saved call starts filled, with the suggested department)."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in, screenshot, wait_until

pytestmark = pytest.mark.browser

AGENT_PASSWORD = "agent-pass-1"


def _agent(live_server, new_page):
    live_server.create_user("agent1", "agent", AGENT_PASSWORD, "--staff-no", "1001")
    page = new_page()
    log_in(page, live_server, "agent1", AGENT_PASSWORD)
    return page


def test_c_on_the_answer_card_copies_its_answer_and_citations_into_the_call(live_server, new_page):
    page = _agent(live_server, new_page)
    page.keyboard.type("滞纳金怎么算")
    page.keyboard.press("Enter")
    page.wait_for_selector("#faq-card.selected")  # the card, not the first article, has the keys
    assert page.evaluate("document.activeElement.id") == "faq-card"
    basis = page.locator("#faq-card .faq-citations li a").all_inner_texts()
    assert basis and "《中华人民共和国税收征收管理法》第三十二条" in basis
    page.keyboard.press("c")
    page.wait_for_selector("#toast:not([hidden])")
    assert page.input_value("#call-citations").split("\n") == basis
    answer = re.sub(r"\s+", "", page.input_value("#call-answer"))
    assert answer.startswith("纳税人未按照规定期限缴纳税款的")
    assert answer == re.sub(r"\s+", "", page.inner_text("#faq-card .faq-answer"))
    screenshot(page, "live-call-card.png")

    # ↓ goes on to the articles; ↑ comes back to the card
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.classList.contains('result')")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "faq-card"

    # 复制答复 with the mouse fills both as well, and Ctrl+S saves the call answered on the spot
    page.fill("#call-answer", "")
    page.fill("#call-citations", "")
    page.click("#faq-card .faq-copy")
    wait_until(page, "document.getElementById('call-answer').value.length > 0")
    assert page.input_value("#call-citations").split("\n") == basis
    page.keyboard.press("Control+s")
    page.wait_for_selector("#call-status:has-text('工号 1001')")


def test_copying_an_article_gives_its_matching_paragraph(live_server, new_page):
    page = _agent(live_server, new_page)
    page.keyboard.type("丢失发票怎么处罚")
    page.keyboard.press("Enter")
    page.wait_for_selector("#results .result.selected, #faq-card.selected")
    article = page.locator("#results .result", has_text="发票管理办法》第三十四条").first
    article.focus()
    page.keyboard.press("c")
    page.wait_for_selector("#toast:not([hidden])")
    answer = page.input_value("#call-answer")
    assert answer.startswith("根据《中华人民共和国发票管理办法》第三十四条第二款：丢失发票")
    assert "空白发票" not in answer  # the first 款 of the article is not this call's answer
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "空白发票" in copied  # the clipboard still has the whole article
    assert page.input_value("#call-citations") == "《中华人民共和国发票管理办法》第三十四条"


def test_each_call_keeps_its_own_searches_up_to_its_referral(live_server, new_page):
    page = _agent(live_server, new_page)
    # a first call, searched and not saved
    page.keyboard.type("滞纳金怎么算")
    page.keyboard.press("Enter")
    page.wait_for_selector("#faq-card.selected, #results .result.selected")
    page.click("#new-call")  # the next caller
    assert page.input_value("#q") == "" and page.input_value("#call-question") == ""

    # the second call: a report, referred from the saved call
    page.fill("#q", "举报某公司虚开增值税发票")
    page.press("#q", "Enter")
    page.wait_for_selector("#results .result.selected, #faq-card.selected")
    page.select_option("#call-category", "举报")
    page.select_option("#call-disposition", "转办")
    page.fill("#call-caller-name", "李某")
    page.fill("#call-caller-phone", "13700000000")
    page.keyboard.press("Control+s")
    page.wait_for_selector("#refer-saved-call")
    page.click("#refer-saved-call")
    page.wait_for_url(re.compile(r"/referrals/new\?call_id=\d+"))
    assert page.input_value("#question") == ""  # a report's content stays in the call record
    assert "内容保密" in page.get_attribute("#question", "placeholder")
    assert page.input_value("#category") == "举报"
    assert page.inner_text("#suggested-department") == "稽查局"  # shown before the agent chooses
    assert page.input_value("#department") == "稽查局"
    looked = page.inner_text(".looked")
    assert "举报某公司虚开增值税发票" in looked and "滞纳金" not in looked
    assert "来电人信息保密" in page.inner_text("#from-call")  # the reporter is not shown, the call's is used
    screenshot(page, "live-call-referral.png")
    page.click("#send-referral")
    page.wait_for_url(re.compile(r"/referrals/\d+$"))
    assert page.inner_text("#referral-state") == "已转办"
    assert "滞纳金" not in page.inner_text("body")


def test_a_department_without_users_is_marked_and_the_send_warns(live_server, new_page):
    page = _agent(live_server, new_page)
    live_server.create_user("income1", "department", "income-pass-1", "--department", "所得税处")
    page.goto(f"{live_server.url}/referrals/new?question=个人所得税专项附加扣除怎么填报")
    assert page.locator("#department option[value='法规处']").inner_text() == "法规处（无在岗用户）"
    assert page.locator("#department option[value='所得税处']").inner_text() == "所得税处"
    page.fill("#caller_name", "赵某")
    page.fill("#caller_contact", "13900000000")
    page.select_option("#department", "法规处")
    page.click("#send-referral")
    page.wait_for_url(re.compile(r"/referrals/\d+$"))
    assert "法规处目前没有在岗的系统用户，无人接收本转办单，已报告中心主任" in page.inner_text(".flashes")
