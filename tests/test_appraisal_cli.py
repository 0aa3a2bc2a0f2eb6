"""The stable appraisal commands: appraisal-events import, pay --json, appraisal --json."""
from __future__ import annotations

import json

from kb.reports.appraisal import save_centre_entries
from tests.report_records import MONTH, build_month


def lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_import_then_pay_and_appraisal_as_json(app, runner, tmp_path):
    with app.extensions["kb_storage"].session_factory() as session:
        records = build_month(session)
        save_centre_entries(session, records.director, {"agent_id": records.agent_b.id, "month": MONTH.key,
                                                        "inputs": {"complaints": 3}})
        session.commit()
    csv_file = tmp_path / "events.csv"
    csv_file.write_text("staff_no,date,event,amount,note\n"
                        "1001,2024-05-06,旷工,1,\n"
                        "1001,2024-05-07,旷工,1,\n"
                        "1002,2024-05-08,事假,3,slip=yes\n"
                        "1002,2024-05-32,来信表扬,1,\n", encoding="utf-8")
    result = runner.invoke(args=["appraisal-events", "import", str(csv_file)])
    assert result.exit_code == 1 and "已导入 3 条" in result.output and "第5行" in result.output

    result = runner.invoke(args=["pay", "--month", "2024-05", "--json"])
    assert result.exit_code == 0, result.output
    pay = {row["staff_no"]: row for row in lines(result.output)}
    assert pay["1001"]["name"] == "张丽" and pay["1001"]["points"] == 60 and pay["1001"]["pay_yuan"] == -200
    assert pay["1001"]["flags"] == ["辞退"] and len(pay["1001"]["events"]) == 2
    assert pay["1002"]["points"] == 100 - 36 - 2 and pay["1002"]["flags"] == []
    assert {e["source"] for e in pay["1002"]["events"]} == {"导入", "记录核查"}

    result = runner.invoke(args=["appraisal", "--month", "2024-05", "--json"])
    assert result.exit_code == 0, result.output
    target = {row["staff_no"]: row for row in lines(result.output)}
    assert target["1002"]["items"]["工作态度"] == 10 and target["1002"]["total"] == 78
    assert target["1002"]["rating"] == "较差" and target["1002"]["flags"] == ["警告"]
    assert target["1001"]["rating"] == "合格" and len(target["1001"]["items"]) == 7

    assert runner.invoke(args=["pay", "--month", "2024-13"]).exit_code != 0
