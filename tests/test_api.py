"""The JSON API: search like the CLI, units, documents, FAQ, referrals, tokens and JSON errors."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from kb.accounts.models import ApiToken, User
from kb.accounts.audit import VIEW_IDENTITY, entries_for
from kb.core.db import transaction
from kb.reports.models import QueryLog
from tests.api_helpers import api_library, token_for  # noqa: F401  (fixtures)
from tests.web_helpers import client_as, csrf_token  # noqa: F401

LATE_FILING = "《中华人民共和国税收征收管理法》第六十二条"


def _error(response, status):
    assert response.status_code == status, response.text
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"]["message"])  # a Chinese message
    return body["error"]


def test_search_gives_what_the_cli_gives_and_is_logged(app, api_library, token_for, runner):
    headers = token_for("agent")
    response = app.test_client().get("/api/v1/search", query_string={"q": "征管法第32条", "limit": 3},
                                     headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    cli = json.loads(runner.invoke(args=["search", "征管法第32条", "--json", "--limit", "3"]).output)
    assert set(body) == set(cli) == {"query", "results", "took_ms", "suggestion", "notices", "confidence"}
    assert body["confidence"] == cli["confidence"] == "high" and body["notices"] == []
    assert body["results"] == cli["results"]
    assert body["results"][0]["citation"] == "《中华人民共和国税收征收管理法》第三十二条"
    with app.extensions["kb_storage"].session_factory() as session:
        logged = session.scalars(select(QueryLog).where(QueryLog.user_id.is_not(None))).all()
    assert [(q.query, q.result_count) for q in logged] == [("征管法第32条", 3)]


def test_search_options_and_bad_parameters(app, api_library, token_for):
    client, headers = app.test_client(), token_for("agent")
    old = client.get("/api/v1/search", query_string={"q": "小规模纳税人 标准", "include_old": "true", "limit": 20},
                     headers=headers).get_json()["results"]
    current = client.get("/api/v1/search", query_string={"q": "小规模纳税人 标准", "limit": 20},
                         headers=headers).get_json()["results"]
    assert {r["status"] for r in current} <= {"有效", "部分失效"}
    assert "失效" in {r["status"] for r in old}
    for params in ({}, {"q": "  "}, {"q": "增值税", "limit": 0}, {"q": "增值税", "limit": "many"},
                   {"q": "增值税", "as_of": "2024-13-01"}, {"q": "增值税", "status": "作废"},
                   {"q": "增值税", "include_old": "maybe"}, {"q": "增" * 600},
                   {"q": "增值税", "status": ""}, {"q": "增值税", "include_old": ""}, {"q": "增值税", "limit": ""},
                   {"q": "增值税", "as_of": ""}):
        _error(client.get("/api/v1/search", query_string=params, headers=headers), 400)
    repeated = _error(client.get("/api/v1/search?q=增值税&limit=1&limit=x", headers=headers), 400)
    assert "limit" in repeated["message"] and "只能出现一次" in repeated["message"]


def test_unit_has_citation_status_paragraphs_and_references(app, api_library, token_for):
    client, headers = app.test_client(), token_for("agent")
    document = client.get(f"/api/v1/documents/{api_library['税收征收管理法(2015-04-24).md']}", headers=headers).get_json()
    article = next(u for u in document["units"] if u["label"] == "第六十二条")
    unit = client.get(f"/api/v1/units/{article['id']}", headers=headers).get_json()
    assert unit["citation"] == LATE_FILING and unit["status"] == "有效"
    assert unit["doc_title"] == "中华人民共和国税收征收管理法" and unit["paragraphs"]
    referring = next(u for u in document["units"] if "本法第" in u["text"])
    references = client.get(f"/api/v1/units/{referring['id']}", headers=headers).get_json()["references"]
    assert any(r["kind"] == "article" and r["target_label"] for r in references)
    old = client.get(f"/api/v1/documents/{api_library['增值税暂行条例(2017-11-19).md']}", headers=headers).get_json()
    assert old["status"] == "失效" and old["superseded_by"] == "中华人民共和国增值税法"
    assert _error(client.get("/api/v1/units/999999", headers=headers), 404)["code"] == "not_found"
    _error(client.get("/api/v1/units/99999999999999999999", headers=headers), 404)


def test_documents_list_filters_and_pages(app, api_library, token_for):
    client, headers = app.test_client(), token_for("policy")
    everything = client.get("/api/v1/documents", headers=headers).get_json()
    assert everything["total"] == 3 and len(everything["documents"]) == 3
    repealed = client.get("/api/v1/documents", query_string={"status": "失效"}, headers=headers).get_json()
    assert [d["title"] for d in repealed["documents"]] == ["中华人民共和国增值税暂行条例"]
    vat = client.get("/api/v1/documents", query_string={"tax_type": "增值税"}, headers=headers).get_json()
    assert vat["total"] == 2
    titled = client.get("/api/v1/documents", query_string={"title": "征收管理"}, headers=headers).get_json()
    assert [d["id"] for d in titled["documents"]] == [api_library["税收征收管理法(2015-04-24).md"]]
    page = client.get("/api/v1/documents", query_string={"limit": 2, "offset": 2}, headers=headers).get_json()
    assert (page["total"], len(page["documents"])) == (3, 1)
    for params in ({"status": "作废"}, {"limit": 201}, {"offset": -1}):
        _error(client.get("/api/v1/documents", query_string=params, headers=headers), 400)


def test_faq_is_edited_by_the_policy_office_and_published_by_the_director(app, api_library, token_for):
    client = app.test_client()
    policy, director, agent = token_for("policy"), token_for("director"), token_for("agent")
    created = client.post("/api/v1/faq", headers=policy, json={
        "question": "逾期申报会被罚款吗？", "answer": "可以处二千元以下的**罚款**。", "citations": [LATE_FILING],
        "phrasings": ["晚报税罚多少"]})
    assert created.status_code == 201, created.text
    entry = created.get_json()
    for status in ({}, ["draft"], "作废"):
        _error(client.post("/api/v1/faq", headers=policy, json={"question": "状态有误", "status": status}), 400)
        _error(client.patch(f"/api/v1/faq/{entry['id']}", headers=policy, json={"status": status}), 400)
    assert entry["status"] == "draft" and entry["citations"][0]["citation"] == LATE_FILING
    assert "<strong>罚款</strong>" in entry["answer_html"]
    url = f"/api/v1/faq/{entry['id']}"
    _error(client.get(url, headers=agent), 404)  # agents see published entries only
    assert client.patch(url, headers=policy, json={"status": "in_review"}).get_json()["status"] == "in_review"
    assert _error(client.patch(url, headers=policy, json={"status": "published"}), 403)["code"] == "forbidden"
    published = client.patch(url, headers=director, json={"status": "published"})
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    listed = client.get("/api/v1/faq", headers=agent).get_json()
    assert [e["question"] for e in listed["entries"]] == ["逾期申报会被罚款吗？"]
    assert client.get(url, headers=agent).get_json()["version"] == 3
    edited = client.patch(url, headers=policy, json={"phrasings": ["晚报税罚多少", "逾期申报罚款"]}).get_json()
    # The policy office's edit of a published entry goes back through review: agents do not read it yet.
    assert edited["phrasings"] == ["晚报税罚多少", "逾期申报罚款"] and edited["status"] == "in_review"
    _error(client.get(url, headers=agent), 404)
    assert client.patch(url, headers=director, json={"status": "published"}).get_json()["status"] == "published"
    assert client.get(url, headers=agent).get_json()["phrasings"] == ["晚报税罚多少", "逾期申报罚款"]
    edited = client.patch(url, headers=director, json={"answer": "可以处二千元以下的罚款。"}).get_json()
    assert edited["status"] == "published"  # the director's own edit is published as it is
    assert "第九百条" in _error(client.post("/api/v1/faq", headers=policy, json={
        "question": "新问题", "citations": ["《中华人民共和国税收征收管理法》第九百条"]}), 400)["message"]
    _error(client.post("/api/v1/faq", headers=policy, json={"question": 5}), 400)
    _error(client.post("/api/v1/faq", headers=policy, data="question", content_type="text/plain"), 415)
    _error(client.post("/api/v1/faq", headers=policy, data="{", content_type="application/json"), 400)
    _error(client.get("/api/v1/faq", query_string={"status": "draft"}, headers=agent), 403)


def _referral(client, headers, **fields):
    body = {"caller_name": "张先生", "caller_contact": "13900000000", "question": "个人所得税专项附加扣除怎么填？",
            "category": "政策咨询", **fields}
    response = client.post("/api/v1/referrals", headers=headers, json=body)
    assert response.status_code == 201, response.text
    return response.get_json()


def test_referrals_follow_the_confidentiality_rules_and_clear_views_are_audited(app, token_for):
    client = app.test_client()
    agent, director = token_for("agent"), token_for("director")
    ordinary = _referral(client, agent)
    assert ordinary["caller"] == {"name": "张先生", "contact": "13900000000", "redacted": False}
    assert ordinary["state"] == "draft" and ordinary["suggested_department"]
    report = _referral(client, agent, category="举报", question="某公司长期不开发票，偷逃税款。")
    assert report["confidential"] and report["caller"]["redacted"] is True
    assert report["caller"]["name"] == "（已隐去）"
    seen = client.get(f"/api/v1/referrals/{report['id']}", headers=director).get_json()
    assert seen["caller"] == {"name": "张先生", "contact": "13900000000", "redacted": False}
    with app.extensions["kb_storage"].session_factory() as session:
        views = [e for e in entries_for(session, "referral", report["id"]) if e.action == VIEW_IDENTITY]
    assert [(v.actor_role, v.object_id) for v in views] == [("director", report["id"])]
    listed = client.get("/api/v1/referrals", headers=agent).get_json()
    assert listed["total"] == 2 and all("caller" not in r for r in listed["referrals"])
    department = token_for("department", department="所得税处")
    assert client.get("/api/v1/referrals", headers=department).get_json()["total"] == 0  # drafts are not sent
    _error(client.get(f"/api/v1/referrals/{ordinary['id']}", headers=department), 404)
    assert "姓名和联系方式" in _error(client.post("/api/v1/referrals", headers=agent, json={
        "caller_name": "", "caller_contact": "", "question": "问题"}), 400)["message"]
    _error(client.post("/api/v1/referrals", headers=agent, json={
        "caller_name": "李", "caller_contact": "1", "question": "问题", "category": "闲聊"}), 400)
    _error(client.get("/api/v1/referrals", query_string={"state": "lost"}, headers=agent), 400)


def test_tokens_are_stored_hashed_and_can_be_revoked(app, token_for):
    client = app.test_client()
    headers = token_for("agent", username="phone-system")
    secret = headers["Authorization"].split()[1]
    assert client.get("/api/v1/me", headers=headers).get_json()["username"] == "phone-system"
    factory = app.extensions["kb_storage"].session_factory
    with factory() as session:
        token = session.scalars(select(ApiToken)).one()
        assert secret not in (token.token_hash, token.hint) and token.last_used_at is not None
    with transaction(factory) as session:
        session.get(ApiToken, token.id).revoked_at = token.created_at
    assert _error(client.get("/api/v1/me", headers=headers), 401)["code"] == "unauthorized"
    other = token_for("director", username="reports")
    with transaction(factory) as session:
        session.scalars(select(User).where(User.username == "reports")).one().active = False
    _error(client.get("/api/v1/me", headers=other), 401)
    response = client.get("/api/v1/me", headers={"Authorization": "Basic abc"})
    assert _error(response, 401) and response.headers["WWW-Authenticate"].startswith("Bearer")


def test_wrong_tokens_are_throttled_per_token_and_never_lock_out_a_good_one(app, token_for):
    client = app.test_client()
    good = token_for("agent")
    for _ in range(5):
        _error(client.get("/api/v1/me", headers={"Authorization": "Bearer kb_guess"}), 401)
    assert _error(client.get("/api/v1/me", headers={"Authorization": "Bearer kb_guess"}), 429)["code"] == \
        "too_many_requests"
    # Another client behind the same address (a proxy) with a valid token is not locked out …
    assert client.get("/api/v1/me", headers=good).status_code == 200
    # … and one with another bad token is told it is wrong, until the address has failed too often.
    _error(client.get("/api/v1/me", headers={"Authorization": "Bearer kb_other"}), 401)
    for n in range(20):
        client.get("/api/v1/me", headers={"Authorization": f"Bearer kb_spray{n}"})
    _error(client.get("/api/v1/me", headers={"Authorization": "Bearer kb_spray-last"}), 429)
    assert client.get("/api/v1/me", headers=good).status_code == 200


def test_token_calls_skip_csrf_but_cookie_calls_need_it(app, api_library, token_for, client_as):
    token = token_for("director")
    body = {"question": "滞纳金怎么算？", "answer": "按日加收万分之五。"}
    assert app.test_client().post("/api/v1/faq", headers=token, json=body).status_code == 201
    browser = client_as("director", username="zhuren")
    refused = browser.post("/api/v1/faq", json={**body, "question": "滞纳金从哪天起算？"})
    assert "CSRF" in _error(refused, 400)["message"]
    page = browser.get("/password")
    accepted = browser.post("/api/v1/faq", json={**body, "question": "滞纳金从哪天起算？"},
                            headers={"X-CSRFToken": csrf_token(page.text)})
    assert accepted.status_code == 201, accepted.text
    assert browser.get("/api/v1/me").get_json()["username"] == "zhuren"


def test_errors_are_json_for_unknown_routes_methods_big_bodies_and_crashes(app, token_for):
    def crash():
        raise RuntimeError("secret detail")

    app.add_url_rule("/api/v1/crash-for-test", "crash_for_test", crash)
    app.config["MAX_CONTENT_LENGTH"] = 1024
    client, headers = app.test_client(), token_for("director")
    _error(client.get("/api/v1/no-such-thing", headers=headers), 404)
    not_allowed = client.delete("/api/v1/faq", headers=headers)
    assert _error(not_allowed, 405)["code"] == "method_not_allowed"
    assert {"GET", "POST"} <= {m.strip() for m in not_allowed.headers["Allow"].split(",")}
    big = client.post("/api/v1/faq", headers=headers, json={"question": "长" * 2000})
    assert _error(big, 413)["code"] == "payload_too_large"
    crashed = client.get("/api/v1/crash-for-test", headers=headers)
    assert _error(crashed, 500)["code"] == "internal_error"
    assert "secret detail" not in crashed.text and "Traceback" not in crashed.text


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Token abc", "Bearer " + "x" * 300])
def test_malformed_authorization_headers_get_401(app, header):
    _error(app.test_client().get("/api/v1/me", headers={"Authorization": header}), 401)


def test_referral_times_are_iso_8601_in_beijing_time_with_the_offset(app, token_for):
    import datetime as dt

    from kb.core.timestamps import UTC
    from kb.hotline.referrals import Referral

    client = app.test_client()
    agent = token_for("agent")
    created = _referral(client, agent)
    assert dt.datetime.fromisoformat(created["created_at"]).utcoffset() == dt.timedelta(hours=8)
    with app.extensions["kb_storage"].session_factory() as session:
        session.get(Referral, created["id"]).created_at = dt.datetime(2024, 5, 31, 23, 30, tzinfo=UTC)
        session.commit()
    seen = client.get(f"/api/v1/referrals/{created['id']}", headers=agent).get_json()
    assert seen["created_at"] == "2024-06-01 07:30:00+08:00"
