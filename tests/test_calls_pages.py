"""接听记录 beside the search page: saving with the agent's 工号 and time, my calls today, 重大疑难
上报 to the director, and the confidentiality of a complaint's caller on the call's page."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from kb.accounts import audit
from kb.hotline.models import Call, DirectorReport
from kb.core.db import transaction
from kb.hotline.redaction import REDACTED
from tests.web_helpers import add_user, csrf_token, login

JSON = {"Accept": "application/json"}


def _client(app, name: str, role: str, **fields):
    add_user(app, name, role, **fields)
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def _save(client, **fields):
    token = csrf_token(client.get("/").text)
    data = {"category": "政策咨询", "disposition": "当场答复", "tax_type": "", **fields, "csrf_token": token}
    return client.post("/calls", data=data, headers=JSON)


def _calls(app) -> list[Call]:
    with transaction(app.extensions["kb_storage"].session_factory) as session:
        calls = list(session.scalars(select(Call).order_by(Call.id)))
        session.expunge_all()
        return calls


def test_an_agent_saves_a_call_with_staff_number_and_time(app):
    agent = _client(app, "agent1", "agent", staff_no="1001")
    home = agent.get("/").text
    assert 'id="call-form"' in home and "无法解答 → 转办" in home
    response = _save(agent, question="发票丢了怎么办", answer="应当于发现丢失当日书面报告税务机关。",
                     citations="《中华人民共和国发票管理办法》第三十四条\n\n", tax_type="增值税",
                     caller_name="李某", caller_phone="13800000000")
    assert response.status_code == 200, response.text
    assert "工号 1001" in response.json["message"]
    [call] = _calls(app)
    assert (call.agent_staff_no, call.question, call.citations) == ("1001", "发票丢了怎么办",
                                                                    ["《中华人民共和国发票管理办法》第三十四条"])
    assert call.created_at is not None and call.caller_name == "李某"
    assert response.json["call"]["question"] == "发票丢了怎么办"
    assert "发票丢了怎么办" in agent.get("/").text  # my calls today, in the panel
    assert "发票丢了怎么办" in agent.get("/calls/today").text
    page = agent.get(response.json["call"]["url"]).text
    assert "李某" in page and "第三十四条" in page


def test_a_call_answered_on_the_spot_needs_the_answer(app):
    agent = _client(app, "agent1", "agent", staff_no="1001")
    response = _save(agent, question="发票丢了怎么办", answer="")
    assert response.status_code == 400 and "请填写答复内容" in response.json["message"]
    assert _calls(app) == []


def test_an_overlong_caller_name_or_telephone_is_refused_in_chinese(app):
    agent = _client(app, "agent1", "agent", staff_no="1001")
    response = _save(agent, question="发票丢了怎么办", answer="书面报告税务机关。", caller_name="李" * 101,
                     caller_phone="1" * 51)
    assert response.status_code == 400
    assert response.json["message"] == "纳税人姓名不能超过 100 字；联系电话不能超过 50 字"
    assert _calls(app) == []


def test_without_javascript_the_form_comes_back_to_the_search_page(app):
    agent = _client(app, "agent1", "agent", staff_no="1001")
    token = csrf_token(agent.get("/").text)
    response = agent.post("/calls", data={"question": "契税税率多少", "category": "政策咨询", "disposition": "转办",
                                          "csrf_token": token})
    assert response.status_code == 302
    call_id = _calls(app)[0].id
    assert response.location.endswith(f"/referrals/new?call_id={call_id}")  # 转办: the referral form next


def test_the_referral_form_of_a_saved_call_starts_filled_with_the_suggestion(app):
    agent = _client(app, "agent1", "agent", staff_no="1001")
    saved = _save(agent, question="委托境外研发费用加计扣除怎么算", disposition="转办", tax_type="企业所得税",
                  caller_name="王女士", caller_phone="13800000000")
    assert saved.status_code == 200
    page = agent.get(saved.json["refer_url"]).text  # 填写转办单
    assert ">委托境外研发费用加计扣除怎么算</textarea>" in page
    assert 'value="王女士"' in page and 'value="13800000000"' in page
    assert '<strong id="suggested-department">所得税处</strong>' in page
    assert "hidden" not in page.split('id="suggestion-box"', 1)[1].split(">", 1)[0]  # shown before choosing


def test_a_difficult_call_is_reported_to_the_director(app):
    agent = _client(app, "agent1", "agent", staff_no="1001")
    response = _save(agent, question="纳税人称将集体上访，要求答复历史欠税处理口径", disposition="重大疑难上报")
    assert response.status_code == 200 and "报中心主任" in response.json["message"]
    with transaction(app.extensions["kb_storage"].session_factory) as session:
        report = session.scalars(select(DirectorReport)).one()
        assert report.kind == "difficulty" and report.call_id == _calls(app)[0].id
    director = _client(app, "boss", "director")
    assert "集体上访" in director.get("/referrals/reports").text


@pytest.mark.parametrize("role", ["policy", "department", "admin"])
def test_only_agents_and_the_director_record_calls(app, role):
    client = _client(app, f"{role}1", role, department="所得税处" if role == "department" else None)
    assert 'id="call-form"' not in client.get("/").text
    token = csrf_token(client.get("/").text)
    response = client.post("/calls", data={"question": "x", "answer": "y", "csrf_token": token}, headers=JSON)
    assert response.status_code == 403
    assert _calls(app) == []


# who opens a complaint call put through to 监察室, and whether the caller shows in clear
COMPLAINT_VIEWERS = {"agent": False, "policy": False, "admin": False, "director": True, "supervision": True,
                     "inspection": None}


@pytest.mark.parametrize("who", COMPLAINT_VIEWERS)
def test_a_complaint_callers_identity_on_the_call_page(app, who):
    agent = _client(app, "agent1", "agent", staff_no="1001")
    response = _save(agent, question="专管员索要好处费，我要投诉", category="投诉", disposition="转接",
                     caller_name="孙某", caller_phone="13700000000", transferred_to="监察室")
    call_id = response.json["call"]["id"]
    assert "好处费" not in response.json["call"]["question"]  # even the agent's own list hides it
    roles = {"supervision": ("department", "监察室"), "inspection": ("department", "稽查局")}
    role, department = roles.get(who, (who, None))
    client = agent if who == "agent" else _client(app, who, role, department=department)
    page = client.get(f"/calls/{call_id}")
    clear = COMPLAINT_VIEWERS[who]
    if clear is None:
        assert page.status_code == 403
        return
    assert ("孙某" in page.text and "13700000000" in page.text) == clear
    assert (REDACTED in page.text) != clear
    with transaction(app.extensions["kb_storage"].session_factory) as session:
        views = [e for e in audit.entries_for(session, "call", call_id) if e.action == audit.VIEW_IDENTITY]
    assert len(views) == (1 if clear else 0)


def test_the_call_page_shows_the_time_in_beijing(app):
    import datetime as dt

    from kb.core.timestamps import UTC

    agent = _client(app, "agent1", "agent", staff_no="1001")
    response = _save(agent, question="发票丢了怎么办", answer="应当于发现丢失当日书面报告税务机关。")
    [call] = _calls(app)
    with transaction(app.extensions["kb_storage"].session_factory) as session:
        session.get(Call, call.id).created_at = dt.datetime(2024, 5, 31, 23, 30, tzinfo=UTC)
    page = agent.get(response.json["call"]["url"]).text
    assert "2024-06-01 07:30" in page and "2024-05-31 23:30" not in page
