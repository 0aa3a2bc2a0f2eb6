"""The operators' commands: ``import-policies`` (summary, warnings, non-zero exit with the message on
failure) and ``export --json`` (one unit a line)."""
from __future__ import annotations

import json
import shutil

from tests.conftest import POLICIES, TAX

INVOICE = "发票管理办法(2023-07-20).md"


def test_import_folder_with_catalog_prints_a_summary(runner, tmp_path):
    for name in ("发票管理办法(2019-03-02).md", INVOICE):
        shutil.copy(TAX / name, tmp_path / name)
    catalog = tmp_path / "catalog.csv"
    rows = [line for line in (TAX / "catalog.csv").read_text(encoding="utf-8").splitlines()
            if line.startswith(("file,", "发票管理办法"))]
    catalog.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(args=["import-policies", str(tmp_path), "--catalog", str(catalog)])
    assert result.exit_code == 0, result.output
    assert "文件 2 个，文档 2 部（新增 2" in result.output and "失败 0 个" in result.output
    again = runner.invoke(args=["import-policies", str(tmp_path), "--catalog", str(catalog)])
    assert again.exit_code == 0 and "未变 2" in again.output


def test_import_failure_exits_non_zero_naming_the_file(runner, tmp_path):
    shutil.copy(TAX / INVOICE, tmp_path / INVOICE)
    (tmp_path / "损坏的制度.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    (tmp_path / "空白.txt").write_bytes(b"")
    result = runner.invoke(args=["import-policies", str(tmp_path)])
    assert result.exit_code == 1
    assert "错误 损坏的制度.docx：不是有效的 Word (.docx) 文件" in result.output
    assert "错误 空白.txt：文件为空" in result.output
    assert "新增 1" in result.output and "失败 2 个" in result.output


def test_import_of_a_file_over_the_upload_limit_fails(runner, tmp_path):
    big = tmp_path / "超大文件.txt"
    big.write_bytes((TAX / INVOICE).read_bytes() * (21 * 1024 * 1024 // (TAX / INVOICE).stat().st_size + 1))
    result = runner.invoke(args=["import-policies", str(big)])
    assert result.exit_code == 1
    assert "超大文件.txt：文件过大" in result.output and "上限为 20 MB" in result.output


def test_invalid_catalog_stops_before_importing(runner, tmp_path):
    shutil.copy(TAX / INVOICE, tmp_path / INVOICE)
    catalog = tmp_path / "catalog.csv"
    catalog.write_text(f"file,published,status\n{INVOICE},2023-02-30,有效\n", encoding="utf-8")
    result = runner.invoke(args=["import-policies", str(tmp_path), "--catalog", str(catalog)])
    assert result.exit_code != 0
    assert "catalog.csv" in result.output and "发布日期“2023-02-30”不是有效日期" in result.output
    exported = runner.invoke(args=["export", "--json"])
    assert exported.output == ""


def test_missing_path_and_missing_catalog_row_fail(runner, tmp_path):
    shutil.copy(TAX / INVOICE, tmp_path / INVOICE)
    catalog = tmp_path / "catalog.csv"
    catalog.write_text(f"file,status\n{INVOICE},有效\n没有的文件.md,有效\n", encoding="utf-8")
    result = runner.invoke(args=["import-policies", str(tmp_path), str(tmp_path / "不存在"), "--catalog", str(catalog)])
    assert result.exit_code == 1
    assert "不存在：文件或文件夹不存在" in result.output
    assert "没有的文件.md：目录文件中列出了此文件，但在导入的文件中找不到" in result.output


def test_numbering_warnings_are_printed(runner, tmp_path):
    text = (TAX / INVOICE).read_text(encoding="utf-8").replace("\n第五条 ", "\n第六条 ", 1)
    (tmp_path / "发票管理办法（有误）.md").write_text(text, encoding="utf-8")
    result = runner.invoke(args=["import-policies", str(tmp_path)])
    assert result.exit_code == 0
    assert "警告 发票管理办法（有误）.md：条文编号跳号：第四条之后是第六条，缺第五条" in result.output


def test_export_json_gives_every_unit_with_its_source(runner):
    result = runner.invoke(args=["import-policies", str(POLICIES / "hotline"), str(TAX / "印花税法(2021-06-10).md")])
    assert result.exit_code == 0, result.output
    exported = runner.invoke(args=["export", "--json"])
    records = [json.loads(line) for line in exported.output.splitlines()]
    stamp = [r for r in records if r["source"] == "印花税法(2021-06-10).md"]
    assert sum(r["unit"].startswith("第") and r["unit"].endswith("条") for r in stamp) == 20
    assert sum(r["unit"] == "印花税税目税率表" for r in stamp) == 17
    assert {"source", "doc_title", "status", "unit", "chapter", "text"} <= set(records[0])
    phrases = [r for r in records if r["doc_title"] == "文明服务用语"]
    assert [r["unit"] for r in phrases][0] == "(一)接听电话"
    assert {r["source"] for r in records} >= {"文明服务用语.txt", "安全制度.txt"}


def test_an_import_shows_its_progress_and_ends_with_the_summary_when_files_are_refused(runner, tmp_path):
    for name in (INVOICE, "车船税法(2019-04-23).md"):
        shutil.copy(TAX / name, tmp_path / name)
    (tmp_path / "空白.txt").write_bytes(b"")
    result = runner.invoke(args=["import-policies", str(tmp_path)])
    assert result.exit_code == 1  # some files refused, the others imported
    assert "导入中：3/3 个文件，条文 " in result.output and "未导入 1 个，已用 " in result.output
    assert "正在更新检索索引（2 部文档）" in result.output
    assert "新增 2" in result.output and "失败 1 个" in result.output


def test_an_import_whose_index_cannot_be_written_exits_2_after_its_summary(tmp_path, database_url):
    from webapp import create_app

    blocked = tmp_path / "index-is-a-file"
    blocked.write_text("not a folder")
    app = create_app({"TESTING": True, "KB_DATA_DIR": str(tmp_path / "data"), "KB_DATABASE_URL": database_url,
                      "KB_LOAD_SAMPLE": "0", "KB_SECRET_KEY": "test", "KB_INDEX_DIR": str(blocked)})
    try:
        result = app.test_cli_runner().invoke(args=["import-policies", str(TAX / INVOICE)])
    finally:
        app.extensions["kb_storage"].engine.dispose()
    assert result.exit_code == 2, result.output
    assert "错误 检索索引更新失败" in result.output and "check --repair" in result.output
    assert "新增 1" in result.output  # the summary still comes: the document is stored
