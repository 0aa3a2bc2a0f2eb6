"""Who may open which page: the route-by-role table, and the permission predicates themselves."""
from __future__ import annotations

import pytest

from kb.accounts.users import ADMIN, AGENT, DEPARTMENT, DIRECTOR, POLICY, can_edit_documents, can_manage_users, can_read_library, can_upload
from tests.web_helpers import client_as  # noqa: F401

ROLES = (AGENT, POLICY, DIRECTOR, DEPARTMENT, ADMIN)
EVERYONE = set(ROLES)
UPLOADERS = {POLICY, ADMIN}
VOCABULARY_EDITORS = {DIRECTOR, ADMIN}

# (path, roles allowed); "{doc}" is the id of 发票管理办法 (2023), "{unit}" one of its articles.
ROUTES = [
    ("/documents", EVERYONE),
    ("/documents/{doc}", EVERYONE),
    ("/units/{unit}", EVERYONE),
    ("/documents/{doc}/compare", EVERYONE),
    ("/new", EVERYONE),
    ("/phrases", EVERYONE),
    ("/upload", UPLOADERS),
    ("/documents/{doc}/edit", UPLOADERS),
    ("/admin/users", {ADMIN}),
    ("/vocabulary", VOCABULARY_EDITORS),
]


@pytest.fixture
def invoice_ids(import_tax, session):
    from sqlalchemy import select

    from kb.library.models import Document

    import_tax("发票管理办法(2019-03-02).md", "发票管理办法(2023-07-20).md")
    document = session.scalars(select(Document).where(Document.source_name == "发票管理办法(2023-07-20).md")).one()
    return {"doc": document.id, "unit": document.units[3].id}


@pytest.mark.parametrize("path", [path for path, _ in ROUTES] + ["/", "/search?q=发票", "/search.json?q=发票"])
def test_anonymous_visitors_are_sent_to_the_login_page(app, invoice_ids, path):
    response = app.test_client().get(path.format(**invoice_ids))
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path,allowed", ROUTES)
def test_route_by_role(app, client_as, invoice_ids, role, path, allowed):
    response = client_as(role).get(path.format(**invoice_ids))
    if role in allowed:
        assert response.status_code == 200, response.text[:500]
    else:
        assert response.status_code == 403
        assert "没有权限" in response.text


@pytest.mark.parametrize("role", ROLES)
def test_only_the_policy_office_and_admins_may_post_an_upload(app, client_as, role):
    from pathlib import Path

    from tests.conftest import TAX
    from tests.web_helpers import csrf_token

    client = client_as(role)
    token = csrf_token(client.get("/documents").text)
    path = Path(TAX / "车船税法(2019-04-23).md")
    response = client.post("/upload", data={"csrf_token": token, "file": (path.open("rb"), path.name)})
    assert response.status_code == (302 if role in UPLOADERS else 403)


class _Actor:
    is_authenticated = True

    def __init__(self, role):
        self.role = role


class _Anonymous:
    is_authenticated = False
    role = ADMIN  # an anonymous visitor never counts, whatever it claims


@pytest.mark.parametrize("role", ROLES)
def test_permission_predicates(role):
    actor = _Actor(role)
    assert can_read_library(actor)
    assert can_upload(actor) == (role in UPLOADERS)
    assert can_edit_documents(actor) == (role in UPLOADERS)
    assert can_manage_users(actor) == (role == ADMIN)


def test_anonymous_actors_have_no_permission():
    for predicate in (can_read_library, can_upload, can_edit_documents, can_manage_users):
        assert not predicate(_Anonymous())
        assert not predicate(None)
