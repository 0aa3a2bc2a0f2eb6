"""Sessions the server can end (a replayed cookie fails after logout, a password change, a reset or
an account switched off) and the page after login (same-site paths only)."""
from __future__ import annotations

import pytest

from tests.web_helpers import PASSWORD, add_user, client_as, csrf_token, login, post_form  # noqa: F401


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _replay(app, cookie: str):
    """A fresh browser that presents a copied session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/documents")


def _logged_in(app, username="zhangsan", role="agent"):
    add_user(app, username, role)
    client = app.test_client()
    assert login(client, username).status_code == 302
    assert client.get("/documents").status_code == 200
    return client


def test_a_cookie_copied_before_logout_no_longer_works(app):
    client = _logged_in(app)
    stolen = _cookie(client)
    assert _replay(app, stolen).status_code == 200  # the copy works while the session lives
    token = csrf_token(client.get("/documents").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    response = _replay(app, stolen)
    assert response.status_code == 302 and response.location.startswith("/login")


def test_a_password_change_ends_other_sessions_but_not_this_one(app):
    client = _logged_in(app)
    stolen = _cookie(client)
    response = post_form(client, "/password", {"current": PASSWORD, "new": "Tiger-lily-2049", "repeat": "Tiger-lily-2049"})
    assert response.status_code == 302
    assert client.get("/documents").status_code == 200
    assert _replay(app, stolen).status_code == 302


def test_switching_an_account_off_ends_its_sessions(app, client_as):
    victim = _logged_in(app, "lisi", "policy")
    stolen = _cookie(victim)
    admin = client_as("admin")
    page = admin.get("/admin/users").text
    user_id = next(u.id for u in _users(app) if u.username == "lisi")
    assert admin.post(f"/admin/users/{user_id}/active", data={"csrf_token": csrf_token(page)}).status_code == 302
    assert victim.get("/documents").status_code == 302
    assert _replay(app, stolen).status_code == 302


def test_a_password_reset_ends_the_sessions(app, runner):
    client = _logged_in(app)
    assert runner.invoke(args=["reset-password", "zhangsan"]).exit_code == 0
    response = client.get("/documents")
    assert response.status_code == 302 and response.location.startswith("/login")  # not on to /password


def _users(app):
    from sqlalchemy import select

    from kb.accounts.users import User

    with app.extensions["kb_storage"].session_factory() as session:
        return list(session.scalars(select(User)))


@pytest.mark.parametrize("target, expected", [
    ("/documents?level=law", "/documents?level=law"),
    ("/%09/evil.example", "/"),
    ("/%0A/evil.example", "/"),
    ("/%0D%0ALocation:%20http://evil.example", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("/%5Cevil.example", "/"),
    ("https://evil.example/", "/"),
    ("javascript:alert(1)", "/"),
    ("/%20/evil.example", "/"),
])
def test_after_login_only_a_path_of_this_site(app, target, expected):
    add_user(app, "zhangsan", "agent")
    client = app.test_client()
    page = client.get("/login")
    response = client.post(f"/login?next={target}", data={"username": "zhangsan", "password": PASSWORD,
                                                          "csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    assert response.location == expected
