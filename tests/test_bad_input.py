"""Bad files get a clear Chinese message naming the file and the problem; nothing is half-imported,
and the other files of the batch still import."""
from __future__ import annotations

import io
import random
import shutil
import zipfile

import pytest
from sqlalchemy import func, select

from kb.library.catalog import DocumentMeta
from kb.core.db import transaction
from kb.core.errors import CatalogError, ImportFailed
from kb.library.importing import import_library_folder, import_one, import_paths, load_catalog
from kb.library.operations import content_hash, import_document
from kb.library.models import Document, Reference, Unit
from kb.library.parsing import parse_file
from tests.conftest import TAX
from tests.test_formats import make_docx

GOOD = "发票管理办法(2023-07-20).md"
PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


def _counts(session) -> tuple[int, int, int]:
    return (session.scalar(select(func.count(Document.id))), session.scalar(select(func.count(Unit.id))),
            session.scalar(select(func.count(Reference.id))))


def _zip_of_text() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("税收征收管理法.txt", (TAX / "税收征收管理法(2015-04-24).md").read_text(encoding="utf-8"))
    return buffer.getvalue()


def _random_bytes(size: int) -> bytes:
    return random.Random(12366).randbytes(size)


def _no_articles() -> bytes:
    return ("关于做好2024年个人所得税综合所得汇算清缴工作的通知\n"
            "各位纳税人：汇算清缴期间为2025年3月1日至6月30日，请通过个人所得税APP办理。\n"
            "如有疑问，请拨打12366纳税服务热线咨询。\n").encode("utf-8")


BAD_FILES = {
    "broken.docx": (lambda: make_docx("税收征收管理法(2015-04-24).md")[:5000], "损坏"),
    "archive.docx": (_zip_of_text, "ZIP 压缩包而不是 Word"),
    "empty.txt": (lambda: b"", "文件为空"),
    "blank.md": (lambda: "\ufeff \r\n\r\n".encode("utf-8"), "文件为空"),
    "picture.txt": (lambda: PNG_HEADER + _random_bytes(4000), "二进制"),
    "noise.txt": (lambda: bytes(b for b in _random_bytes(20000) if b), "二进制"),
    "word-as-text.txt": (lambda: make_docx("发票管理办法(2023-07-20).md"), "二进制"),
    "notice.txt": (_no_articles, "未识别出任何条文"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_gets_a_message_naming_file_and_problem(name):
    build, problem = BAD_FILES[name]
    with pytest.raises(ImportFailed) as caught:
        parse_file(name, build())
    message = str(caught.value)
    assert message.startswith(f"{name}：") and problem in message


def test_bad_files_in_a_batch_leave_nothing_and_the_good_ones_import(tmp_path, session_factory, session):
    for name, (build, _) in BAD_FILES.items():
        (tmp_path / name).write_bytes(build())
    shutil.copy(TAX / GOOD, tmp_path / GOOD)
    report = import_paths(session_factory, [tmp_path])
    assert {r.name for r in report.failed} == set(BAD_FILES)
    assert all(r.error.startswith(f"{r.name}：") for r in report.failed)
    (good,) = [r for r in report.files if not r.error]
    assert good.name == GOOD and good.action == "created" and good.articles == 43
    assert session.scalars(select(Document.source_name)).all() == [GOOD]


def test_a_50_mb_file_is_refused_before_reading(tmp_path, session_factory, session):
    law = (TAX / "税收征收管理法(2015-04-24).md").read_bytes()
    big = tmp_path / "税收征收管理法(超大).md"
    with big.open("wb") as out:
        while out.tell() < 50 * 1024 * 1024:
            out.write(law)
    report = import_paths(session_factory, [big])
    (result,) = report.failed
    assert result.error.startswith(f"{big.name}：文件过大（50.") and "上限为 20 MB" in result.error
    assert _counts(session) == (0, 0, 0)
    with pytest.raises(ImportFailed, match="文件过大"):
        parse_file(big.name, big.read_bytes(), max_bytes=20 * 1024 * 1024)


def test_unsupported_file_type_is_named():
    with pytest.raises(ImportFailed, match=r"^税收.pdf：不支持的文件类型“.pdf”"):
        parse_file("税收.pdf", b"%PDF-1.4")


def test_catalog_row_naming_a_missing_file_is_reported(tmp_path, session_factory, session):
    shutil.copy(TAX / GOOD, tmp_path / GOOD)
    catalog = {GOOD: DocumentMeta(status="有效"), "不存在的办法(2020-01-01).md": DocumentMeta(status="有效")}
    report = import_paths(session_factory, [tmp_path], catalog)
    assert not report.ok
    (problem,) = report.errors
    assert problem.startswith("不存在的办法(2020-01-01).md：") and "找不到" in problem
    assert session.scalars(select(Document.source_name)).all() == [GOOD]


@pytest.mark.parametrize("row, problem", [
    ("2023-13-45,2023-07-20,有效", "发布日期“2023-13-45”不是有效日期"),
    ("2023年7月,2023-07-20,有效", "发布日期“2023年7月”格式不正确"),
    ("2023-07-20,2023-07-20,作废", "状态“作废”无效"),
])
def test_invalid_catalog_date_or_status_names_catalog_row_and_value(tmp_path, row, problem):
    path = tmp_path / "catalog.csv"
    path.write_text(
        "file,title,level,issuer,published,effective,status,superseded_by,tax_types\n"
        f"{GOOD},中华人民共和国发票管理办法,行政法规,国务院,{row},,发票\n", encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    message = str(caught.value)
    assert str(path) in message and f"第 2 行（{GOOD}）" in message and problem in message


def test_a_bad_catalog_in_the_library_folder_does_not_stop_the_others(tmp_path, session_factory, session):
    (tmp_path / "good").mkdir()
    (tmp_path / "bad").mkdir()
    shutil.copy(TAX / GOOD, tmp_path / "good" / GOOD)
    shutil.copy(TAX / "会计法(2024-06-28).md", tmp_path / "bad" / "会计法(2024-06-28).md")
    (tmp_path / "good" / "catalog.csv").write_text(f"file,status\n{GOOD},有效\n", encoding="utf-8")
    (tmp_path / "bad" / "catalog.csv").write_text("file,status\n会计法(2024-06-28).md,作废\n", encoding="utf-8")
    report = import_library_folder(session_factory, tmp_path)
    assert len(report.errors) == 1 and "catalog.csv" in report.errors[0] and "作废" in report.errors[0]
    assert session.scalars(select(Document.source_name)).all() == [GOOD]


def test_a_database_error_while_storing_leaves_no_partial_document(session_factory, session):
    parsed = parse_file(GOOD, (TAX / GOOD).read_bytes())
    parsed.units[-1].label = None  # violates NOT NULL after the other units were added
    with pytest.raises(Exception):
        with transaction(session_factory) as work:
            import_document(work, parsed, source_name=GOOD, source_hash="x")
    assert _counts(session) == (0, 0, 0)


def test_a_failed_replacement_keeps_the_stored_text(session_factory, session):
    data = (TAX / GOOD).read_bytes()
    result, _ = import_one(session_factory, GOOD, data)
    assert result.action == "created"
    before = session.scalars(select(Unit.text).order_by(Unit.id)).all()
    counts = _counts(session)
    corrected = data.replace("第一条 为了".encode(), "第一条 为了更好地".encode())
    # The corrected file replaces the units (they are deleted first); then storing its
    # metadata fails in the database: the old units must all be back.
    broken, _ = import_one(session_factory, GOOD, corrected, DocumentMeta(effective_on="2023-13-45"))
    assert broken.error.startswith(f"{GOOD}：保存到数据库失败")
    session.expire_all()
    assert _counts(session) == counts
    assert session.scalars(select(Unit.text).order_by(Unit.id)).all() == before
    fixed, _ = import_one(session_factory, GOOD, corrected)
    assert fixed.action == "replaced"


def test_docx_made_by_word_imports_while_its_truncated_copy_does_not(session_factory, session):
    data = make_docx("发票管理办法(2023-07-20).md")
    bad, _ = import_one(session_factory, "发票管理办法.docx", data[: len(data) // 2])
    assert bad.error and "发票管理办法.docx：" in bad.error
    assert _counts(session) == (0, 0, 0)
    good, _ = import_one(session_factory, "发票管理办法.docx", data)
    assert good.error is None and good.articles == 43
    assert content_hash(data) == session.scalars(select(Document.source_hash)).one()


def test_article_numbering_that_skips_or_repeats_imports_with_warnings_saying_where(session_factory, session):
    name = "税收征收管理法(2015-04-24).md"
    text = (TAX / name).read_text(encoding="utf-8")
    text = text.replace("\n第十条 ", "\n第十一条 ", 1)  # 第十条 written as 第十一条: 十 missing, 十一 twice
    text = text.replace("\n第四十条 ", "\n第四十二条 ", 1)  # 第四十条 written as 第四十二条: skips 四十 and 四十一
    result, _ = import_one(session_factory, "征管法（有误）.md", text.encode("utf-8"))
    assert result.error is None and result.articles == 94
    warnings = result.warnings
    assert "条文编号跳号：第九条之后是第十一条，缺第十条（第一章 总则）" in warnings
    assert "条文编号重复：第十一条出现不止一次（第一章 总则）" in warnings
    assert "条文编号跳号：第三十九条之后是第四十二条，缺第四十条至第四十一条（第三章 税款征收）" in warnings
    assert "条文编号重复：第四十二条出现不止一次（第三章 税款征收）" in warnings
    stored = session.scalars(select(Document)).one()
    assert stored.warnings == warnings
    clean, _ = import_one(session_factory, name, (TAX / name).read_bytes())
    assert clean.warnings == []


def _docx_with_huge_document_xml(size: int) -> bytes:
    """A real .docx whose word/document.xml is padded to ``size`` bytes: a small file that inflates."""
    real = zipfile.ZipFile(io.BytesIO(make_docx(GOOD)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in real.infolist():
            data = real.read(member)
            if member.filename == "word/document.xml":
                data = data.replace(b"</w:body>", b" " * (size - len(data)) + b"</w:body>", 1)
            archive.writestr(member.filename, data)
    return buffer.getvalue()


def test_a_docx_that_inflates_past_the_limit_is_refused_from_its_declared_sizes():
    bomb = _docx_with_huge_document_xml(30 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024
    with pytest.raises(ImportFailed, match=r"Word 文档解压后过大（30\.\d MB），上限为 20 MB"):
        parse_file("压缩炸弹.docx", bomb)
    small = _docx_with_huge_document_xml(3 * 1024 * 1024)  # padding under the limit still imports
    assert parse_file("正常.docx", small).articles


def test_a_docx_part_that_inflates_past_its_declared_size_is_refused():
    data = bytearray(_docx_with_huge_document_xml(200_000))
    name = b"word/document.xml"
    # Lower the size the central directory declares for document.xml: the part inflates past it.
    entry = next(i for i in range(len(data)) if data[i:i + 4] == b"PK\x01\x02" and data[i + 46:i + 46 + len(name)] == name)
    data[entry + 24:entry + 28] = (1000).to_bytes(4, "little")
    with pytest.raises(ImportFailed, match="损坏"):
        parse_file("谎报大小.docx", bytes(data))


def test_a_text_of_one_endless_line_is_refused_before_it_is_parsed():
    one_line = ("第一条 " + "纳税人应当依法缴纳税款" * 600_000).encode("utf-8")  # 6.6 million characters
    with pytest.raises(ImportFailed, match=r"第 1 行过长（6,600,004 字），单行上限为 20,000 字"):
        parse_file("一行.txt", one_line)


def test_an_article_over_the_unit_limit_is_refused_naming_it():
    lines = ["第一条 总则。", "第二条 " + "纳税人应当依法缴纳税款。", *["应当依法办理纳税申报。" * 100] * 40]
    with pytest.raises(ImportFailed, match=r"第二条过长（\d{2},\d{3} 字），单个条文上限为 30,000 字"):
        parse_file("超长条文.txt", "\n".join(lines).encode("utf-8"))


def test_a_missing_row_is_one_not_found_message_whatever_asks_for_it(session):
    from kb.hotline.calls import get_call
    from kb.core.db import get_or_not_found
    from kb.core.errors import NotFound
    from kb.faq.operations import get_entry
    from kb.library.operations import get_document, get_unit
    from kb.library.models import Document

    for lookup, message in ((lambda: get_document(session, 987654), "文档 987654 不存在"),
                            (lambda: get_unit(session, 987654), "条文 987654 不存在"),
                            (lambda: get_entry(session, 987654), "问答 987654 不存在"),
                            (lambda: get_call(session, 987654), "接听记录 987654 不存在"),
                            (lambda: get_or_not_found(session, Document, None, "文档"), "未指明文档")):
        with pytest.raises(NotFound) as raised:
            lookup()
        assert str(raised.value) == message
