"""Routing: the director's rules as overrides on the classifier, negation, confidential categories,
the choice below the threshold, the pattern language, and the director's rule store."""
from __future__ import annotations

import subprocess
import sys

import pytest

from collections import Counter

from kb.core.actors import SYSTEM
from kb.hotline.departments import GROUPS, SEED_BY_NAME
from kb.hotline.negation import mask_negated, negated_spans
from kb.core.permissions import Forbidden
from kb.hotline.routing import (
    Rule, RuleError, match_pattern, normalise, route, route_by_rules, rule_from_dict, shipped_rules,
)
from kb.hotline.routing_model import features, group_label, load_examples, shipped_model, held_out_examples
from kb.hotline.routing_rules import list_rules, load_rules, save_rule, seed_routing_rules, suggest_department
from kb.accounts.users import NewUser, create_user


# Requests written for these tests (not in kb/hotline/data/routing_examples.jsonl), each of a kind issue #18
# names: described rather than named, negated trigger words, decisions challenged, run-arounds.
@pytest.mark.parametrize("text, department", [
    ("有家饭店收入都进老板私人账户，从来不开票，我要举报", "稽查局"),
    ("我知道有人专门卖增值税专用发票", "稽查局"),
    ("我们老板做了两套账，对外报的是假账", "稽查局"),
    ("某公司用假的报关单骗出口退税", "稽查局"),
    ("办税服务厅的工作人员对我大吼大叫，态度非常恶劣", "监察室"),
    ("我们的专管员暗示要给他送点东西才给办", "监察室"),
    ("我要举报税务所的科长收受红包", "监察室"),
    ("管我们的那个税管员说年底了，让我们意思意思，他好帮我们把事情压下来", "监察室"),
    ("分局有个干部的弟弟开了家财务公司，他老让我们去那家记账", "监察室"),
    ("一件事让我跑了三个窗口，每个都说不归自己管，最后还是没办成", "监察室"),
    ("我对税务局的罚款决定不服，怎么申请行政复议", "法规处"),
    ("对这个处罚我不服，想起诉税务局", "法规处"),
    ("税务局罚我们五千块钱，说我们晚报了，可当时是系统出问题，这个钱我们不认", "法规处"),
    ("稽查下了结论说我们少缴了税，我们有全部合同和付款记录，想请上级再审一次", "法规处"),
    ("你们12366的客服说话很不耐烦，我要投诉", "征管处"),
    ("12366总是占线，打了一上午都打不进去", "征管处"),
    ("希望热线能延长服务时间", "征管处"),
    ("你们这个热线电话的人说话我听不懂，回答也不对", "征管处"),
    ("收到境外支付的特许权使用费，税收协定待遇怎么享受", "业务处室"),
    ("高新技术企业资格过期后还能享受15%税率吗", "业务处室"),
    ("不是要举报谁，我就想问问员工旅游的费用能不能在企业所得税前扣除", "业务处室"),
    ("我不想投诉，就是问一下个人出租房子的增值税怎么算", "业务处室"),
    ("温江区税务局通知我去补一份材料，想问问要补什么", "区（市、县）局"),
    ("想请税务局的人到我们街道给商户讲讲新出的政策", "办公室"),
])
def test_each_kind_of_request_goes_to_its_department(text, department):
    assert route(text).department == department


def test_held_out_examples_of_every_department_are_routed_right():
    """The shipped examples the model never saw: the issue's target, at least 95 % overall and 90 %
    for each destination (``bench/routing.py`` prints the exact figures)."""
    held = held_out_examples()
    assert len(held) >= 100
    right: Counter = Counter()
    total: Counter = Counter()
    for example in held:
        total[group_label(example.office)] += 1
        right[group_label(example.office)] += route(example.text).department == group_label(example.office)
    assert set(total) == set(GROUPS)
    assert sum(right.values()) / len(held) >= 0.95
    assert all(right[group] / total[group] >= 0.90 for group in total), {g: (right[g], total[g]) for g in total}


def test_the_second_held_out_part_has_enough_of_each_weak_kind_to_mean_something():
    """Part b was written for the kinds the router got wrong (the hotline's own service, staff
    conduct described without 投诉/举报, challenged decisions) and frozen before it was measured."""
    part = Counter(group_label(e.office) for e in held_out_examples() if e.part == "b")
    assert all(part[group] >= 20 for group in ("征管处", "监察室", "法规处")), part
    assert {e.office for e in held_out_examples() if e.part == "b"} >= {o for o in SEED_BY_NAME if o.endswith("联络员")}


def test_the_shipped_examples_cover_every_department_and_district_liaison():
    examples = load_examples()
    offices = {e.office for e in examples}
    assert len(examples) >= 400 and offices == set(SEED_BY_NAME)  # 11 departments and the 22 liaisons
    assert {e.split for e in examples} == {"train", "test"}
    assert len({e.text for e in examples}) == len(examples)


def test_a_district_request_goes_to_that_districts_liaison():
    decision = route("我们公司在双流，税务所说要上门核实经营地址，能帮我问问哪天来吗")
    assert (decision.department, decision.office) == ("区（市、县）局", "双流区税务局联络员")
    assert route("郫县那边的税务所让我补签一个字，在哪个窗口").office == "郫都区税务局联络员"


def test_a_rule_is_an_override_shown_as_such():
    decision = route("我要举报税务所的科长收受红包")
    assert decision.department == "监察室" and decision.source == "rule" and decision.confidence == 1.0
    assert "主任规则“税务部门和税务人员的工作作风、廉政投诉”" in decision.reason and "优先于模型" in decision.reason
    assert "“红包”" in decision.reason
    assert decision.alternatives and all(a["department"] != "监察室" for a in decision.alternatives)


def test_the_models_reason_names_the_words_that_weighed_most():
    decision = route("我想举报一家公司虚开发票")
    assert decision.department == "稽查局" and decision.office == "稽查局" and decision.source == "model"
    assert decision.reason.startswith("模型判断（把握") and "“举报”" in decision.reason
    assert decision.rule is None and 0.5 < decision.confidence <= 1


def test_a_staff_complaint_beats_the_report_rule_and_a_reconsideration_beats_both():
    staff = route("我要举报税务局的专管员吃拿卡要")
    assert staff.department == "监察室"
    assert route("税务人员态度很差，罚款决定我也不服，要申请复议").department == "法规处"


def test_negated_words_match_no_rule_and_weigh_as_negated():
    assert negated_spans("我不是要举报，只是想问发票怎么红冲") == [(3, 6)]
    assert mask_negated("我不是要举报，只是想问") == "我不是□□□，只是想问"
    assert negated_spans("要不要交税") == [] and negated_spans("这样是不是虚开") == []
    assert negated_spans("这不是逃税吗") == []  # a rhetorical question asserts
    assert route_by_rules("我不是要复议，就是问问补税怎么算").department != "法规处"
    assert route_by_rules("我要复议，补税怎么算").department == "法规处"
    asked = route("我不是要举报，只是想问问发票开错了怎么红冲")
    assert (asked.department, asked.office) == ("业务处室", "货物和劳务税处")
    assert "n:举报" in features("我不是要举报，只是想问") and "c:举报" not in features("我不是要举报，只是想问")
    assert route("我要举报，那家公司开票都是乱开的").department == "稽查局"


def test_policy_questions_go_to_the_department_of_that_tax():
    land = route("土地增值税清算时开发间接费用怎么分摊")
    assert (land.department, land.office) == ("业务处室", "财产和行为税处")  # not 增值税's department
    assert route("个人转让限售股的原值怎么确定", tax_type="个人所得税").office == "所得税处"
    assert route("这个怎么申报", tax_type="契税").office in (None, "财产和行为税处", "征管处")


@pytest.mark.parametrize("category", ["举报", "投诉"])
def test_reports_and_complaints_never_go_to_a_policy_department(category):
    texts = [e.text for e in held_out_examples()] + ["契税税率多少", "小规模纳税人增值税怎么交"]
    departments = {route(text, category=category).department for text in texts}
    assert departments <= {"稽查局", "监察室", "法规处", "征管处"}
    assert route("契税税率多少").department == "业务处室"  # the same words without the category
    policy_rule = Rule(name="契税", department="财产和行为税处", priority=99, words=("契税",))
    assert route("契税交错了", category=category, rules=[policy_rule]).department != "业务处室"
    assert route("契税交错了", rules=[policy_rule]).office == "财产和行为税处"


def test_below_the_threshold_the_agent_chooses_between_the_two_likeliest():
    decision = route("有个情况想跟你们说一下")
    assert decision.confidence < shipped_model().threshold and decision.needs_choice
    first, second = decision.choices()
    assert first["label"].startswith(decision.department)
    assert second["label"].startswith(decision.alternatives[0]["department"])
    assert first["reason"] and second["reason"] and "把握不足" not in first["reason"]
    assert "请坐席在" in decision.reason
    sure = route("我想举报一家公司虚开发票")
    assert not sure.needs_choice and sure.choices() == []


def test_the_agents_category_decides_a_reconsideration_and_a_suggestion():
    assert route("情况比较复杂", category="行政复议申请").department == "法规处"
    decision = route("情况比较复杂", category="意见建议")
    assert decision.department == "征管处" and "来电类别为“意见建议”" in decision.reason


def test_no_keyword_copied_from_the_dev_cases_is_left_in_the_rules():
    words = " ".join(w for rule in shipped_rules() for w in rule.words)
    for copied in ("加急费", "很冲", "粤语", "别人的发票", "两份合同", "填假"):
        assert copied not in words


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
    decision = route_by_rules("专用发票丢失了怎么办", rules=rules)
    assert decision.department == "征管处" and decision.rule == "发票丢失"
    decision = route("专用发票丢失了怎么办", rules=rules)
    assert decision.department == "征管处" and decision.rule == "发票丢失"


@pytest.fixture
def director(session):
    user, _ = create_user(session, SYSTEM, NewUser(username="zhuren", role="director", password="password-1"))
    return user


@pytest.fixture
def agent(session):
    user, _ = create_user(session, SYSTEM, NewUser(username="a1", role="agent", staff_no="1001", password="password-1"))
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
    assert suggest_department(session, "专用发票丢失了怎么办").rule is None
    assert any(r.name == "发票丢失" and not r.enabled for r in list_rules(session))
    with pytest.raises(RuleError, match="已有名为"):
        save_rule(session, director, {"name": "行政复议口头申请", "department": "法规处", "words": ["复议"]})


def test_kb_imports_neither_flask_nor_whoosh():
    code = ("import sys, kb.hotline.routing, kb.hotline.routing_model, kb.hotline.routing_training, kb.hotline.routing_rules, kb.hotline.referrals, kb.hotline.reminders, kb.hotline.redaction, kb.core.workdays;"
            "assert not {'flask', 'whoosh'} & set(sys.modules), sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
