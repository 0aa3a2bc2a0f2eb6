"""``flask route``: the CLI contract (TEXT or stdin lines, --json) and the director's stored rules."""
from __future__ import annotations

import json

from kb.hotline.routing_rules import save_rule
from kb.accounts.users import User
from webapp.storage import storage


def test_route_one_text_as_json(runner):
    result = runner.invoke(args=["route", "我想举报一家公司虚开增值税发票", "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["department"] == "稽查局" and "举报" in record["reason"] and "模型判断" in record["reason"]
    assert 0.5 < record["confidence"] <= 1 and record["source"] == "model"
    assert [a["department"] for a in record["alternatives"]] and "稽查局" not in [
        a["department"] for a in record["alternatives"]]
    assert all(a["reason"] and 0 <= a["confidence"] <= 1 for a in record["alternatives"])


def test_route_reads_one_request_per_line_from_stdin(runner):
    lines = "\n".join([
        "窗口工作人员态度恶劣，我要投诉",
        "",
        "对补税决定不服，想申请行政复议",
        json.dumps({"id": "x1", "query": "情况比较复杂", "category": "意见建议"}, ensure_ascii=False),
        "间接转让境内公司股权要不要在中国交税",
    ]) + "\n"
    result = runner.invoke(args=["route", "--json"], input=lines)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [r["department"] for r in records] == ["监察室", "法规处", "征管处", "业务处室"]
    assert records[2]["id"] == "x1"
    assert records[3]["office"] == "国际税务管理处"
    assert all(r["reason"] for r in records)


def test_route_in_plain_text(runner):
    result = runner.invoke(args=["route", "请问房产税怎么交", "--tax-type", "房产税"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("业务处室（财产和行为税处）") and "理由：" in result.output


def test_route_uses_the_directors_rules(app, runner):
    with app.app_context():
        with storage().session_factory() as session:
            director = User(username="zhuren", role="director", password_hash="-")
            session.add(director)
            session.flush()
            save_rule(session, director, {"name": "发票丢失", "department": "征管处", "priority": 30,
                                          "words": ["发票+丢失/遗失"]})
            session.commit()
    result = runner.invoke(args=["route", "专用发票丢失了怎么办", "--json"])
    record = json.loads(result.output)
    assert record["department"] == "征管处" and record["rule"] == "发票丢失"
    assert record["source"] == "rule" and "优先于模型" in record["reason"] and record["confidence"] == 1.0


def test_route_in_plain_text_offers_the_second_choice_below_the_threshold(runner):
    result = runner.invoke(args=["route", "有个情况想跟你们说一下"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].startswith("理由：模型判断") and "请坐席在" in lines[1]
    assert lines[2].startswith("或：") and lines[3].startswith("理由：模型判断")
    sure = runner.invoke(args=["route", "我要举报一家公司虚开增值税发票"]).output
    assert "或：" not in sure
