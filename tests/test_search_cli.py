"""The CLI contract: flask search [QUERY] [--limit N] [--json] [--include-old] [--as-of DATE], and reindex."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from kb.reports.models import QueryLog

REQUIRED = ("type", "source", "doc_title", "unit", "status", "score", "snippet", "citation")


@pytest.fixture
def library(app, runner, monkeypatch):
    monkeypatch.setenv("KB_TODAY", "2026-11-27")
    app.config["KB_TODAY"] = "2026-11-27"
    result = runner.invoke(args=["import-policies", "policies/tax/增值税法(2024-12-25).md",
                                 "policies/tax/增值税暂行条例(2017-11-19).md", "policies/tax/税收征收管理法(2015-04-24).md",
                                 "--catalog", "policies/tax/catalog.csv"])
    assert "导入完成" in result.output
    return app


def test_json_search_gives_the_contract_fields(library, runner):
    result = runner.invoke(args=["search", "征管法第32条", "--json", "--limit", "3"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["query"] == "征管法第32条" and isinstance(record["took_ms"], float)
    assert len(record["results"]) == 3
    first = record["results"][0]
    assert all(key in first for key in REQUIRED)
    assert (first["type"], first["source"], first["unit"], first["status"]) == (
        "article", "税收征收管理法(2015-04-24).md", "第三十二条", "有效")
    assert first["citation"] == "《中华人民共和国税收征收管理法》第三十二条"
    assert first["outdated"] is False and first["unit_id"] and first["document_id"]
    assert record["confidence"] == "high" and record["notices"] == []


def test_json_and_readable_search_say_when_the_library_may_not_answer(library, runner):
    record = json.loads(runner.invoke(args=["search", "个税APP注册收不到验证码", "--json"]).output)
    assert record["confidence"] == "low"
    readable = runner.invoke(args=["search", "个税APP注册收不到验证码"]).output
    assert "低置信度：政策库中可能没有答案" in readable
    missing = runner.invoke(args=["search", "征管法第999条"]).output
    assert "《中华人民共和国税收征收管理法》没有第九百九十九条，请核对条号" in missing


def test_stdin_gives_one_json_line_per_query(library, runner):
    result = runner.invoke(args=["search", "--limit", "2"], input="小规模纳税人 标准\n\n滞纳金 万分之五\n")
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["query"] for line in lines] == ["小规模纳税人 标准", "滞纳金 万分之五"]
    assert all(len(line["results"]) == 2 and "took_ms" in line for line in lines)
    assert lines[1]["results"][0]["unit"] == "第三十二条"


def test_include_old_and_as_of(library, runner):
    def sources(*options):
        result = runner.invoke(args=["search", "小规模纳税人 标准", "--json", "--limit", "20", *options])
        return [r["source"] for r in json.loads(result.output)["results"]]

    assert "增值税暂行条例(2017-11-19).md" not in sources()
    with_old = sources("--include-old")
    assert with_old[0] == "增值税法(2024-12-25).md" and "增值税暂行条例(2017-11-19).md" in with_old
    assert sources("--as-of", "2025-06-01")[0] == "增值税暂行条例(2017-11-19).md"
    bad = runner.invoke(args=["search", "增值税", "--as-of", "2025-13-01"])
    assert bad.exit_code != 0 and "格式不正确" in bad.output


def test_readable_output(library, runner):
    result = runner.invoke(args=["search", "小规模纳税人 标准", "--include-old", "--limit", "20"])
    assert result.exit_code == 0
    assert "1. 《中华人民共和国增值税法》第九条" in result.output
    assert "【已失效/已修订】" in result.output and "【小规模纳税人】" in result.output


def test_searches_are_logged(library, runner, app):
    runner.invoke(args=["search", "征管法第32条", "--json"])
    runner.invoke(args=["search", "完全不存在的词语组合xyz", "--json"])
    with app.extensions["kb_storage"].session_factory() as session:
        rows = session.scalars(select(QueryLog).order_by(QueryLog.id)).all()
    assert [(r.query, r.user_id) for r in rows] == [("征管法第32条", None), ("完全不存在的词语组合xyz", None)]
    assert rows[0].result_count > 0 and rows[0].top_hit == "《中华人民共和国税收征收管理法》第三十二条"
    assert rows[0].top_unit_id and rows[0].took_ms > 0 and rows[0].created_at


def test_reindex_rebuilds_from_the_database(library, runner):
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0 and "索引重建完成" in result.output
    search = runner.invoke(args=["search", "增值税法 9条", "--json"])
    assert json.loads(search.output)["results"][0]["unit"] == "第九条"


def test_search_json_over_the_whole_tax_library_flags_what_it_does_not_hold(app, runner, monkeypatch):
    monkeypatch.setenv("KB_TODAY", "2026-11-27")
    app.config["KB_TODAY"] = "2026-11-27"
    result = runner.invoke(args=["import-policies", "policies/tax", "--catalog", "policies/tax/catalog.csv"])
    assert "导入完成" in result.output
    outside = ["灵活就业的社保一个月交多少", "公积金贷款最长能贷多少年", "个税APP人脸识别一直不通过",
               "办税服务厅中午几点开门", "离婚协议怎么写才有效"]
    answerable = ["纳税人逾期不缴纳税款怎么办", "企业所得税的税率是百分之几", "车辆购置税的税率是多少"]
    result = runner.invoke(args=["search", "--json"], input="\n".join(outside + answerable) + "\n")
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [r["query"] for r in records] == outside + answerable
    assert [r["confidence"] for r in records] == ["low"] * len(outside) + ["high"] * len(answerable)
    assert all(r["results"] for r in records)  # a low answer still lists what it found


def test_reindex_encodes_the_sentence_vectors_a_document_lacks_with_a_progress_bar(library, runner, app):
    import shutil

    from webapp.search_index import get_index

    with app.app_context():
        folder = get_index(app).vectors.folder
    shutil.rmtree(folder)
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0 and "编码语义向量" in result.stderr
    assert list(folder.glob("*.npy"))
    again = runner.invoke(args=["reindex"])  # nothing changed: nothing to encode, no bar
    assert again.exit_code == 0 and "编码语义向量" not in again.stderr
