"""The role matrix of every API route: agent, policy office, director, department, admin, anonymous.

Each row is one route with the status every role gets; a token acts as its user, with the same
predicates as the pages. A last test checks that the table covers every registered route.
"""
from __future__ import annotations

import datetime as dt

import pytest

from kb.core.actors import SYSTEM
from kb.core.db import transaction
from kb.faq.operations import FaqData, change_status, create_entry, get_entry, publish_entry, submit_entry
from kb.faq.models import DRAFT
from kb.hotline.referrals import NewReferral, open_referral, send_referral
from kb.accounts.models import User
from tests.api_helpers import ROLES, add_token_user, api_library  # noqa: F401  (fixture)
from kb.core.timestamps import BEIJING
from webapp.api.registry import OPERATIONS

ANONYMOUS = None
ALL = (*ROLES, ANONYMOUS)
LATE_FILING = "《中华人民共和国税收征收管理法》第六十二条"


def everyone(status=200):
    return {role: status for role in ROLES} | {ANONYMOUS: 401}


def only(allowed, status=200, refused=403):
    return {role: (status if role in allowed else refused) for role in ROLES} | {ANONYMOUS: 401}


EDITORS = ("policy", "director", "admin")
PUBLISHERS = ("director", "admin")

# (method, rule as registered, url template, JSON body, expected status per role)
MATRIX = [
    ("GET", "/openapi.json", "/api/v1/openapi.json", None, {role: 200 for role in ALL}),
    ("GET", "/me", "/api/v1/me", None, everyone()),
    ("GET", "/search", "/api/v1/search?q=滞纳金", None, everyone()),
    ("GET", "/units/<int:unit_id>", "/api/v1/units/{unit}", None, everyone()),
    ("GET", "/documents", "/api/v1/documents", None, everyone()),
    ("GET", "/documents/<int:document_id>", "/api/v1/documents/{document}", None, everyone()),
    ("GET", "/faq", "/api/v1/faq", None, everyone()),
    ("GET", "/faq", "/api/v1/faq?status=draft", None, only(EDITORS)),
    ("GET", "/faq/<int:entry_id>", "/api/v1/faq/{published}", None, everyone()),
    ("GET", "/faq/<int:entry_id>", "/api/v1/faq/{draft}", None, only(EDITORS, refused=404)),
    ("POST", "/faq", "/api/v1/faq", {"question": "新问题{role}"}, only(EDITORS, 201)),
    ("PATCH", "/faq/<int:entry_id>", "/api/v1/faq/{draft}", {"answer": "新答案"}, only(EDITORS)),
    ("PATCH", "/faq/<int:entry_id>", "/api/v1/faq/{in_review}", {"status": "published"}, only(PUBLISHERS)),
    ("GET", "/referrals", "/api/v1/referrals", None, everyone()),
    ("GET", "/referrals/<int:referral_id>", "/api/v1/referrals/{referral}", None, only(
        ("agent", "policy", "director", "admin", "department"))),
    ("GET", "/referrals/<int:referral_id>", "/api/v1/referrals/{draft_referral}", None, only(
        ("agent", "policy", "director", "admin"), refused=404)),
    ("POST", "/referrals", "/api/v1/referrals",
     {"caller_name": "王女士", "caller_contact": "13800000000", "question": "研发费用加计扣除比例是多少？"},
     only(("agent", "director"), 201)),
]


@pytest.fixture
def world(app, api_library):
    """A small real world: the library, FAQ entries in three states, a sent and a draft referral."""
    factory = app.extensions["kb_storage"].session_factory
    with transaction(factory) as session:
        agent = User(username="first-agent", role="agent", staff_no="1001", password_hash="-", active=True)
        session.add(agent)
        session.flush()
        published = create_entry(session, SYSTEM, FaqData(question="逾期申报会被罚款吗？", answer="可以处罚款。",
                                                         citations=[LATE_FILING]))
        submit_entry(session, SYSTEM, published)
        publish_entry(session, SYSTEM, published)
        draft = create_entry(session, SYSTEM, FaqData(question="草稿问题", answer="草稿答案", citations=[LATE_FILING]))
        in_review = create_entry(session, SYSTEM, FaqData(question="待审问题", answer="待审答案", citations=[LATE_FILING]))
        submit_entry(session, SYSTEM, in_review)
        at = dt.datetime(2025, 9, 30, 10, 0, tzinfo=BEIJING)
        sent = open_referral(session, agent, NewReferral(
            caller_name="王女士", caller_contact="13800000000", question="企业所得税汇算清缴的期限是什么时候？",
            tax_type="企业所得税", department="所得税处", at=at))
        send_referral(session, agent, {"referral_id": sent.id, "at": at})
        held = open_referral(session, agent, NewReferral(
            caller_name="赵先生", caller_contact="13700000000", question="企业所得税预缴怎么申报？",
            tax_type="企业所得税", department="所得税处", at=at))
        unit = next(u for u in published.citations[0].unit.document.units if u.label == "第三十二条")
        return {"unit": unit.id, "document": unit.document_id, "published": published.id, "draft": draft.id,
                "in_review": in_review.id, "referral": sent.id, "draft_referral": held.id}


def _headers(app, role):
    if role is None:
        return {}
    return add_token_user(app, f"{role}-matrix", role, department="所得税处")


@pytest.mark.parametrize("method,rule,url,body,expected", MATRIX,
                         ids=[f"{m} {u}" for m, _r, u, _b, _e in MATRIX])
def test_role_matrix(app, world, method, rule, url, body, expected):
    client = app.test_client()
    for role in ALL:
        payload = {k: v.format(role=role) if isinstance(v, str) else v for k, v in body.items()} if body else None
        response = client.open(url.format(**world), method=method, headers=_headers(app, role), json=payload)
        assert response.status_code == expected[role], (role, response.text)
        if response.status_code >= 400:
            assert set(response.get_json()["error"]) == {"code", "message"}
        if method == "PATCH" and response.status_code == 200 and body.get("status") == "published":
            _back_to_review(app, world["in_review"])  # so the next role tries the same change


def _back_to_review(app, entry_id):
    with transaction(app.extensions["kb_storage"].session_factory) as session:
        entry = get_entry(session, entry_id)
        change_status(session, SYSTEM, entry, DRAFT)
        submit_entry(session, SYSTEM, entry)


def test_the_matrix_covers_every_api_route():
    registered = {(op.method, op.rule) for op in OPERATIONS}
    assert registered == {(method, rule) for method, rule, *_ in MATRIX}
