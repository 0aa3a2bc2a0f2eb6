"""kill -9 in the middle of an import and of FAQ publishing: nothing partial, nothing committed lost.

- The import CLI is killed after its first documents are committed (a folder of the full law
  corpus, so the kill lands mid-run): every stored document has all its units, none that was seen
  committed is gone, and the next start (``flask init``) brings the index in line (repair on start).
- A gunicorn server is killed while FAQ entries are being published through the API and documents
  uploaded through the upload desk: every 200 answered is in the database, every entry's status and
  version history agree, every document is whole, and after the restart the index matches.
"""
from __future__ import annotations

import http.client
import subprocess
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from kb.core.actors import SYSTEM
from kb.accounts.api_tokens import NewToken, create_token
from kb.core.db import create_schema, make_engine, make_session_factory, transaction
from kb.faq.operations import FaqData, create_entry
from kb.faq.models import DRAFT, IN_REVIEW, PUBLISHED, FaqEntry
from kb.library.importing import import_paths
from kb.library.operations import content_hash
from kb.library.models import Document
from kb.library.parsing import parse_file
from kb.accounts.users import NewUser, create_user
from tests.conftest import SHARED, TAX
from tests.live_server import PASSWORD, Process, Server, WebClient, api, app_env, flask_command, run_flask

# Every way a connection dies under a killed server: refused, reset, closed before the status line
# (RemoteDisconnected, an OSError), or mid-body (IncompleteRead, an HTTPException).
CONNECTION_LOST = (OSError, http.client.HTTPException)

LAWS = SHARED / "corpus" / "laws-full.tar.xz"
LAWS_FOLDER = "laws-full/行政法规"  # 683 regulations: minutes of importing, killed after seconds


def _wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _corpus_folder(tmp_path: Path) -> Path:
    """A large folder to import: part of the full corpus when present, else the shipped tax library."""
    if not LAWS.exists():
        return TAX
    subprocess.run(["tar", "-xJf", str(LAWS), "-C", str(tmp_path), LAWS_FOLDER], check=True)
    return tmp_path / LAWS_FOLDER


def _files_by_hash(folders) -> dict[str, bytes]:
    files = {}
    for folder in folders:
        for path in Path(folder).rglob("*"):
            if path.suffix in (".md", ".txt", ".html", ".docx"):
                data = path.read_bytes()
                files[content_hash(data)] = (path.name, data)
    return files


def _assert_documents_whole(factory, sources: dict) -> dict[int, int]:
    """Every stored document has exactly the units its file parses into; return id -> unit count."""
    counts = {}
    with factory() as session:
        for document in session.scalars(select(Document).options(selectinload(Document.units))):
            name, data = sources[document.source_hash]
            assert len(document.units) == len(parse_file(name, data).units), f"partial document {name}"
            counts[document.id] = len(document.units)
    return counts


def _document_count(factory) -> int:
    with factory() as session:
        return session.scalar(select(func.count(Document.id)))


def test_killing_the_import_cli_midway_loses_nothing_committed_and_leaves_nothing_partial(tmp_path, database_url):
    folder = _corpus_folder(tmp_path)
    total = len(list(folder.rglob("*.md")))
    engine = make_engine(database_url)
    create_schema(engine)
    factory = make_session_factory(engine)
    env = app_env(tmp_path / "data", database_url)

    importer = Process(flask_command("import-policies", str(folder)), env, tmp_path / "import.log")
    try:
        _wait_until(lambda: _document_count(factory) >= 5, 120, "the first committed documents")
        with factory() as session:
            committed = dict(session.execute(select(Document.id, Document.source_hash)).all())
    finally:
        importer.kill()
    assert importer.popen.returncode == -9
    sources = _files_by_hash([folder])

    counts = _assert_documents_whole(factory, sources)
    assert set(committed) <= set(counts), "a committed document was lost"
    assert len(counts) < total, "the import finished before the kill: nothing was interrupted"

    # The import died before updating the index; the next start repairs it.
    started = run_flask(env, "init")
    assert started.returncode == 0, started.stderr
    assert "已修复索引不一致" in started.stderr
    check = run_flask(env, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"条文单元 {sum(counts.values())} 个" in check.stdout
    engine.dispose()


@pytest.fixture
def faq_desk(tmp_path, database_url):
    """A library of three laws, 40 FAQ entries awaiting publication, a director's token, an office user."""
    engine = make_engine(database_url)
    create_schema(engine)
    factory = make_session_factory(engine)
    report = import_paths(factory, [TAX / "税收征收管理法(2015-04-24).md", TAX / "增值税法(2024-12-25).md"])
    assert report.ok
    with transaction(factory) as session:
        create_user(session, SYSTEM, NewUser(username="director", role="director", password=PASSWORD))
        create_user(session, SYSTEM, NewUser(username="office", role="policy", password=PASSWORD))
        _token, secret = create_token(session, SYSTEM, NewToken(username="director", name="测试"))
        for n in range(40):
            create_entry(session, SYSTEM, FaqData(
                question=f"纳税申报期限问题 {n}", answer="纳税人必须依照法律、行政法规规定的申报期限办理纳税申报。",
                citations=["《中华人民共和国税收征收管理法》第二十五条"]), status=IN_REVIEW)
    env = app_env(tmp_path / "data", database_url)
    assert run_flask(env, "init").returncode == 0  # as before gunicorn in production: builds the index
    yield {"factory": factory, "token": secret, "env": env, "logs": tmp_path}
    engine.dispose()


# Each publishing thread cycles its entries through 待审核 → 已发布 → 草稿 → 待审核 … until the kill.
CYCLE = {IN_REVIEW: PUBLISHED, PUBLISHED: DRAFT, DRAFT: IN_REVIEW}


def test_killing_the_server_while_publishing_and_uploading_keeps_every_answered_change(faq_desk):
    factory, token, env = faq_desk["factory"], faq_desk["token"], faq_desk["env"]
    with factory() as session:
        entry_ids = sorted(session.scalars(select(FaqEntry.id)))
    uploads = sorted(p.name for p in TAX.glob("*.md") if "增值税法" not in p.name and "征收管理法" not in p.name)
    answered = {entry_id: IN_REVIEW for entry_id in entry_ids}  # the last status a 200 confirmed
    in_flight: dict[int, str] = {}  # a change sent whose answer never came
    publishes: list[int] = []
    refused: list[str] = []  # answers other than 200 (none expected)
    uploaded: list[str] = []
    stop = threading.Event()

    server = Server.gunicorn(env, faq_desk["logs"] / "gunicorn.log", workers=2, threads=2)
    server.wait_ready()

    def publish(ids: list[int]) -> None:
        while not stop.is_set():
            for entry_id in ids:
                target = CYCLE[answered[entry_id]]
                in_flight[entry_id] = target
                try:
                    response = api(server.base, token, "PATCH", f"/faq/{entry_id}", {"status": target}, timeout=10)
                except CONNECTION_LOST:
                    return  # the server is gone, this change unanswered
                if response.status != 200:  # the change may or may not have happened: keep it in flight
                    refused.append(f"{entry_id} → {target}: {response.status} {response.text[:200]}")
                    return
                del in_flight[entry_id]
                answered[entry_id] = target
                if target == PUBLISHED:
                    publishes.append(entry_id)
                if stop.is_set():
                    return

    def upload() -> None:
        office = WebClient(server.base, timeout=10)
        try:
            office.login("office")
            for name in uploads:
                if stop.is_set():
                    return
                response = office.upload(name, (TAX / name).read_bytes())
                if response.status == 200 and "/documents/" in response.url:
                    uploaded.append(name)
        except CONNECTION_LOST:
            return

    threads = [threading.Thread(target=publish, args=(entry_ids[i::3],)) for i in range(3)]
    threads.append(threading.Thread(target=upload))
    for thread in threads:
        thread.start()
    try:
        _wait_until(lambda: len(publishes) >= 30 and len(uploaded) >= 2, 120, "publishing and uploading under way")
    finally:
        server.kill()  # SIGKILL to the master and its workers, requests in flight
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert len(uploaded) < len(uploads), "every upload finished before the kill"
    assert refused == [], f"errors answered while publishing: {refused}"

    with factory() as session:
        entries = session.scalars(select(FaqEntry).options(selectinload(FaqEntry.versions))).all()
        for entry in entries:
            last = entry.versions[-1]
            assert entry.version == last.number == len(entry.versions)
            assert (entry.status == PUBLISHED) == (last.action == "published"), entry.id
            # Answered changes are kept; an unanswered one either happened whole or not at all.
            assert entry.status in {answered[entry.id], in_flight.get(entry.id)}, entry.id
        sources = set(session.scalars(select(Document.source_name)))
    assert set(uploaded) <= sources, "an answered upload was lost"
    _assert_documents_whole(factory, _files_by_hash([TAX]))

    restarted = Server.flask_serve(env, faq_desk["logs"] / "restart.log")
    try:
        restarted.wait_ready()
        check = run_flask(env, "check")
        assert check.returncode == 0, check.stdout + check.stderr
        listed = {e["id"] for e in api(restarted.base, token, "GET", "/faq?limit=200").json()["entries"]}
        assert listed == {entry.id for entry in entries if entry.status == PUBLISHED}
        assert {i for i, status in answered.items() if status == PUBLISHED and i not in in_flight} <= listed
    finally:
        restarted.stop()
