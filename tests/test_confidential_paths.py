"""Confidentiality on every path: the role × field matrix of a 举报 (its caller and its content)
on the pages, the API, the lists, the call pages, exports, reports and the audit log; a call
reused only by the agent who took it; one rule for calls and referrals (转接 to 稽查局 included)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from kb.hotline import audit
from kb.reports.bulletin import build_bulletin
from kb.hotline.calls import NewCall, record_call
from kb.core.db import transaction
from kb.hotline.departments import seed_departments
from kb.hotline.director_reports import DirectorReport
from kb.core.periods import month_period
from kb.core.permissions import Forbidden
from kb.reports.promises import SECRET, check_promises
from kb.hotline.redaction import REDACTED, caller_view, export_call, export_referral
from kb.hotline.referrals import (
    NewReferral, Referral, open_referral, record_feedback, refer_unanswered, reply_referral, return_referral,
    send_referral,
)
from kb.accounts.users import User
from tests.api_helpers import add_token_user, api_library, token_for  # noqa: F401  (fixtures)
from tests.web_helpers import add_user, login, post_form

# name -> (role, department, 工号)
PEOPLE = {
    "agent": ("agent", None, "1001"),          # took the 举报 call (首问责任人)
    "agent2": ("agent", None, "1002"),
    "policy": ("policy", None, None),
    "admin": ("admin", None, None),
    "director": ("director", None, None),
    "inspection": ("department", "稽查局", None),
    "income": ("department", "所得税处", None),
}
MAY_READ = {"director", "inspection"}         # the caller and the content of the 举报, in clear
MAY_OPEN = set(PEOPLE) - {"income"}           # the referral itself (redacted or not)

# One distinct phrase per confidential field, so that a leak names the field.
FIELDS = {
    "caller_name": "钱举报",
    "caller_phone": "13911112222",
    "question": "被举报的星河贸易公司用假发票报销",
    "searched": "月光物流虚开",
    "answer": "已对晨曦商贸立案核查",
    "answer_citation": "第六十三条",
    "feedback": "已回电告知立案进展",
    "return_reason": "请补充云海餐饮的地址",
}
RETURNED_FIELDS = ("return_reason",)  # on the second referral, left in the 已退回 state


def _db(app):
    return transaction(app.extensions["kb_storage"].session_factory)


def _user(session, name: str) -> User:
    return session.scalars(select(User).where(User.username == name)).one()


@pytest.fixture
def report_case(app):
    """A 举报 call by ``agent``, its referral answered by 稽查局 with feedback recorded, and a second
    referral returned by 稽查局: {"call": id, "answered": id, "returned": id}."""
    for name, (role, department, staff_no) in PEOPLE.items():
        add_user(app, name, role, department=department, staff_no=staff_no)
    with _db(app) as session:
        seed_departments(session)
        agent, inspection = _user(session, "agent"), _user(session, "inspection")
        answered = refer_unanswered(session, agent, NewReferral(
            caller_name=FIELDS["caller_name"], caller_contact=FIELDS["caller_phone"], question=FIELDS["question"],
            category="举报", searched=[FIELDS["searched"]], department="稽查局"), send=True)
        reply_referral(session, inspection, {"referral_id": answered.id, "answer": FIELDS["answer"],
                                             "citations": ["《中华人民共和国税收征收管理法》" + FIELDS["answer_citation"]]})
        record_feedback(session, agent, {"referral_id": answered.id, "feedback": FIELDS["feedback"]})
        returned = refer_unanswered(session, agent, NewReferral(
            caller_name=FIELDS["caller_name"], caller_contact=FIELDS["caller_phone"], question=FIELDS["question"],
            category="举报", department="稽查局"), send=True)
        return_referral(session, inspection, {"referral_id": returned.id, "reason": FIELDS["return_reason"]})
        return {"call": answered.call_id, "answered": answered.id, "returned": returned.id}


def _client(app, name: str):
    client = app.test_client()
    assert login(client, name).status_code == 302
    return client


def _assert_fields(text: str, who: str, fields=FIELDS):
    for field, phrase in fields.items():
        assert (phrase in text) == (who in MAY_READ), f"{who} / {field}"


def _views(app, name: str) -> list[tuple[str, int]]:
    with _db(app) as session:
        actor = _user(session, name)
        return [(e.object_type, e.object_id) for e in session.scalars(
            select(audit.AuditEntry).where(audit.AuditEntry.actor_id == actor.id,
                                           audit.AuditEntry.action == audit.VIEW_IDENTITY))]


def _text(response) -> str:
    return json.dumps(response.json, ensure_ascii=False)


SURFACES = ("page", "api", "list", "call")


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("who", PEOPLE)
def test_report_matrix(app, report_case, who, surface):
    """Each role on each surface sees every confidential field in clear, or none of them."""
    answered, returned = report_case["answered"], report_case["returned"]
    answered_fields = {k: v for k, v in FIELDS.items() if k not in RETURNED_FIELDS}
    returned_fields = {k: FIELDS[k] for k in ("caller_name", "caller_phone", "question", "return_reason")}
    if surface == "page":
        client = _client(app, who)
        pages = [client.get(f"/referrals/{answered}"), client.get(f"/referrals/{returned}")]
        if who not in MAY_OPEN:
            assert [p.status_code for p in pages] == [403, 403]
            return
        assert [p.status_code for p in pages] == [200, 200]
        _assert_fields(pages[0].text, who, answered_fields)
        _assert_fields(pages[1].text, who, returned_fields)
        assert ("部门退回" in pages[1].text) and ("referral-return-reason" in pages[1].text)
        expected = [("referral", answered), ("referral", returned)] if who in MAY_READ else []
        assert sorted(_views(app, who)) == expected
    elif surface == "api":
        headers = add_token_user(app, f"{who}-api", *PEOPLE[who][:2])
        client = app.test_client()
        documents = [client.get(f"/api/v1/referrals/{rid}", headers=headers) for rid in (answered, returned)]
        if who not in MAY_OPEN:
            assert [d.status_code for d in documents] == [404, 404]
            return
        assert [d.status_code for d in documents] == [200, 200]
        _assert_fields(_text(documents[0]), who, answered_fields)
        _assert_fields(_text(documents[1]), who, returned_fields)
        assert documents[0].json["confidential"] is True
        assert documents[0].json["content_redacted"] is (who not in MAY_READ)
        assert documents[0].json["caller"]["redacted"] is (who not in MAY_READ)
        listing = _text(client.get("/api/v1/referrals", headers=headers))
        _assert_fields(listing, who, {k: FIELDS[k] for k in ("question", "answer")})
        assert FIELDS["caller_name"] not in listing and FIELDS["caller_phone"] not in listing
    elif surface == "list":
        client = _client(app, who)
        response = client.get("/referrals/?all=1", follow_redirects=True)
        text = response.text
        if response.request.path == "/referrals/inbox":  # a department's inbox: its 待办 and 已办 tabs
            text += client.get("/referrals/inbox?tab=done").text
        if who not in MAY_OPEN:
            assert FIELDS["question"] not in text
            return
        assert response.status_code == 200
        _assert_fields(text, who, {"question": FIELDS["question"]})
        assert FIELDS["caller_name"] not in text  # lists carry no identity at all
    else:  # the call the referral was copied from
        client = _client(app, who)
        page = client.get(f"/calls/{report_case['call']}")
        if who == "income":
            assert page.status_code == 403
            return
        assert page.status_code == 200
        _assert_fields(page.text, who, {k: FIELDS[k] for k in ("caller_name", "caller_phone", "question")})


@pytest.mark.parametrize("who", ["agent", "director"])
def test_the_search_page_call_panel_hides_a_report(app, report_case, who):
    """The 今日接听 panel beside the search results: the agent's own 举报 call, content redacted."""
    text = _client(app, who).get("/?q=发票").text
    if who == "agent":
        assert "今日" in text or "接听" in text
    assert FIELDS["question"] not in text and FIELDS["caller_name"] not in text


def test_exports_reports_and_the_audit_log_never_show_the_report(app, report_case):
    with _db(app) as session:
        referral = session.get(Referral, report_case["answered"])
        exported = str(export_referral(referral)) + str(export_call(referral.call))
        month = month_period(referral.created_at.year, referral.created_at.month)
        bulletin = build_bulletin(session, month, referral.created_at)
        promises = check_promises(session, month, referral.created_at)
    for field in ("caller_name", "caller_phone", "question", "answer"):
        assert FIELDS[field] not in exported, field
    report_text = str(bulletin.__dict__) + str([p.__dict__ for p in promises.values()])
    for field in ("caller_name", "caller_phone", "question", "answer", "feedback"):
        assert FIELDS[field] not in report_text, field
    director = _client(app, "director")
    director.get(f"/referrals/{report_case['answered']}")
    log = director.get("/referrals/audit").text
    assert "查看来电人身份" in log
    assert not any(FIELDS[f] in log for f in ("caller_name", "caller_phone", "question"))
    page = director.get("/reports/bulletin")
    assert page.status_code == 200 and FIELDS["question"] not in page.text


# -- a call is reused only by the agent who took it ---------------------------------------------------

def test_another_agent_cannot_copy_a_report_call_through_the_api(app, report_case):
    headers = add_token_user(app, "agent2-api", "agent")
    response = app.test_client().post("/api/v1/referrals", headers=headers, json={
        "call_id": report_case["call"], "category": "政策咨询", "department": "所得税处", "question": "请回电"})
    assert response.status_code == 403
    assert "不是您接听的" in response.json["error"]["message"]
    assert FIELDS["caller_name"] not in _text(response)
    with _db(app) as session:
        assert session.scalar(select(func.count(Referral.id))) == 2


def test_another_agent_cannot_copy_a_report_call_through_the_form(app, report_case):
    client = _client(app, "agent2")
    response = post_form(client, "/referrals/new", {
        "call_id": report_case["call"], "category": "政策咨询", "department": "所得税处", "question": "请回电",
        "caller_name": "", "caller_contact": ""}, page_url="/referrals/new?question=请回电")
    assert response.status_code == 403
    with _db(app) as session:
        assert session.scalar(select(func.count(Referral.id))) == 2


def test_another_agent_cannot_turn_a_call_into_a_difficulty_report(app, report_case):
    client = _client(app, "agent2")
    response = post_form(client, "/referrals/reports/new", {"content": "疑难", "call_id": report_case["call"]})
    assert response.status_code == 403
    with _db(app) as session:
        assert session.scalar(select(func.count(DirectorReport.id))) == 0


def test_a_referral_copied_from_a_report_call_stays_confidential(app, report_case):
    headers = add_token_user(app, "agent-api", "agent")  # another agent, reading through the API
    with _db(app) as session:
        agent = _user(session, "agent")
        # The agent who took the call may not make it a 政策咨询 …
        with pytest.raises(Exception, match="类别须同为“举报”"):
            open_referral(session, agent, NewReferral(caller_name="", caller_contact="", call_id=report_case["call"],
                                                      category="政策咨询", department="所得税处"))
    with _db(app) as session:
        agent = _user(session, "agent")
        # … and a copy sent elsewhere is still confidential, audited at creation.
        copy = open_referral(session, agent, NewReferral(caller_name="", caller_contact="",
                                                         call_id=report_case["call"], department="所得税处"))
        send_referral(session, agent, {"referral_id": copy.id})
        assert copy.is_confidential and copy.category == "举报"
        assert audit.CREATE in [e.action for e in audit.entries_for(session, "referral", copy.id)]
        copy_id = copy.id
    other = app.test_client().get(f"/api/v1/referrals/{copy_id}", headers=headers).json
    assert other["caller"] == {"name": REDACTED, "contact": REDACTED, "redacted": True}
    assert FIELDS["question"] not in str(other)


# -- one rule for calls and referrals -----------------------------------------------------------------

def test_a_call_put_through_to_inspection_is_confidential(app):
    add_user(app, "agent", "agent", staff_no="1001")
    add_user(app, "agent2", "agent", staff_no="1002")
    add_user(app, "inspection", "department", department="稽查局")
    with _db(app) as session:
        seed_departments(session)
        agent = _user(session, "agent")
        call = record_call(session, agent, NewCall(
            question="星河贸易公司老板让我们开假发票，我该怎么办", category="政策咨询", disposition="转接",
            caller_name="孙某", caller_phone="13700000000", transferred_to="稽查局"))
        assert call.is_confidential
        assert [e.action for e in audit.entries_for(session, "call", call.id)] == [audit.CREATE]
        for name in ("agent", "agent2"):
            assert caller_view(session, _user(session, name), call)["redacted"] is True
        assert caller_view(session, _user(session, "inspection"), call)["name"] == "孙某"
        row = export_call(call)
        assert row["caller_name"] == REDACTED and "假发票" not in row["question"]
        month = month_period(call.created_at.year, call.created_at.month)
        promises = check_promises(session, month, call.created_at)
        bulletin = build_bulletin(session, month, call.created_at)
        # A referral from that call is confidential as well.
        referral = open_referral(session, agent, NewReferral(caller_name="", caller_contact="", call_id=call.id))
        assert referral.is_confidential
        with pytest.raises(Forbidden):
            open_referral(session, _user(session, "agent2"),
                          NewReferral(caller_name="x", caller_contact="y", call_id=call.id))
    assert "假发票" not in str(bulletin.__dict__)
    summaries = [b.summary for p in promises.values() for b in p.breaches]
    assert all(s == SECRET for s in summaries if s)


# -- caches and LIKE patterns ---------------------------------------------------------------------------

def test_pages_that_show_a_caller_are_not_cached(app, report_case):
    client = _client(app, "director")
    for path in (f"/referrals/{report_case['answered']}", f"/calls/{report_case['call']}",
                 "/referrals/new?question=请回电&caller_name=钱某", "/referrals/audit"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path


@pytest.mark.parametrize("pattern", ["%", "_", "%%", "征%法", "\\"])
def test_a_title_filter_is_text_not_a_pattern(app, api_library, token_for, pattern):
    headers = token_for("agent")
    body = app.test_client().get("/api/v1/documents", query_string={"title": pattern}, headers=headers).json
    assert body["total"] == 0
    found = app.test_client().get("/api/v1/documents", query_string={"title": "征收管理"}, headers=headers).json
    assert [d["title"] for d in found["documents"]] == ["中华人民共和国税收征收管理法"]


def test_the_draft_from_a_report_call_keeps_its_category(app, report_case):
    agent = _client(app, "agent")
    page = agent.get(f"/referrals/new?call_id={report_case['call']}")
    assert page.status_code == 200 and "<option selected>举报</option>" in page.text
    response = post_form(agent, "/referrals/new", {"call_id": report_case["call"], "category": "举报",
                                                   "caller_name": "", "caller_contact": "", "question": ""},
                         page_url=f"/referrals/new?call_id={report_case['call']}")
    assert response.status_code == 302
    assert _client(app, "agent2").get(f"/referrals/new?call_id={report_case['call']}").status_code == 403
