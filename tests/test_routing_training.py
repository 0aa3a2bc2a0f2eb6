"""Learning from use: corrections from referrals whose department changed, and ``train-router``
keeping the new model only when it does no worse on the held-out set."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kb.hotline.departments import seed_departments
from kb.core.permissions import Forbidden
from kb.hotline.referrals import NewReferral, change_department, open_referral, return_referral, send_referral
from kb.hotline.routing_model import held_out_examples, shipped_model, training_examples
from kb.hotline.routing import route
from kb.hotline.routing_rules import suggest_department
from kb.hotline.routing_training import RouterModelRecord, active_model, corrections, train_router
from kb.accounts.users import User


@pytest.fixture
def people(session):
    seed_departments(session)
    users = {}
    for name, role, department in [("agent", "agent", None), ("director", "director", None),
                                   ("inspection", "department", "稽查局"), ("agent2", "agent", None)]:
        users[name] = User(username=name, role=role, department=department, staff_no=None, password_hash="-")
        session.add(users[name])
    session.flush()
    return users


def _refer(session, agent, question, department=None, send=True):
    referral = open_referral(session, agent, NewReferral(question=question, caller_name="张先生",
                                                         caller_contact="13900000000", department=department))
    if send:
        send_referral(session, agent, {"referral_id": referral.id})
    return referral


def test_every_sent_referral_whose_department_changed_is_a_correction(session, people):
    agent = people["agent"]
    as_suggested = _refer(session, agent, "小规模纳税人季度销售额多少以下免增值税")
    changed = _refer(session, agent, "买二手房契税税率是多少", department="法规处")
    assert changed.suggested_department == "财产和行为税处"
    draft = _refer(session, agent, "那个事情我想问问", department="法规处", send=False)
    returned = _refer(session, agent, "我想找人问问我们公司的事", department="稽查局")
    return_referral(session, people["inspection"], {"referral_id": returned.id, "reason": "不属于举报，请转所得税处"})
    change_department(session, agent, {"referral_id": returned.id, "department": "所得税处"})
    send_referral(session, agent, {"referral_id": returned.id})

    found = {e.id: e for e in corrections(session)}
    assert f"referral-{changed.id}" in found and found[f"referral-{changed.id}"].office == "法规处"
    assert found[f"referral-{returned.id}"].office == "所得税处"  # where it went after 退回
    assert f"referral-{as_suggested.id}" not in found and f"referral-{draft.id}" not in found
    assert all(e.source == "correction" for e in found.values())
    assert {e.split for e in found.values()} <= {"train", "test"}


def test_train_router_keeps_the_old_model_when_the_new_one_is_worse(session, people):
    # Wrong corrections: the held-out reports and complaints "corrected" to 办公室. Fitted on three
    # quarters of them, the new model gets their held-out twins wrong.
    poisoned = [e for e in held_out_examples() if e.office in ("稽查局", "监察室")]
    for example in poisoned:
        _refer(session, people["agent"], example.text, department="办公室")
    report = train_router(session, people["director"])
    assert report.corrections == len(poisoned)
    assert report.after.accuracy < report.before.accuracy and report.kept_old
    assert session.scalar(select(func.count(RouterModelRecord.id))) == 0
    assert active_model(session) is shipped_model()


def test_train_router_keeps_a_model_that_is_not_worse_and_routing_uses_it(session, people):
    taught = ["电子税务局的申报页面打不开", "电子税务局扫码登录总是失败", "在电子税务局上申报，系统一直转圈",
              "电子税务局里面的发票模块点进去就报错", "电子税务局提交以后一直显示处理中"]
    for question in taught:
        _refer(session, people["agent"], question, department="征管处")
    report = train_router(session, people["director"])
    assert report.corrections >= 3
    assert not report.kept_old and report.after.accuracy >= report.before.accuracy
    assert report.trained_on > len(training_examples()) and report.held_out > len(held_out_examples())
    record = session.scalars(select(RouterModelRecord)).one()
    assert record.examples and {e["office"] for e in record.examples} == {"征管处"}
    model = active_model(session)
    assert model is not shipped_model() and model is active_model(session)  # rebuilt once, then cached
    assert route("电子税务局登录老是报错").office != "征管处"  # the shipped model had not learnt it
    assert suggest_department(session, "电子税务局登录老是报错").office == "征管处"


def test_only_the_director_retrains_the_router(session, people):
    with pytest.raises(Forbidden):
        train_router(session, people["agent"])


def test_train_router_command_prints_the_figures_before_and_after(runner):
    result = runner.invoke(args=["train-router"])
    assert result.exit_code == 0, result.output
    assert "原模型（留出检验）" in result.output and "新模型（留出检验）" in result.output
    assert "稽查局:" in result.output and ("已启用新模型" in result.output or "保留原模型" in result.output)
