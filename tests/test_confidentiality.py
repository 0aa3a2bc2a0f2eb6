"""Confidentiality of 举报 and 投诉 callers: who sees the identity, redacted exports, the audit log."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from kb.hotline import audit
from kb.hotline.calls import NewCall, record_call
from kb.hotline.departments import seed_departments
from kb.core.permissions import Forbidden
from kb.hotline.redaction import REDACTED, caller_view, can_view_identity, export_call, export_referral
from kb.hotline.referrals import NewReferral, open_referral, send_referral
from kb.accounts.users import User

ROLES = {
    "agent": ("agent", None, "1001"),        # the 首问责任人 who took the call
    "agent2": ("agent", None, "1002"),
    "policy": ("policy", None, None),
    "admin": ("admin", None, None),
    "director": ("director", None, None),
    "inspection": ("department", "稽查局", None),
    "supervision": ("department", "监察室", None),
    "income": ("department", "所得税处", None),
}


@pytest.fixture
def people(session):
    seed_departments(session)
    users = {}
    for name, (role, department, staff_no) in ROLES.items():
        # No password: these users never log in, and hashing one per user per test is slow.
        users[name] = User(username=name, role=role, department=department, staff_no=staff_no, password_hash="-")
    session.add_all(users.values())
    session.flush()
    return users


def _referral(session, people, question, category, department=None):
    referral = open_referral(session, people["agent"], NewReferral(
        question=question, category=category, caller_name="赵某", caller_contact="13900000000",
        department=department))
    send_referral(session, people["agent"], {"referral_id": referral.id})
    return referral


# who may open the record / who sees the caller in clear
CASES = {
    "report": ("公司让员工拿别人的发票报销套取资金，我想举报", "举报", None,
               {"agent", "agent2", "policy", "admin", "director", "inspection"}, {"director", "inspection"}),
    "complaint": ("窗口工作人员态度恶劣，我要投诉", "投诉", None,
                  {"agent", "agent2", "policy", "admin", "director", "supervision"}, {"director", "supervision"}),
    "report_sent_elsewhere": ("我要举报这家公司少缴企业所得税", "举报", "所得税处",
                              {"agent", "agent2", "policy", "admin", "director", "income"}, {"director"}),
    "policy": ("委托境外研发费用加计扣除怎么算", "政策咨询", None,
               {"agent", "agent2", "policy", "admin", "director", "income"},
               {"agent", "agent2", "policy", "admin", "director", "income"}),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("who", ROLES)
def test_identity_matrix(session, people, case, who):
    question, category, department, may_open, may_see = CASES[case]
    referral = _referral(session, people, question, category, department)
    actor = people[who]
    assert can_view_identity(actor, referral) == (who in may_see)
    before = len(audit.entries_for(session, "referral", referral.id))
    if who not in may_open:
        with pytest.raises(Forbidden):
            caller_view(session, actor, referral)
        return
    view = caller_view(session, actor, referral)
    if who in may_see:
        assert view == {"name": "赵某", "contact": "13900000000", "redacted": False}
    else:
        assert view == {"name": REDACTED, "contact": REDACTED, "redacted": True}
    entries = audit.entries_for(session, "referral", referral.id)[before:]
    if referral.is_confidential and who in may_see:
        assert [(e.action, e.actor_id) for e in entries] == [(audit.VIEW_IDENTITY, actor.id)]
    else:
        assert entries == []


@pytest.mark.parametrize("case", CASES)
def test_every_export_redacts_reports_and_complaints(session, people, case):
    question, category, department, _open, _see = CASES[case]
    row = export_referral(_referral(session, people, question, category, department))
    secret = case != "policy"
    assert (row["caller_name"] == REDACTED) == secret
    assert (row["caller_contact"] == REDACTED) == secret
    assert (question in row["question"]) != secret
    assert "13900000000" not in str(row) or not secret


def test_a_draft_is_not_shown_to_the_receiving_department(session, people):
    referral = open_referral(session, people["agent"], NewReferral(
        question="我想举报一家公司虚开发票", category="举报", caller_name="钱某", caller_contact="1"))
    assert referral.department == "稽查局" and referral.is_confidential
    assert not can_view_identity(people["inspection"], referral)
    with pytest.raises(Forbidden):
        caller_view(session, people["inspection"], referral)


def test_a_complaint_call_is_confidential_too(session, people):
    call = record_call(session, people["agent"], NewCall(
        question="专管员索要好处费", category="投诉", disposition="转接", caller_name="孙某",
        caller_phone="13700000000", transferred_to="监察室"))
    assert [e.action for e in audit.entries_for(session, "call", call.id)] == [audit.CREATE]
    assert caller_view(session, people["agent"], call)["redacted"] is True  # even the agent who took it
    assert caller_view(session, people["director"], call)["name"] == "孙某"
    assert caller_view(session, people["supervision"], call)["contact"] == "13700000000"
    with pytest.raises(Forbidden):
        caller_view(session, people["inspection"], call)
    assert [e.actor_id for e in audit.entries_for(session, "call", call.id)][1:] == [
        people["director"].id, people["supervision"].id]
    row = export_call(call)
    assert row["caller_name"] == REDACTED and "好处费" not in row["question"]


def test_the_audit_log_cannot_be_changed_or_deleted(session_factory, people, session):
    entry = audit.record(session, people["director"], audit.VIEW_IDENTITY, "referral", 1)
    session.commit()
    for statement in ("UPDATE audit_log SET actor_name = 'x' WHERE id = :id", "DELETE FROM audit_log WHERE id = :id"):
        with session_factory() as other:
            with pytest.raises(DBAPIError, match="append-only"):
                other.execute(text(statement), {"id": entry.id})
            other.rollback()
    with session_factory() as other:
        assert other.get(audit.AuditEntry, entry.id).actor_name == entry.actor_name
    assert not any(hasattr(audit, name) for name in ("update_entry", "delete_entry"))
