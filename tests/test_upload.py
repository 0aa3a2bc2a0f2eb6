"""The upload desk: preview the parsed structure, fill in metadata, confirm, edit, repeal; bad files."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from kb.library.models import Document
from tests.conftest import TAX
from tests.web_helpers import client_as, csrf_token, docx_from_corpus, post_form  # noqa: F401

VEHICLE = TAX / "车船税法(2019-04-23).md"


@pytest.fixture
def office(client_as):
    return client_as("policy")


def _upload(client, name: str, data: bytes, **kwargs):
    token = csrf_token(client.get("/upload").text)
    return client.post("/upload", data={"csrf_token": token, "file": (io.BytesIO(data), name)}, **kwargs)


def _pending_files(app) -> list[Path]:
    folder = Path(app.config["KB_DATA_DIR"]) / "uploads"
    return sorted(folder.glob("*")) if folder.exists() else []


def test_docx_upload_preview_confirm_and_search(app, office, session_factory):
    response = _upload(office, "车船税法.docx", docx_from_corpus(VEHICLE))
    assert response.status_code == 302 and response.location.startswith("/upload/")
    assert len(_pending_files(app)) == 2  # the bytes and their description wait in the data folder
    preview = office.get(response.location)
    assert preview.status_code == 200
    assert "中华人民共和国车船税法" in preview.text
    assert '<dd id="article-count">13 条</dd>' in preview.text
    assert "未发现条文编号问题" in preview.text
    confirm = post_form(office, response.location, {
        "title": "中华人民共和国车船税法", "doc_number": "主席令第二十九号", "issuer": "全国人民代表大会常务委员会",
        "level": "法律", "published_on": "2019-04-23", "effective_on": "2019-04-23", "status": "有效",
        "tax_types": "车船税、 车辆",
    })
    assert confirm.status_code == 302, confirm.text
    assert confirm.location.startswith("/documents/")
    assert _pending_files(app) == []
    with session_factory() as session:
        document = session.scalars(select(Document)).one()
        assert (document.doc_number, document.level, document.tax_types) == ("主席令第二十九号", "法律", ["车船税", "车辆"])
        assert document.source_name == "车船税法.docx" and document.source_format == "docx"
        assert sum(u.kind == "article" for u in document.units) == 13
    page = office.get(confirm.location).text
    assert "已导入，可立即检索" in page
    results = office.get("/search.json?q=车船税法第一条").get_json()["results"]
    assert results and results[0]["citation"] == "《中华人民共和国车船税法》第一条"


def test_the_preview_shows_chapters_and_warnings(app, office):
    text = "个人所得税法示例\n第一章 总则\n第一条 第一条的内容。\n第三条 第三条的内容。\n第二章 附则\n第四条 本法自公布之日起施行。\n"
    response = _upload(office, "示例.txt", text.encode("gb18030"))
    preview = office.get(response.location).text
    assert "第一章 总则" in preview and "第二章 附则" in preview
    assert "提示（" in preview and "第二条" in preview  # the gap in numbering is named


def test_upload_replacing_an_older_document(app, office, session_factory, import_tax):
    import_tax("增值税暂行条例(2017-11-19).md")
    with session_factory() as session:
        older = session.scalars(select(Document)).one()
    response = _upload(office, "增值税法.md", (TAX / "增值税法(2024-12-25).md").read_bytes())
    confirm = post_form(office, response.location, {"status": "有效", "published_on": "2024-12-25",
                                                    "effective_on": "2026-01-01", "supersedes": str(older.id)})
    assert confirm.status_code == 302, confirm.text
    with session_factory() as session:
        older = session.get(Document, older.id)
        assert older.status == "失效"
        assert older.superseded_by is not None and older.superseded_by.title == "中华人民共和国增值税法"


@pytest.mark.parametrize("name,data,message", [
    ("坏文件.docx", b"PK\x03\x04 this is not really a docx", "不是有效的 Word"),
    ("空文件.txt", b"   ", "文件为空"),
    ("扫描件.pdf", b"%PDF-1.4", "不支持的文件类型"),
    ("无条文.txt", "通知\n各单位：请做好相关工作。\n".encode(), "未识别出任何条文"),
])
def test_bad_files_are_explained_in_chinese(app, office, name, data, message):
    response = _upload(office, name, data)
    assert response.status_code == 400
    assert message in response.text
    assert _pending_files(app) == []
    xhr = _upload(office, name, data, headers={"X-Requested-With": "XMLHttpRequest"})
    assert xhr.status_code == 400 and message in xhr.get_json()["error"]


def test_too_large_uploads_get_a_chinese_413_page(tmp_path, database_url):
    from webapp import create_app
    from tests.web_helpers import add_user, login

    app = create_app({"TESTING": True, "KB_DATA_DIR": str(tmp_path / "d"), "KB_DATABASE_URL": database_url,
                      "KB_LOAD_SAMPLE": "0", "KB_SECRET_KEY": "test", "KB_MAX_UPLOAD_MB": "1"})
    try:
        add_user(app, "office", "policy")
        client = app.test_client()
        login(client, "office")
        token = csrf_token(client.get("/upload").text)
        boundary = "----kb-test-boundary"
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
                f"Content-Type: text/plain\r\n\r\n").encode() + "第一条 内容。\n".encode() * 200_000 \
            + f"\r\n--{boundary}--\r\n".encode()
        # raw bytes, so that the test client does not spool the body to a temporary file
        response = client.post("/upload", data=body, content_type=f"multipart/form-data; boundary={boundary}")
        assert response.status_code == 413
        assert "文件过大" in response.text and "1 MB" in response.text
    finally:
        app.extensions["kb_storage"].engine.dispose()


def test_xhr_upload_answers_with_the_preview_address(office):
    response = _upload(office, "车船税法.md", VEHICLE.read_bytes(), headers={"X-Requested-With": "XMLHttpRequest"})
    assert response.status_code == 200
    assert re.fullmatch(r"/upload/[A-Za-z0-9_-]+", response.get_json()["redirect"])


def test_a_pending_upload_belongs_to_its_uploader(app, office, client_as):
    response = _upload(office, "车船税法.md", VEHICLE.read_bytes())
    other = client_as("admin")
    stolen = other.get(response.location)
    assert stolen.status_code == 302 and stolen.location == "/upload"
    assert office.get(response.location).status_code == 200
    assert office.get("/upload/not-a-token").status_code == 302


def test_edit_metadata_and_mark_repealed(app, office, import_tax, session_factory):
    report = import_tax("车船税法(2019-04-23).md")
    document_id = report.files[0].document_id
    saved = post_form(office, f"/documents/{document_id}/edit", {
        "title": "中华人民共和国车船税法", "doc_number": "主席令第四十三号", "issuer": "全国人大常委会",
        "level": "法律", "published_on": "2019-04-23", "effective_on": "", "status": "有效", "tax_types": "车船税",
    })
    assert saved.status_code == 302
    with session_factory() as session:
        assert session.get(Document, document_id).doc_number == "主席令第四十三号"
    repealed = post_form(office, f"/documents/{document_id}/repeal",
                         {"repeal-expires_on": "2030-01-01", "repeal-superseded_by": ""},
                         page_url=f"/documents/{document_id}/edit")
    assert repealed.status_code == 302
    with session_factory() as session:
        document = session.get(Document, document_id)
        assert document.status == "失效" and str(document.expires_on) == "2030-01-01"
    assert "已标记为失效" in office.get(repealed.location).text


def test_bad_metadata_is_explained(app, office, import_tax):
    document_id = import_tax("车船税法(2019-04-23).md").files[0].document_id
    response = post_form(office, f"/documents/{document_id}/edit", {"published_on": "2019年前后", "status": "有效"})
    assert response.status_code == 400 and "发布日期：不是有效的日期值" in response.text  # WTForms' message, in Chinese


def test_the_preview_infers_level_issuer_status_and_tax_types(app, office):
    response = _upload(office, "增值税暂行条例.docx", docx_from_corpus(TAX / "增值税暂行条例(2017-11-19).md"))
    preview = office.get(response.location).text
    assert '<option selected value="行政法规">' in preview or 'value="行政法规" selected' in preview
    assert 'value="国务院"' in preview and "自动识别（文中有“国务院令”），请核对" in preview
    assert re.search(r'<option selected value="有效">|value="有效" selected', preview)  # new documents are in force
    assert 'value="增值税"' in preview
    # 本文件取代: a checkbox list with a filter box, not a Ctrl-click multiple select
    assert 'id="supersedes-filter"' in preview and '<ul id="supersedes">' in preview
