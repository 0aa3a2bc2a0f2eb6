"""Routing rules: the pure ``route`` function, the pattern language, and the director's rule store."""
from __future__ import annotations

import subprocess
import sys

import pytest

from kb.permissions import Forbidden
from kb.routing import Rule, RuleError, match_pattern, normalise, route, rule_from_dict, shipped_rules
from kb.routing_rules import list_rules, load_rules, save_rule, seed_routing_rules, suggest_department
from kb.users import NewUser, create_user


@pytest.mark.parametrize("text, department", [
    ("有家饭店收入都进老板私人账户，从来不开票，我要举报", "稽查局"),
    ("我知道有人专门卖增值税专用发票", "稽查局"),
    ("我们老板做了两套账，对外报的是假账", "稽查局"),
    ("某公司用假的报关单骗出口退税", "稽查局"),
    ("办税服务厅的工作人员对我大吼大叫，态度非常恶劣", "监察室"),
    ("我们的专管员暗示要给他送点东西才给办", "监察室"),
    ("我要举报税务所的科长收受红包", "监察室"),
    ("我对税务局的罚款决定不服，怎么申请行政复议", "法规处"),
    ("对这个处罚我不服，想起诉税务局", "法规处"),
    ("你们12366的客服说话很不耐烦，我要投诉", "征管处"),
    ("12366总是占线，打了一上午都打不进去", "征管处"),
    ("希望热线能延长服务时间", "征管处"),
    ("收到境外支付的特许权使用费，税收协定待遇怎么享受", "业务处室"),
    ("高新技术企业资格过期后还能享受15%税率吗", "业务处室"),
])
def test_shipped_rules_route_each_kind_of_request(text, department):
    assert route(text).department == department


def test_reason_names_the_rule_and_the_words_matched():
    decision = route("我想举报一家公司虚开发票")
    assert decision.department == "稽查局" and decision.office == "稽查局"
    assert "偷税、逃税、骗税、虚开发票等税收违法举报" in decision.reason
    assert "“举报”" in decision.reason and "“虚开”" in decision.reason
    assert decision.matched == ["举报", "虚开"]


def test_a_staff_complaint_beats_the_report_rule_and_a_reconsideration_beats_both():
    staff = route("我要举报税务局的专管员吃拿卡要")
    assert staff.department == "监察室"
    assert any(other["department"] == "稽查局" for other in staff.others)
    assert route("税务人员态度很差，罚款决定我也不服，要申请复议").department == "法规处"


def test_policy_questions_go_to_the_department_of_that_tax():
    land = route("土地增值税清算时开发间接费用怎么分摊")
    assert (land.department, land.office) == ("业务处室", "财产和行为税处")  # not 增值税's department
    assert route("个人转让限售股的原值怎么确定", tax_type="个人所得税").office == "所得税处"
    unknown = route("这个问题比较复杂")
    assert unknown.department == "业务处室" and unknown.office is None
    assert "未命中任何转办规则" in unknown.reason and "请坐席选定承办处室" in unknown.reason


def test_the_agents_category_decides_when_the_words_say_nothing():
    assert route("情况比较复杂", category="举报").department == "稽查局"
    assert route("情况比较复杂", category="行政复议申请").department == "法规处"
    decision = route("情况比较复杂", category="投诉")
    assert decision.department == "监察室" and "来电类别为“投诉”" in decision.reason


def test_pattern_language():
    text = normalise("我想 举报。要查")
    assert match_pattern(text, "想/要+举报") == ["想举报"]
    assert match_pattern(normalise("我要。去举报"), "要+举报") is None  # not across a sentence end
    assert match_pattern(normalise("要" + "啊" * 25 + "举报"), "要+举报") is None  # beyond the window
    assert match_pattern(normalise("举报的人是专管员"), "专管员 & 举报") == ["专管员", "举报"]
    assert match_pattern(normalise("ＡＢＣ１２３６６"), "12366") == ["12366"]  # full-width digits


def test_rules_are_checked():
    with pytest.raises(RuleError, match="未知的转办部门"):
        rule_from_dict({"name": "x", "department": "不存在处", "words": ["a"]})
    with pytest.raises(RuleError, match="写法有误"):
        rule_from_dict({"name": "x", "department": "稽查局", "words": ["举报+"]})
    with pytest.raises(RuleError, match="至少要填一项"):
        rule_from_dict({"name": "x", "department": "稽查局"})
    with pytest.raises(RuleError, match="优先级"):
        rule_from_dict({"name": "x", "department": "稽查局", "words": ["a"], "priority": "高"})


def test_custom_rules_without_a_database():
    rules = [Rule(name="发票丢失", department="征管处", priority=5, words=("发票+丢失/遗失",))]
    decision = route("专用发票丢失了怎么办", rules=rules)
    assert decision.department == "征管处" and decision.rule == "发票丢失"


@pytest.fixture
def director(session):
    user, _ = create_user(session, None, NewUser(username="zhuren", role="director", password="password-1"))
    return user


@pytest.fixture
def agent(session):
    user, _ = create_user(session, None, NewUser(username="a1", role="agent", staff_no="1001", password="password-1"))
    return user


def test_rule_store_starts_from_the_shipped_rules_and_the_director_edits_it(session, director, agent):
    assert load_rules(session) == shipped_rules()  # nothing stored yet
    assert seed_routing_rules(session) == len(shipped_rules())
    assert seed_routing_rules(session) == 0
    assert [rule.name for rule in load_rules(session)] == [rule.name for rule in shipped_rules()]

    with pytest.raises(Forbidden):
        save_rule(session, agent, {"name": "发票丢失", "department": "征管处", "words": ["发票+丢失"]})
    row = save_rule(session, director, {"name": "发票丢失", "department": "征管处", "priority": 30,
                                        "words": ["发票+丢失/遗失"]})
    assert suggest_department(session, "专用发票丢失了怎么办").department == "征管处"

    save_rule(session, director, {"id": row.id, "name": "发票丢失", "department": "征管处", "priority": 30,
                                  "words": ["发票+丢失/遗失"], "enabled": False})
    assert suggest_department(session, "专用发票丢失了怎么办").department == "业务处室"
    assert any(r.name == "发票丢失" and not r.enabled for r in list_rules(session))
    with pytest.raises(RuleError, match="已有名为"):
        save_rule(session, director, {"name": "行政复议口头申请", "department": "法规处", "words": ["复议"]})


def test_kb_imports_neither_flask_nor_whoosh():
    code = ("import sys, kb.routing, kb.routing_rules, kb.referrals, kb.reminders, kb.redaction, kb.workdays;"
            "assert not {'flask', 'whoosh'} & set(sys.modules), sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
