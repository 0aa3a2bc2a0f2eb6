"""Logging in: hashed passwords, CSRF, throttling across workers, expiry, one-time passwords, the CLI."""
from __future__ import annotations

import re
import time

from sqlalchemy import select

from kb.accounts.users import User
from tests.web_helpers import PASSWORD, add_user, client_as, csrf_token, login, post_form  # noqa: F401


def test_login_with_the_right_password_opens_the_workspace(app):
    add_user(app, "zhangsan", "agent", staff_no="1024")
    client = app.test_client()
    response = login(client, "zhangsan")
    assert response.status_code == 302 and response.location == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert "工号 1024" in page.text and "咨询服务员" in page.text


def test_passwords_are_stored_hashed(app):
    add_user(app, "zhangsan", "agent")
    with app.extensions["kb_storage"].session_factory() as session:
        stored = session.scalars(select(User.password_hash).where(User.username == "zhangsan")).one()
    assert PASSWORD not in stored and stored.startswith("$argon2id$")


def test_wrong_password_is_refused_in_chinese(app):
    add_user(app, "zhangsan", "agent")
    client = app.test_client()
    response = login(client, "zhangsan", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.text
    assert client.get("/").status_code == 302


def test_login_form_without_csrf_token_is_rejected(app):
    add_user(app, "zhangsan", "agent")
    client = app.test_client()
    response = client.post("/login", data={"username": "zhangsan", "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.text and "请刷新页面" in response.text
    assert client.get("/").status_code == 302


def test_every_post_form_needs_the_csrf_token(app, client_as):
    client = client_as("admin")
    response = client.post("/admin/users", data={"username": "lisi", "role": "policy"})
    assert response.status_code == 400
    assert "lisi" not in client.get("/admin/users").text
    assert client.post("/logout").status_code == 400


def test_five_failures_lock_that_username_from_that_address(app):
    add_user(app, "zhangsan", "agent")
    client = app.test_client()
    for _ in range(5):
        assert "用户名或密码不正确" in login(client, "zhangsan", "wrong-password").text
    response = login(client, "zhangsan")  # even the right password
    assert response.status_code == 429
    assert "登录失败次数过多" in response.text
    other_address = app.test_client()
    response = login(other_address, "zhangsan", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert response.status_code == 302


def test_throttling_holds_across_workers(app, database_url, tmp_path):
    from webapp import create_app

    add_user(app, "zhangsan", "agent")
    for _ in range(5):
        login(app.test_client(), "zhangsan", "wrong-password")
    other_worker = create_app({"TESTING": True, "KB_DATA_DIR": str(tmp_path / "worker2"),
                               "KB_DATABASE_URL": database_url, "KB_LOAD_SAMPLE": "0", "KB_SECRET_KEY": "test"})
    try:
        assert login(other_worker.test_client(), "zhangsan").status_code == 429
    finally:
        other_worker.extensions["kb_storage"].engine.dispose()


def test_idle_session_expires(app):
    add_user(app, "zhangsan", "agent")
    client = app.test_client()
    login(client, "zhangsan")
    assert client.get("/").status_code == 200
    idle = int(app.config["KB_SESSION_MINUTES"]) * 60 + 1
    with client.session_transaction() as session:
        session["seen"] = time.time() - idle
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert "登录已超时" in client.get(response.location).text
    assert client.get("/").status_code == 302


def test_session_cookie_lifetime_follows_the_setting(tmp_path, database_url):
    from webapp import create_app

    app = create_app({"TESTING": True, "KB_DATA_DIR": str(tmp_path / "d"), "KB_DATABASE_URL": database_url,
                      "KB_LOAD_SAMPLE": "0", "KB_SECRET_KEY": "test", "KB_SESSION_MINUTES": "30"})
    try:
        assert app.permanent_session_lifetime.total_seconds() == 30 * 60
    finally:
        app.extensions["kb_storage"].engine.dispose()


def test_one_time_password_must_be_changed_first(app):
    issued = add_user(app, "wangwu", "policy", password=None)
    client = app.test_client()
    response = login(client, "wangwu", issued)
    assert response.location == "/password"
    assert client.get("/documents").location == "/password"
    page = client.get("/password")
    assert "一次性密码" in page.text
    response = client.post("/password", data={"current": issued, "new": "short", "repeat": "short",
                                              "csrf_token": csrf_token(page.text)})
    assert response.status_code == 400 and "至少需要 8 个字符" in response.text
    response = post_form(client, "/password", {"current": issued, "new": "my-new-secret", "repeat": "my-new-secret"})
    assert response.status_code == 302
    assert client.get("/documents").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/documents").text)})
    assert login(app.test_client(), "wangwu", "my-new-secret").location == "/"


def test_login_redirects_back_to_the_page_asked_for(app):
    add_user(app, "zhangsan", "agent")
    client = app.test_client()
    response = client.get("/documents")
    assert response.location.startswith("/login?next=")
    page = client.get(response.location)
    assert "请先登录" in page.text
    response = client.post(response.location, data={"username": "zhangsan", "password": PASSWORD,
                                                     "csrf_token": csrf_token(page.text)})
    assert response.location == "/documents"
    other = app.test_client()
    page = other.get("/login")
    evil = other.post("/login?next=//evil.example/", data={"username": "zhangsan", "password": PASSWORD,
                                                           "csrf_token": csrf_token(page.text)})
    assert evil.location == "/"


def test_logout_ends_the_session(app, client_as):
    client = client_as("agent")
    token = csrf_token(client.get("/documents").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/documents").status_code == 302


def test_create_user_command(app, runner):
    result = runner.invoke(args=["create-user", "lili", "--role", "agent", "--staff-no", "2048", "--password", "lili-pass-1"])
    assert result.exit_code == 0, result.output
    assert "已创建账号 lili（咨询服务员）" in result.output
    client = app.test_client()
    assert login(client, "lili", "lili-pass-1").location == "/"
    assert "工号 2048" in client.get("/documents").text


def test_create_user_command_prints_a_one_time_password(app, runner):
    result = runner.invoke(args=["create-user", "dept1", "--role", "department", "--department", "征收管理科"])
    assert result.exit_code == 0, result.output
    issued = re.search(r"一次性密码：(\S+)（", result.output).group(1)
    assert login(app.test_client(), "dept1", issued).location == "/password"


def test_create_user_command_explains_mistakes(runner):
    no_staff_no = runner.invoke(args=["create-user", "lili", "--role", "agent", "--password", "lili-pass-1"])
    assert no_staff_no.exit_code != 0 and "工号" in no_staff_no.output
    no_department = runner.invoke(args=["create-user", "d", "--role", "department"])
    assert no_department.exit_code != 0 and "部门" in no_department.output
    bad_role = runner.invoke(args=["create-user", "x", "--role", "boss"])
    assert bad_role.exit_code != 0
    runner.invoke(args=["create-user", "p", "--role", "policy", "--password", "policy-pass"])
    again = runner.invoke(args=["create-user", "p", "--role", "policy", "--password", "policy-pass"])
    assert again.exit_code != 0 and "已存在" in again.output


def test_first_start_creates_an_admin_once(app, capsys):
    from webapp.accounts_cli import create_first_admin

    with app.app_context():
        create_first_admin(app)
        first = capsys.readouterr().err
        create_first_admin(app)
        second = capsys.readouterr().err
    issued = re.search(r"一次性密码：(\S+)", first).group(1)
    assert "admin" in first and second == ""
    client = app.test_client()
    assert login(client, "admin", issued).location == "/password"


def test_reset_password_command(app, runner):
    add_user(app, "zhangsan", "agent")
    result = runner.invoke(args=["reset-password", "zhangsan"])
    assert result.exit_code == 0, result.output
    issued = re.search(r"一次性密码：(\S+)（", result.output).group(1)
    assert login(app.test_client(), "zhangsan", issued).location == "/password"
    assert runner.invoke(args=["reset-password", "nobody"]).exit_code != 0


def test_admin_creates_accounts_in_the_browser_form(app, client_as):
    client = client_as("admin")
    response = post_form(client, "/admin/users", {"username": "agent7", "role": "agent", "staff_no": "7007",
                                                  "display_name": "赵六", "department": "", "password": ""})
    assert response.status_code == 200
    issued = re.search(r'id="issued-password">([^<]+)<', response.text).group(1)
    assert login(app.test_client(), "agent7", issued).location == "/password"
