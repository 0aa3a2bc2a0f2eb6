"""Operations: backup → restore round trip on the real library, check/repair of the index, API tokens."""
from __future__ import annotations

import datetime as dt
import json
import tarfile
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select, text
from whoosh import index as whoosh_index

from kb.core.actors import SYSTEM
from kb.core.backup import restore_backup, table_counts, write_backup
from kb.core.db import register_models, transaction
from kb.faq.operations import FaqData, create_entry, publish_entry, submit_entry
from kb.library.models import Document
from kb.hotline.referrals import NewReferral, open_referral
from kb.hotline.redaction import caller_view
from kb.accounts.models import User
from tests.conftest import TAX
from tests.web_helpers import add_user

QUERIES = ("征管法第32条", "小规模纳税人 标准", "个人所得税 专项附加扣除", "滞纳金 万分之五")


@pytest.fixture
def filled(app, runner):
    """The whole shipped tax library, an FAQ entry, a confidential referral with its audit trail."""
    result = runner.invoke(args=["import-policies", str(TAX), "--catalog", str(TAX / "catalog.csv")])
    assert result.exit_code == 0, result.output
    add_user(app, "agent1", "agent")
    with transaction(app.extensions["kb_storage"].session_factory) as session:
        agent = session.scalars(select(User).where(User.username == "agent1")).one()
        director = User(username="zhuren", role="director", password_hash="-", active=True)
        session.add(director)
        entry = create_entry(session, SYSTEM, FaqData(question="逾期申报会被罚款吗？", answer="可以处罚款。",
                                                    citations=["《中华人民共和国税收征收管理法》第六十二条"]))
        submit_entry(session, SYSTEM, entry)
        publish_entry(session, SYSTEM, entry)
        referral = open_referral(session, agent, NewReferral(
            caller_name="张先生", caller_contact="13900000000", question="某公司不开发票。", category="举报"))
        caller_view(session, director, referral)
    from webapp.search_index import index_faq

    index_faq(app, [entry.id])  # as the pages and the API do after publishing
    (Path(app.config["KB_DATA_DIR"]) / "user_dict.txt").write_text("留抵退税 10 n\n", encoding="utf-8")
    return app


def _searches(app) -> dict:
    from webapp.search_index import search

    return {q: [(r["key"], r["citation"], r["status"]) for r in search(app, q, limit=10)] for q in QUERIES}


def _empty_target(database_url, tmp_path):
    """A second, empty database: a new SQLite file, or the same PostgreSQL database emptied."""
    from kb.core.db import make_engine

    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    engine = make_engine(database_url)
    register_models()
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return database_url


def _restored_app(database_url, tmp_path):
    from webapp import create_app

    return create_app({"TESTING": True, "KB_DATA_DIR": str(tmp_path / "restored"), "KB_LOAD_SAMPLE": "0",
                       "KB_DATABASE_URL": _empty_target(database_url, tmp_path), "KB_SECRET_KEY": "test"})


def test_backup_then_restore_gives_the_same_library_and_searches(filled, runner, database_url, tmp_path):
    before_counts = table_counts(filled.extensions["kb_storage"].engine)
    before_searches = _searches(filled)
    archive = tmp_path / "kb-backup.tar.gz"
    result = runner.invoke(args=["backup", "-o", str(archive)])
    assert result.exit_code == 0 and "备份完成" in result.output, result.output
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["database"]["tables"] == before_counts and manifest["files"] == ["user_dict.txt"]
    dump = "database/kb.sqlite3" if database_url.startswith("sqlite") else "database/units.jsonl"
    assert {"manifest.json", dump, "files/user_dict.txt"} <= names
    filled.extensions["kb_storage"].engine.dispose()

    restored = _restored_app(database_url, tmp_path)
    try:
        result = restored.test_cli_runner().invoke(args=["restore", str(archive)])
        assert result.exit_code == 0 and "恢复完成" in result.output, result.output
        assert table_counts(restored.extensions["kb_storage"].engine) == before_counts
        assert _searches(restored) == before_searches
        assert (tmp_path / "restored" / "user_dict.txt").read_text(encoding="utf-8") == "留抵退税 10 n\n"
        check = restored.test_cli_runner().invoke(args=["check"])
        assert check.exit_code == 0 and "一致" in check.output
        # New rows after a restore get fresh ids (PostgreSQL sequences were moved past the restored ids).
        add_user(restored, "after-restore", "policy")
        again = restored.test_cli_runner().invoke(args=["restore", str(archive)])
        assert again.exit_code != 0 and "不是空的" in again.output
    finally:
        restored.extensions["kb_storage"].engine.dispose()


def test_the_portable_json_lines_dump_round_trips_every_value(filled, tmp_path, database_url):
    engine = filled.extensions["kb_storage"].engine
    archive = tmp_path / "portable.tar.gz"
    manifest = write_backup(engine, archive, dump="jsonl")
    assert manifest["database"]["dump"] == "jsonl"
    with filled.extensions["kb_storage"].session_factory() as session:
        before = [(d.id, d.title, d.published_on, d.superseded_by_id, d.tax_types, d.imported_at)
                  for d in session.scalars(select(Document).order_by(Document.id))]
    engine.dispose()
    restored = _restored_app(database_url, tmp_path)
    try:
        counts = restore_backup(restored.extensions["kb_storage"].engine, archive, tmp_path / "restored")
        assert counts == manifest["database"]["tables"]
        with restored.extensions["kb_storage"].session_factory() as session:
            after = [(d.id, d.title, d.published_on, d.superseded_by_id, d.tax_types, d.imported_at)
                     for d in session.scalars(select(Document).order_by(Document.id))]
        assert after == before and any(row[3] for row in after)
    finally:
        restored.extensions["kb_storage"].engine.dispose()


def test_restore_refuses_what_is_not_a_backup(app, runner, tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not a tarball")
    result = runner.invoke(args=["restore", str(bogus)])
    assert result.exit_code != 0 and "不是本系统的备份文件" in result.output


def _delete_from_index(app, document_id):
    ix = whoosh_index.open_dir(app.config["KB_INDEX_DIR"])
    writer = ix.writer()
    writer.delete_by_term("document_id", str(document_id))
    writer.commit()


def test_check_finds_a_document_missing_from_the_index_and_repairs_it(filled, runner):
    with filled.extensions["kb_storage"].session_factory() as session:
        document = session.scalars(select(Document).where(Document.source_name == "税收征收管理法(2015-04-24).md")).one()
        unit_count = len(document.units)
    assert runner.invoke(args=["check"]).exit_code == 0
    _delete_from_index(filled, document.id)
    from webapp.search_index import search

    assert not [r for r in search(filled, "征管法第32条") if r["document_id"] == document.id]

    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert f"索引缺少 {unit_count} 个条文单元" in result.output and "--repair" in result.output
    repaired = runner.invoke(args=["check", "--repair"])
    assert repaired.exit_code == 0 and "已修复：重新索引 1 部文件" in repaired.output, repaired.output
    assert runner.invoke(args=["check"]).exit_code == 0
    assert search(filled, "征管法第32条")[0]["document_id"] == document.id


def test_check_finds_articles_without_sentence_vectors_and_encodes_them(filled, runner):
    """A build or an update stopped while encoding leaves a document's articles without vectors: they
    search by their words alone. ``check`` names the document; ``--repair`` encodes it."""
    from webapp.search_index import get_index, search

    with filled.extensions["kb_storage"].session_factory() as session:
        document = session.scalars(select(Document).where(Document.source_name == "税收征收管理法(2015-04-24).md")).one()
    store = get_index(filled).vectors
    store.files()[document.id].unlink()
    unweighed = [r for r in get_index(filled).search("纳税人逾期缴纳税款会怎样", limit=20).results
                 if r.document_id == document.id]
    assert unweighed and all(r.meaning is None for r in unweighed)

    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert "1 部文件的条文缺少语义向量" in result.output and f"文件 {document.id}" in result.output
    repaired = runner.invoke(args=["check", "--repair"])
    assert repaired.exit_code == 0 and "已修复：重新索引 1 部文件" in repaired.output, repaired.output
    assert document.id in store.files()
    assert runner.invoke(args=["check"]).exit_code == 0
    weighed = [r for r in get_index(filled).search("纳税人逾期缴纳税款会怎样", limit=20).results
               if r.document_id == document.id]
    assert weighed and all(r.meaning is not None for r in weighed)
    assert search(filled, "征管法第32条")[0]["document_id"] == document.id


def test_check_finds_a_missing_table_of_candidates_by_meaning_and_writes_it_again(filled, runner):
    """Without the table (``indexer.nearest``) a search adds no candidates by meaning, and says nothing:
    ``check`` says so; ``--repair`` writes it again from the vector files, re-indexing nothing."""
    from indexer import nearest
    from webapp.search_index import get_index

    index = get_index(filled)
    path = nearest.table_path(index.vectors.folder, nearest.basis())
    rows = len(np.load(path))
    path.unlink()
    assert not index.nearest.available()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1 and "按含义补充候选的向量表与索引不一致" in result.output, result.output
    repaired = runner.invoke(args=["check", "--repair"])
    assert repaired.exit_code == 0, repaired.output
    assert "重新索引 0 部文件" in repaired.output and "重写了按含义补充候选的向量表" in repaired.output
    assert index.nearest.available() and len(np.load(path)) == rows
    assert runner.invoke(args=["check"]).exit_code == 0


def test_check_finds_a_stale_status_and_a_deleted_document(filled, runner):
    factory = filled.extensions["kb_storage"].session_factory
    with transaction(factory) as session:
        stale = session.scalars(select(Document).where(Document.source_name == "税收征收管理法(2015-04-24).md")).one()
        stale.status = "部分失效"
        gone = session.scalars(select(Document).where(Document.source_name == "个人信息保护法(2021-08-20).md")).one()
        gone_id = gone.id
        session.delete(gone)
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert f"文件 {stale.id} 的状态在数据库中为“部分失效”，索引中为“有效”" in result.output
    assert "索引多出" in result.output
    assert runner.invoke(args=["check", "--repair"]).exit_code == 0
    assert runner.invoke(args=["check"]).exit_code == 0
    from webapp.search_index import search

    assert all(r["document_id"] != gone_id for r in search(filled, "个人信息 处理者", limit=50))


def test_create_list_and_revoke_tokens(app, runner):
    add_user(app, "phone", "agent")
    result = runner.invoke(args=["create-token", "phone", "--name", "电话系统"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("kb_")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=headers).get_json()["username"] == "phone"
    listed = runner.invoke(args=["tokens", "phone"]).output
    assert "电话系统" in listed and "有效" in listed and secret not in listed
    token_id = listed.split("\t")[0]
    assert runner.invoke(args=["revoke-token", token_id]).exit_code == 0
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert "已吊销" in runner.invoke(args=["tokens"]).output
    missing = runner.invoke(args=["create-token", "nobody"])
    assert missing.exit_code != 0 and "不存在" in missing.output


def test_check_names_documents_that_look_like_lost_parts_or_duplicates(runner, session_factory, tmp_path):
    """What an older version left: a code's parts stored as versions of one another, and a file
    stored twice by two imports at once. ``check`` names them."""
    from kb.core.db import transaction
    from kb.library.importing import import_paths
    from kb.library.models import Document, Unit

    older, newer = tmp_path / "示例法(2001-01-01).md", tmp_path / "示例法(2011-01-01).md"
    older.write_text("# 示例法\n\n<!-- INFO END -->\n\n第一条 总则。\n\n第二条 定义。\n", encoding="utf-8")
    newer.write_text("# 示例法\n\n<!-- INFO END -->\n\n第三条 附则。\n", encoding="utf-8")
    assert import_paths(session_factory, [older, newer]).ok
    with transaction(session_factory) as session:
        for text in ("第一条 甲。", "第一条 乙。"):
            session.add(Document(title="重复条例", status="有效", source_name="重复条例.md", source_hash=text,
                                 source_format="markdown", published_on=dt.date(2020, 1, 1),
                                 units=[Unit(seq=0, kind="article", label="第一条", number=1, text=text)]))
    result = runner.invoke(args=["check"])
    assert "提醒：疑似法典分编被当作不同版本：" in result.output and "《示例法》（2001-01-01，已修订，第1–2条）" in result.output
    assert "提醒：疑似重复：" in result.output and "《重复条例》（2020-01-01，有效，第1–1条）" in result.output


def test_serve_refuses_a_port_in_use_before_any_first_start_work(runner, app):
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        result = runner.invoke(args=["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"无法在 127.0.0.1:{port} 上启动：端口已被占用" in result.output and "--port" in result.output
    assert not (Path(app.config["KB_DATA_DIR"]) / "index").exists()  # no index built for nothing
