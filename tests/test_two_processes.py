"""Two real app processes on one database: on one host (one data folder), and as two hosts.

A document imported through one process (the upload desk, or ``import-policies`` as a third
process) is found by a search through the other within two seconds; imports through both at once
and the CLI end with an index that ``flask check`` finds equal to the database (one writer at a time).
As two hosts (each server with its own data and index folder), each index follows the database's
outbox (``kb.library.index_outbox``): an upload or a published FAQ entry on one is found on the other
within two seconds.
"""
from __future__ import annotations

import threading
import time
import urllib.parse

import pytest

from kb.core.actors import SYSTEM
from kb.accounts.api_tokens import NewToken, create_token
from kb.core.db import create_schema, make_engine, make_session_factory, transaction
from kb.library.importing import import_paths
from kb.accounts.users import NewUser, create_user
from tests.conftest import TAX
from tests.live_server import PASSWORD, Server, WebClient, api, app_env, run_flask, search_titles

DEADLINE = 2.0  # seconds, from the issue


@pytest.fixture
def shared_host(tmp_path, database_url):
    """One database with a policy-office user and an agent's API token; the environment to serve it."""
    engine = make_engine(database_url)
    create_schema(engine)
    with transaction(make_session_factory(engine)) as session:
        for username, role, extra in (("office", "policy", {}), ("agent", "agent", {"staff_no": "1001"})):
            create_user(session, SYSTEM, NewUser(username=username, role=role, password=PASSWORD, **extra))
        _token, secret = create_token(session, SYSTEM, NewToken(username="agent", name="测试"))
    engine.dispose()
    return {"env": app_env(tmp_path / "data", database_url), "token": secret, "logs": tmp_path}


@pytest.fixture
def two_servers(shared_host):
    servers = [Server.flask_serve(shared_host["env"], shared_host["logs"] / f"server-{n}.log") for n in "ab"]
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


def _found_within(base: str, token: str, query: str, title: str, deadline: float) -> float:
    """Seconds until ``title`` is among the results of ``query``, polling; fails after ``deadline``."""
    started = time.monotonic()
    while True:
        if title in search_titles(base, token, query):
            return time.monotonic() - started
        assert time.monotonic() - started < deadline, f"《{title}》 not found through {base} within {deadline} s"
        time.sleep(0.05)


def test_a_document_imported_through_one_process_is_found_through_the_other(shared_host, two_servers):
    a, b = two_servers
    token = shared_host["token"]
    assert "中华人民共和国增值税法" not in search_titles(b.base, token, "增值税法 纳税人")

    office = WebClient(a.base)
    office.login("office")
    response = office.upload("增值税法(2024-12-25).md", (TAX / "增值税法(2024-12-25).md").read_bytes())
    assert response.status == 200 and "/documents/" in response.url, response.text[:500]
    _found_within(b.base, token, "增值税法 纳税人", "中华人民共和国增值税法", DEADLINE)

    # A third process (the CLI) imports; both servers find it.
    result = run_flask(shared_host["env"], "import-policies", str(TAX / "车船税法(2019-04-23).md"))
    assert result.returncode == 0, result.stderr
    for server in (a, b):
        _found_within(server.base, token, "车船税 车辆", "中华人民共和国车船税法", DEADLINE)


def test_imports_through_both_processes_and_the_cli_at_once_leave_a_consistent_index(shared_host, two_servers):
    a, b = two_servers
    token = shared_host["token"]
    batches = {
        a: ["个人所得税法(2018-08-31).md", "契税法(2020-08-11).md", "印花税法(2021-06-10).md"],
        b: ["企业所得税法(2018-12-29).md", "资源税法(2019-08-26).md", "烟叶税法(2017-12-27).md"],
    }
    cli_files = ["税收征收管理法(2015-04-24).md", "耕地占用税法(2018-12-29).md", "关税法(2024-04-26).md"]
    failures: list[str] = []

    def upload_all(server: Server, names: list[str]) -> None:
        office = WebClient(server.base)
        office.login("office")
        for name in names:
            response = office.upload(name, (TAX / name).read_bytes())
            if response.status != 200 or "/documents/" not in response.url:
                failures.append(f"{server.base} {name}: {response.status}")

    threads = [threading.Thread(target=upload_all, args=item) for item in batches.items()]
    for thread in threads:
        thread.start()
    result = run_flask(shared_host["env"], "import-policies", *(str(TAX / name) for name in cli_files))
    for thread in threads:
        thread.join(timeout=300)
    assert result.returncode == 0, result.stderr
    assert failures == []

    check = run_flask(shared_host["env"], "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "索引与数据库一致" in check.stdout
    for server in (a, b):
        for query, title in (("契税 土地", "中华人民共和国契税法"), ("烟叶税", "中华人民共和国烟叶税法"),
                             ("关税 进口货物", "中华人民共和国关税法")):
            assert title in search_titles(server.base, token, query)


# -- two hosts: one database, each server with its own index folder ------------------------------

@pytest.fixture
def two_hosts(shared_host, database_url, tmp_path):
    """Two servers as on two web nodes: one database, separate data and index folders; the library
    holds the 征管法 (for FAQ citations) and a director can publish through the API."""
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    assert import_paths(factory, [TAX / "税收征收管理法(2015-04-24).md"]).ok
    with transaction(factory) as session:
        create_user(session, SYSTEM, NewUser(username="director", role="director", password=PASSWORD))
        _token, director = create_token(session, SYSTEM, NewToken(username="director", name="测试"))
    engine.dispose()
    envs = {name: app_env(tmp_path / f"host-{name}", database_url, KB_INDEX_DIR=str(tmp_path / f"host-{name}" / "index"))
            for name in "ab"}
    servers = [Server.flask_serve(envs[name], tmp_path / f"host-{name}.log") for name in "ab"]
    try:
        for server in servers:
            server.wait_ready()
        yield {"servers": servers, "envs": envs, "token": shared_host["token"], "director": director}
    finally:
        for server in servers:
            server.stop()


def test_a_document_uploaded_on_one_host_is_found_on_the_other(two_hosts, tmp_path):
    a, b = two_hosts["servers"]
    token = two_hosts["token"]
    assert "中华人民共和国增值税法" not in search_titles(b.base, token, "增值税法 纳税人")

    office = WebClient(a.base)
    office.login("office")
    response = office.upload("增值税法(2024-12-25).md", (TAX / "增值税法(2024-12-25).md").read_bytes())
    assert response.status == 200 and "/documents/" in response.url, response.text[:500]
    assert "中华人民共和国增值税法" in search_titles(a.base, token, "增值税法 纳税人")  # at once where it was made
    _found_within(b.base, token, "增值税法 纳税人", "中华人民共和国增值税法", DEADLINE)

    # A third host's CLI (its own index folder too) imports; both servers find it.
    third = app_env(tmp_path / "host-c", two_hosts["envs"]["a"]["KB_DATABASE_URL"],
                    KB_INDEX_DIR=str(tmp_path / "host-c" / "index"))
    result = run_flask(third, "import-policies", str(TAX / "车船税法(2019-04-23).md"))
    assert result.returncode == 0, result.stderr
    for server in (a, b):
        _found_within(server.base, token, "车船税 车辆", "中华人民共和国车船税法", DEADLINE)
    for env in two_hosts["envs"].values():  # each host's index equals the database
        check = run_flask(env, "check")
        assert check.returncode == 0 and "索引与数据库一致" in check.stdout, check.stdout + check.stderr


def test_an_faq_entry_published_on_one_host_is_found_on_the_other(two_hosts):
    a, b = two_hosts["servers"]
    token, director = two_hosts["token"], two_hosts["director"]
    question, query = "税务人员上门检查，要出示什么证件？", "税务人员上门检查要出示证件吗"

    def card(base: str) -> str | None:
        results = api(base, token, "GET", "/search?" + urllib.parse.urlencode({"q": query})).json()["results"]
        return results[0]["question"] if results and results[0]["type"] == "faq" else None

    assert card(b.base) is None
    response = api(a.base, director, "POST", "/faq", {
        "question": question, "answer": "应当出示税务检查证和税务检查通知书。",
        "citations": ["《中华人民共和国税收征收管理法》第五十九条"], "status": "published"})
    assert response.status == 201, response.text[:500]
    assert card(a.base) == question
    started = time.monotonic()
    while card(b.base) != question:
        assert time.monotonic() - started < DEADLINE, f"the FAQ entry was not found through {b.base} within 2 s"
        time.sleep(0.05)

    # Retired on the other host: the card goes from both.
    entry_id = response.json()["id"]
    assert api(b.base, director, "PATCH", f"/faq/{entry_id}", {"status": "retired"}).status == 200
    started = time.monotonic()
    while card(a.base) is not None:
        assert time.monotonic() - started < DEADLINE, f"the retired FAQ entry is still found through {a.base}"
        time.sleep(0.05)
