"""A code published in several files (the Civil Code's eight parts) is imported whole: one
document, every article once, citable by the code's title; re-imports and corrections keep it so."""
from __future__ import annotations

import re
import shutil

from sqlalchemy import func, select

from kb.library.citations import unit_citation
from kb.library.importing import import_paths
from kb.library.operations import find_article, find_document_by_name
from kb.library.models import Document, Unit
from tests.conftest import ROOT

CODE = ROOT / "tests" / "data" / "民法典"
ARTICLE_LINE = re.compile(r"^(第[零一二三四五六七八九十百千]+条)[ \u3000]", re.MULTILINE)
TITLE = "中华人民共和国民法典"


def _articles_in_files(folder) -> list[str]:
    return [label for path in sorted(folder.glob("*.md")) for label in ARTICLE_LINE.findall(path.read_text(encoding="utf-8"))]


def _code(session) -> Document:
    return session.scalars(select(Document).where(Document.title == TITLE)).one()


def test_the_civil_code_in_eight_files_is_one_document_with_every_article(session_factory, session):
    report = import_paths(session_factory, [CODE])
    assert report.ok, report.failed
    expected = _articles_in_files(CODE)
    assert len(expected) == 1260
    code = _code(session)
    labels = [u.label for u in code.units if u.kind == "article"]
    assert sorted(labels) == sorted(expected) and len(set(labels)) == 1260
    numbers = [u.number for u in code.units if u.kind == "article"]
    assert numbers == list(range(1, 1261))  # in the code's order, whatever the files' order
    assert code.status == "有效" and code.superseded_by_id is None
    assert [p["part"] for p in code.parts] == ["总则", "物权编", "合同编", "人格权编", "婚姻家庭编", "继承编",
                                              "侵权责任编", "附则"]
    assert not any("不从第一条开始" in w for w in code.warnings)


def test_an_article_of_the_code_is_cited_by_the_code_and_knows_its_part(session_factory, session):
    import_paths(session_factory, [CODE])
    code = _code(session)
    article = find_article(session, code, "第五十六条")
    assert unit_citation(article, document=code) == "《中华人民共和国民法典》第五十六条"
    assert article.book.startswith("总则") and article.source_name == "总则.md"
    contract = find_article(session, code, "第四百六十九条")
    assert contract.book.startswith("合同编 第一分编") and contract.source_name == "合同编.md"
    assert find_document_by_name(session, "民法典").id == code.id


def test_reimporting_the_parts_changes_nothing(session_factory, session):
    import_paths(session_factory, [CODE])
    units = session.scalar(select(func.count(Unit.id)))
    again = import_paths(session_factory, [CODE])
    assert [f.action for f in again.files] == ["unchanged"] * 8
    assert session.scalar(select(func.count(Unit.id))) == units
    assert session.scalar(select(func.count(Document.id))) == 1


def test_a_corrected_part_replaces_only_that_part(session_factory, session, tmp_path):
    folder = tmp_path / "民法典"
    shutil.copytree(CODE, folder)
    import_paths(session_factory, [folder])
    path = folder / "继承编.md"
    path.write_text(path.read_text(encoding="utf-8").replace("国家保护自然人的继承权。", "国家依法保护自然人的继承权。"),
                    encoding="utf-8")
    report = import_paths(session_factory, [path])
    assert report.ok and report.files[0].action == "joined"
    session.expire_all()
    code = _code(session)
    assert len([u for u in code.units if u.kind == "article"]) == 1260
    assert "国家依法保护" in find_article(session, code, "第一千一百二十条").text
    assert session.scalar(select(func.count(Document.id))) == 1


def test_import_command_and_export_give_every_article_of_the_code_once_with_its_part_file(runner):
    import json

    imported = runner.invoke(args=["import-policies", str(CODE)])
    assert imported.exit_code == 0, imported.output
    result = runner.invoke(args=["export", "--json"])
    records = [json.loads(line) for line in result.output.splitlines()]
    code = [r for r in records if r["doc_title"] == TITLE and r["kind"] == "article"]
    assert len(code) == len({r["unit"] for r in code}) == 1260
    assert {r["source"] for r in code} == {p.name for p in CODE.glob("*.md")}


def test_a_law_whose_numbering_starts_late_without_a_part_is_still_a_separate_version(session_factory, session,
                                                                                      tmp_path):
    """Without a part heading a same-titled file is judged as before: a later date is a revision."""
    older = tmp_path / "示例法(2001-01-01).md"
    newer = tmp_path / "示例法(2011-01-01).md"
    older.write_text("# 示例法\n\n<!-- INFO END -->\n\n第一条 旧的规定。\n", encoding="utf-8")
    newer.write_text("# 示例法\n\n<!-- INFO END -->\n\n第二条 新的规定。\n", encoding="utf-8")
    assert import_paths(session_factory, [older, newer]).ok
    documents = session.scalars(select(Document).order_by(Document.id)).all()
    assert [d.status for d in documents] == ["已修订", "有效"]


def test_parsing_in_worker_processes_stores_the_same_library(session_factory, session, tax_catalog):
    """``import_paths(workers=2)``: two processes parse while this one stores, in the files' order."""
    from tests.conftest import TAX

    report = import_paths(session_factory, [TAX, CODE], tax_catalog, workers=2)
    assert report.ok, report.failed
    assert [f.name for f in report.files] == [p.name for p in sorted(TAX.rglob("*.md"))] + \
        [p.name for p in sorted(CODE.glob("*.md"))]
    assert len([u for u in _code(session).units if u.kind == "article"]) == 1260
    assert session.scalar(select(func.count(Document.id))) == len(list(TAX.glob("*.md"))) + 1
