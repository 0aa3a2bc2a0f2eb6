"""业务辅导 pages: an agent asks a department, the department answers with checked citations, and every
agent finds the note; the answer is an FAQ draft for the policy office."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from kb.channels.models import CoachingRequest
from kb.faq.models import FaqEntry
from tests.web_helpers import add_user, client_as, csrf_token, login, post_form  # noqa: F401  (fixture)

QUESTION = "纳税人丢失已开具的发票，应当如何处理？"


def _latest(app, model):
    with app.extensions["kb_storage"].session_factory() as session:
        row = session.scalars(select(model).order_by(model.id.desc())).first()
        session.expunge_all()
        return row


@pytest.mark.parametrize("role, status", [("agent", 200), ("director", 200), ("policy", 200), ("admin", 200),
                                          ("department", 200)])
def test_everyone_of_the_hotline_and_the_departments_open_the_page(app, client_as, role, status):
    client = client_as(role)
    page = client.get("/coaching/")
    assert page.status_code == status
    assert ('id="ask-coaching"' in page.text) == (role in ("agent", "director"))
    assert ('id="coaching-notes"' in page.text) == (role != "department")


def test_an_agent_asks_the_department_answers_and_every_agent_finds_it(app, client_as, import_tax):
    import_tax("发票管理办法(2023-07-20).md")
    asker = client_as("agent")
    response = post_form(asker, "/coaching/", {"question": QUESTION, "department": "征管处", "tax_type": ""})
    assert response.status_code == 302, response.text
    request_id = _latest(app, CoachingRequest).id

    add_user(app, "zhengguan", "department", department="征管处")
    department = app.test_client()
    login(department, "zhengguan")
    inbox = department.get("/coaching/")
    assert QUESTION in inbox.text and ("剩 " in inbox.text or "到期" in inbox.text)
    url = f"/coaching/{request_id}"
    wrong = post_form(department, f"{url}/answer", {
        "answer": "应当书面报告税务机关。", "citations": "《中华人民共和国发票管理办法》第九十九条"}, url)
    assert wrong.status_code == 400 and "辅导依据有误" in wrong.text and "应当书面报告税务机关。" in wrong.text
    answered = post_form(department, f"{url}/answer", {
        "answer": "应当于发现丢失当日书面报告税务机关。", "citations": "《中华人民共和国发票管理办法》第三十四条第二款"}, url)
    assert answered.status_code == 302, answered.text

    draft = _latest(app, FaqEntry)
    assert draft.question == QUESTION and draft.status == "draft"
    other_agent = app.test_client()
    add_user(app, "zuoxi2", "agent", staff_no="1002")
    login(other_agent, "zuoxi2")
    found = other_agent.get("/coaching/", query_string={"q": "丢失 发票"})
    assert "应当于发现丢失当日书面报告税务机关。" in found.text and "征管处" in found.text
    assert "尚无辅导记录" not in found.text
    assert "没有符合的辅导记录" in other_agent.get("/coaching/", query_string={"q": "社保"}).text
    assert f"已转为问答草稿 {draft.id}" in other_agent.get(url).text


def test_another_department_may_neither_read_nor_answer(app, client_as):
    asker = client_as("agent")
    post_form(asker, "/coaching/", {"question": QUESTION, "department": "征管处"})
    request_id = _latest(app, CoachingRequest).id
    other = client_as("department")  # 纳税服务科
    assert other.get(f"/coaching/{request_id}").status_code == 403
    page = other.get("/coaching/")
    response = other.post(f"/coaching/{request_id}/answer", data={"answer": "x", "csrf_token": csrf_token(page.text)})
    assert response.status_code == 403


def test_a_question_without_a_department_is_refused_in_chinese(app, client_as):
    agent = client_as("agent")
    response = post_form(agent, "/coaching/", {"question": QUESTION, "department": ""})
    assert response.status_code == 400 and "请选择具体的部门" in response.text and QUESTION in response.text


def test_a_blank_question_or_an_unknown_tax_type_is_refused_in_chinese_and_nothing_is_sent(app, client_as):
    agent = client_as("agent")
    blank = post_form(agent, "/coaching/", {"question": "  ", "department": "征管处"})
    assert blank.status_code == 400 and "请填写需要辅导的政策问题" in blank.text
    odd = post_form(agent, "/coaching/", {"question": QUESTION, "department": "征管处", "tax_type": "不存在的税"})
    assert odd.status_code == 400 and "税种：" in odd.text and QUESTION in odd.text
    assert _latest(app, CoachingRequest) is None
