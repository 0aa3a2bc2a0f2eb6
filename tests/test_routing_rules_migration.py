"""Migration 0008_i18b: the keywords copied from evaluation cases leave the director's stored rules,
and nothing else of them changes."""
from __future__ import annotations

import sqlalchemy as sa

from kb.core import schema_migrations
from kb.core.db import make_engine
from kb.hotline.routing import route_by_rules, rule_from_dict

REVISION = "0008_i18b"
COPIED = ("加急费", "很冲", "粤语", "别人的发票", "两份合同", "填假")

_rules = sa.table(
    "routing_rules",
    sa.column("id", sa.Integer), sa.column("position", sa.Integer), sa.column("name", sa.String),
    sa.column("department", sa.String), sa.column("priority", sa.Integer), sa.column("category", sa.String),
    sa.column("tax_types", sa.JSON), sa.column("words", sa.JSON), sa.column("enabled", sa.Boolean),
)

STAFF = "税务人员/专管员/窗口"
# What a deployment holds after the director saved a rule while the first shipped rules (with the
# copied words) were in force, plus rules of the director's own.
STORED = [
    ("热线服务", "征管处", None, ["12366/热线+投诉/意见", "12366/热线 & 粤语/方言/普通话"]),
    ("廉政", "监察室", None, [f"{STAFF} & 红包/加急费/回扣", f"{STAFF} & 很冲/不耐烦/刁难"]),
    ("违法举报", "稽查局", None, ["别人的发票/拿发票+报销", "两份合同/两套账", "填假/报假+扣除/收入"]),
    ("只有抄来的词", "监察室", "投诉", ["很冲"]),
    ("主任自定：社保", "社会保险费和非税收入处", None, ["灵活就业/断缴 & 社保/养老"]),
    ("主任自定：复议类别", "法规处", "行政复议申请", []),
]


def _stored(engine) -> dict[str, dict]:
    with engine.connect() as connection:
        rows = connection.execute(sa.select(_rules.c.name, _rules.c.department, _rules.c.category,
                                            _rules.c.words, _rules.c.priority, _rules.c.enabled)).all()
    return {row.name: row._asdict() for row in rows}


def test_the_copied_keywords_leave_the_stored_rules_and_nothing_else_changes(database_url):
    engine = make_engine(database_url)
    try:
        before = schema_migrations._scripts().get_revision(REVISION).down_revision
        schema_migrations.upgrade(engine, before)
        with engine.begin() as connection:
            connection.execute(sa.insert(_rules), [
                {"position": i, "name": name, "department": department, "priority": 50 + i, "category": category,
                 "tax_types": [], "words": words, "enabled": True}
                for i, (name, department, category, words) in enumerate(STORED)
            ])
        original = _stored(engine)
        copied_rule = rule_from_dict(original["廉政"])
        assert route_by_rules("那个专管员对人很冲", rules=[copied_rule]).rule == "廉政"  # an override today

        schema_migrations.upgrade(engine, REVISION)
        after = _stored(engine)

        assert not any(word in pattern for rule in after.values() for pattern in rule["words"] for word in COPIED)
        assert after["热线服务"]["words"] == ["12366/热线+投诉/意见", "12366/热线 & 方言/普通话"]
        assert after["廉政"]["words"] == [f"{STAFF} & 红包/回扣", f"{STAFF} & 不耐烦/刁难"]
        assert after["违法举报"]["words"] == ["拿发票+报销", "两套账", "报假+扣除/收入"]
        # Without its only word, a rule would match every 投诉: it goes.
        assert "只有抄来的词" not in after
        # The director's own rules, and everything but the words, are as they were.
        for name in ("主任自定：社保", "主任自定：复议类别"):
            assert after[name] == original[name]
        for name in ("热线服务", "廉政", "违法举报"):
            assert {k: v for k, v in after[name].items() if k != "words"} == \
                   {k: v for k, v in original[name].items() if k != "words"}

        rules = [rule_from_dict(row) for row in after.values()]  # every stored rule is still valid
        assert route_by_rules("那个专管员对人很冲", rules=rules).rule is None
        assert route_by_rules("窗口的人收了红包", rules=rules).rule == "廉政"
        assert route_by_rules("说方言听不懂，12366能不能改", rules=rules).rule == "热线服务"

        schema_migrations.downgrade(engine, before)  # downgrade leaves the rules as they are
        assert _stored(engine) == after
    finally:
        engine.dispose()
