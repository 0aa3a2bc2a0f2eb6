"""Guessing passwords: failures spread over usernames or addresses are throttled, an unknown user
name costs a password check like a known one, and guessable new passwords are refused."""
from __future__ import annotations

import pytest

import kb.accounts.users
from kb.core.actors import SYSTEM
from kb.accounts.password_policy import password_problem
from kb.accounts.users import AccountError, NewUser, authenticate, change_password, create_user
from tests.web_helpers import PASSWORD, add_user, client_as, login, post_form  # noqa: F401


def test_failures_spread_over_many_usernames_are_throttled(app):
    """40 failed logins over 20 usernames from one address: throttled before the end."""
    from kb.core.db import transaction
    from kb.accounts.users import User, hash_password

    shared = hash_password(PASSWORD)  # one hash for all twenty: hashing is the slow part
    with transaction(app.extensions["kb_storage"].session_factory) as session:
        session.add_all(User(username=f"user{n}", role="policy", password_hash=shared, active=True) for n in range(20))
    client = app.test_client()
    statuses = [login(client, f"user{n % 20}", "wrong-password").status_code for n in range(40)]
    assert 429 in statuses
    assert statuses.index(429) <= 20
    assert login(client, "user3").status_code == 429                      # the address is throttled
    other = app.test_client()
    assert login(other, "user3", environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 302


def test_failures_for_one_username_from_many_addresses_are_throttled(app):
    add_user(app, "zhangsan", "agent")
    client = app.test_client()
    for n in range(10):
        assert login(client, "zhangsan", "wrong-password", environ_base={"REMOTE_ADDR": f"10.0.1.{n}"}).status_code == 200
    response = login(client, "zhangsan", environ_base={"REMOTE_ADDR": "10.0.2.1"})
    assert response.status_code == 429 and "登录失败次数过多" in response.text


def test_an_unknown_username_costs_a_password_check_too(session, monkeypatch):
    """No early return for an unknown account: timing does not tell which accounts exist."""
    create_user(session, SYSTEM, NewUser(username="zhangsan", role="policy", password=PASSWORD))
    checked = []
    real = kb.accounts.users.verify_password
    monkeypatch.setattr(kb.accounts.users, "verify_password", lambda hashed, pw: checked.append(hashed) or real(hashed, pw))
    for username in ("zhangsan", "nobody"):
        with pytest.raises(AccountError, match="用户名或密码不正确"):
            authenticate(session, username, "wrong-password", "10.0.0.1")
    assert len(checked) == 2
    assert checked[0].rsplit("$", 2)[0] == checked[1].rsplit("$", 2)[0]  # the same method and cost


@pytest.mark.parametrize("password, accepted", [
    ("aaaaaaaa", False), ("password1", False), ("12345678", False), ("Qwerty123!", False), ("woaini1314", False),
    ("zhangsan2026", False),  # the user name with a year
    ("short", False), ("correct-horse-1", True), ("Tiger-lily-2049", True), ("税务热线的门总是开着的", True),
])
def test_the_password_policy(password, accepted):
    assert (password_problem(password, ["zhangsan"]) is None) == accepted


def test_a_guessable_new_password_is_refused_in_chinese(session):
    user, _ = create_user(session, SYSTEM, NewUser(username="zhangsan", role="policy", password=PASSWORD))
    with pytest.raises(AccountError, match="太容易被猜到"):
        change_password(session, user, PASSWORD, "aaaaaaaa")
    with pytest.raises(AccountError, match="至少需要 8 个字符"):
        change_password(session, user, PASSWORD, "Ab1!")
    change_password(session, user, PASSWORD, "Tiger-lily-2049")


def test_the_password_page_refuses_a_guessable_password(app):
    add_user(app, "zhangsan", "agent")
    client = app.test_client()
    login(client, "zhangsan")
    response = post_form(client, "/password", {"current": PASSWORD, "new": "password1", "repeat": "password1"})
    assert response.status_code == 400 and "太容易被猜到" in response.text
    assert login(app.test_client(), "zhangsan").status_code == 302  # the old password still works


# -- accounts made by an admin ----------------------------------------------------------------------

def test_an_admin_made_account_names_its_maker_changes_its_password_and_is_shown_to_the_director(app, client_as):
    admin = client_as("admin", username="root-admin")
    response = post_form(admin, "/admin/users", {"username": "jicha9", "role": "department", "department": "稽查局",
                                                 "display_name": "", "staff_no": "", "password": "Chosen-by-admin-77"})
    assert response.status_code == 200
    client = app.test_client()
    assert login(client, "jicha9", "Chosen-by-admin-77").location == "/password"  # the admin's password is not kept
    assert client.get("/referrals/inbox").location == "/password"
    director = client_as("director", username="zhuren")
    page = director.get("/referrals/audit").text
    viewers = page[page.index('id="identity-viewers"'):page.index("</table>", page.index('id="identity-viewers"'))]
    assert "jicha9" in viewers and "root-admin" in viewers and "稽查局" in viewers and "zhuren" in viewers
    log = page[page.index('id="audit-log"'):]
    assert "账号 jicha9" in log and "root-admin" in log


def test_the_command_line_password_stays_as_given(app, runner):
    result = runner.invoke(args=["create-user", "ops", "--role", "department", "--department", "稽查局",
                                 "--password", "password-123"])
    assert result.exit_code == 0, result.output
    assert login(app.test_client(), "ops", "password-123").location == "/"


@pytest.mark.parametrize("method", ["scrypt", "pbkdf2:sha256"])
def test_a_werkzeug_hash_from_before_still_logs_in_and_is_rehashed_with_argon2(session, method):
    """Passwords are hashed with Argon2id (``kb.accounts.passwords``); hashes werkzeug wrote before verify,
    and are replaced at the next successful login (a wrong password changes nothing)."""
    from werkzeug.security import generate_password_hash

    from kb.accounts.users import User

    old = generate_password_hash(PASSWORD, method=method)
    session.add(User(username="laowang", role="agent", staff_no="1009", password_hash=old, active=True))
    session.flush()
    with pytest.raises(AccountError):
        authenticate(session, "laowang", "wrong-password", "10.0.3.1")
    user = kb.accounts.users.find_user(session, "laowang")
    assert user.password_hash == old
    assert authenticate(session, "laowang", PASSWORD, "10.0.3.1") is user
    assert user.password_hash.startswith("$argon2id$")
    assert authenticate(session, "laowang", PASSWORD, "10.0.3.1") is user
