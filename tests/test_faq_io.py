"""FAQ import and export: CSV and JSON, bad rows reported with their row numbers, good rows loaded."""
from __future__ import annotations

import csv
import io
import json

from kb.core.actors import SYSTEM
from kb.faq.operations import list_entries
from kb.faq.import_export import export_records, export_text, import_faq, read_rows
from kb.faq.models import DRAFT, PUBLISHED

HEADER = ["question", "phrasings", "answer", "citations", "tax_types", "status", "review_by", "evidence"]
ROWS = [
    # row 2: good, published, title form, two phrasings
    ["滞纳金怎么算？", "晚交税每天收多少|滞纳金比例", "按日加收滞纳税款万分之五的滞纳金。",
     "《中华人民共和国税收征收管理法》第三十二条", "征收管理", "已发布", "2027-06-30", "万分之五"],
    # row 3: good, draft, file form and a second citation on its own line
    ["延期申报怎么办？", "", "经税务机关核准，可以延期申报。",
     "税收征收管理法(2015-04-24).md#第二十七条\n《税收征收管理法》第62条", "征收管理、发票", "", "", ""],
    # row 4: empty question
    ["", "", "答案", "《中华人民共和国税收征收管理法》第三十二条", "", "draft", "", ""],
    # row 5: unknown citation
    ["发票丢了怎么办？", "", "处1万元以下的罚款。", "《中华人民共和国发票管理办法》第九十九条", "发票", "published", "", ""],
    # row 6: published row citing a repealed article
    ["增值税税率是多少？", "", "税率为百分之十三。", "《中华人民共和国增值税暂行条例》第二条", "增值税", "published", "", ""],
    # row 7: published row without a citation
    ["零申报要报吗？", "", "要。", "", "", "published", "", ""],
    # row 8: unknown status and a bad date
    ["税务登记期限？", "", "三十日内。", "《中华人民共和国税收征收管理法》第十五条", "", "上线", "明年", ""],
    # row 9: the same question as row 2
    ["滞纳金怎么算？", "", "万分之五。", "《中华人民共和国税收征收管理法》第三十二条", "", "draft", "", ""],
    # row 10: evidence not in the cited article
    ["多缴的税能退吗？", "", "三年内可以要求退还。", "《中华人民共和国税收征收管理法》第五十一条", "", "published", "",
     "五年内"],
    # row 11: a draft may cite a repealed article
    ["旧增值税条例怎么规定税率？", "", "历史规定。", "《中华人民共和国增值税暂行条例》第二条", "增值税", "draft", "", ""],
]


def _csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def _library(import_tax):
    import_tax("税收征收管理法(2015-04-24).md", "增值税暂行条例(2017-11-19).md", "增值税法(2024-12-25).md",
               "发票管理办法(2023-07-20).md")


def test_bad_rows_are_reported_and_good_rows_load(import_tax, session):
    _library(import_tax)
    report = import_faq(session, SYSTEM, read_rows(_csv(ROWS), "csv"))
    problems = {p.row: p.reason for p in report.problems}
    assert sorted(problems) == [4, 5, 6, 7, 8, 9, 10]
    assert problems[4] == "问题为空"
    assert "引用无法识别" in problems[5] and "第九十九条" in problems[5]
    assert "已发布的问答引用了失效的条文" in problems[6]
    assert "至少需要引用一条现行有效的条文" in problems[7]
    assert "状态“上线”无效" in problems[8] and "复核日期“明年”格式不对" in problems[8]
    assert "与第 2 行的问题重复" in problems[9]
    assert "依据摘录“五年内”在所引条文中找不到" in problems[10]
    assert str(report.problems[0]).startswith("第 4 行：问题为空")
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)

    entries = {e.question: e for e in list_entries(session)}
    assert set(entries) == {"滞纳金怎么算？", "延期申报怎么办？", "旧增值税条例怎么规定税率？"}
    fee = entries["滞纳金怎么算？"]
    assert fee.status == PUBLISHED and fee.phrasings == ["晚交税每天收多少", "滞纳金比例"]
    assert fee.review_by.isoformat() == "2027-06-30" and fee.versions[0].actor_name == "系统"
    delay = entries["延期申报怎么办？"]
    assert delay.status == DRAFT and delay.tax_types == ["征收管理", "发票"]
    assert [c.unit_label for c in delay.citations] == ["第二十七条", "第六十二条"]


def test_importing_the_same_file_again_changes_nothing(import_tax, session):
    _library(import_tax)
    rows = read_rows(_csv(ROWS[:2]), "csv")
    import_faq(session, SYSTEM, rows)
    again = import_faq(session, SYSTEM, rows)
    assert (again.created, again.updated, again.unchanged, again.problems) == (0, 0, 2, [])

    changed = [list(ROWS[0]), list(ROWS[1])]
    changed[1][2] = "经税务机关核准，可以延期申报；并预缴税款。"
    report = import_faq(session, SYSTEM, read_rows(_csv(changed), "csv"))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    delay = next(e for e in list_entries(session) if e.question == "延期申报怎么办？")
    assert delay.versions[-1].action == "imported" and "+答案：经税务机关核准，可以延期申报；并预缴税款。" in delay.versions[-1].diff


def test_export_round_trips_through_json_and_csv(import_tax, session):
    _library(import_tax)
    import_faq(session, SYSTEM, read_rows(_csv(ROWS), "csv"))
    session.commit()
    records = json.loads(export_text(session, "json"))
    assert records[0]["citations"] == ["税收征收管理法(2015-04-24).md#第三十二条"]
    assert records[0]["citation_titles"] == ["《中华人民共和国税收征收管理法》第三十二条"]
    assert records[0]["status"] == "published"

    for fmt in ("json", "csv"):
        report = import_faq(session, SYSTEM, read_rows(export_text(session, fmt), fmt))
        assert (report.created, report.updated, report.problems) == (0, 0, []), fmt
        assert report.unchanged == 3
    assert export_records(session) == records


def test_json_rows_are_numbered_from_one(import_tax, session):
    _library(import_tax)
    data = [{"question": "滞纳金怎么算？", "answer": "万分之五。", "citations": ["《税收征收管理法》第三十二条"],
             "status": "published", "phrasings": ["滞纳金比例"]},
            {"question": "  ", "answer": "空"}]
    report = import_faq(session, SYSTEM, read_rows(json.dumps(data, ensure_ascii=False), "json"))
    assert report.created == 1 and [(p.row, p.reason) for p in report.problems] == [(2, "问题为空")]


def test_cli_imports_and_exports(import_tax, runner, tmp_path):
    _library(import_tax)
    path = tmp_path / "faq.csv"
    path.write_text(_csv(ROWS), encoding="utf-8-sig")
    result = runner.invoke(args=["import-faq", str(path)])
    assert result.exit_code == 1
    assert "问答导入完成：新增 3 条，更新 0 条，未变 0 条，有误 7 行" in result.output
    assert "错误 第 6 行：已发布的问答引用了失效的条文" in result.output

    exported = runner.invoke(args=["export-faq", "--format", "json"])
    assert exported.exit_code == 0
    assert [r["question"] for r in json.loads(exported.output)] == ["滞纳金怎么算？", "延期申报怎么办？", "旧增值税条例怎么规定税率？"]
    as_csv = runner.invoke(args=["export-faq"])
    assert as_csv.output.splitlines()[0].startswith("question,phrasings,answer,citations,tax_types,status")

    missing = runner.invoke(args=["import-faq", str(tmp_path / "none.csv")])
    assert missing.exit_code != 0 and "无法读取" in missing.output
