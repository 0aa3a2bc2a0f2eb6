"""Helpers for the web tests: accounts, CSRF tokens, logging in through the real login form."""
from __future__ import annotations

import re

import pytest

from kb.core.actors import SYSTEM
from kb.core.db import transaction
from kb.accounts.users import NewUser, create_user

PASSWORD = "correct-horse-1"
STAFF_NUMBERS = {"agent": "1001"}
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


def add_user(app, username: str, role: str, password: str | None = PASSWORD, **fields) -> str:
    """Create a user directly in the app's database; return its password."""
    if role == "agent":
        fields.setdefault("staff_no", STAFF_NUMBERS["agent"])
    if role == "department":
        fields.setdefault("department", "纳税服务科")
    with transaction(app.extensions["kb_storage"].session_factory) as session:
        _user, issued = create_user(session, SYSTEM, NewUser(username=username, role=role, password=password, **fields))
    return issued


def login(client, username: str, password: str = PASSWORD, **kwargs):
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_token(page.text)}, **kwargs)


def post_form(client, url: str, data: dict, page_url: str | None = None, **kwargs):
    """POST ``data`` to ``url`` with the CSRF token of ``page_url`` (default: ``url``)."""
    page = client.get(page_url or url)
    return client.post(url, data={**data, "csrf_token": csrf_token(page.text)}, **kwargs)


@pytest.fixture
def client_as(app):
    """Builder: a test client logged in with a new account of ``role``."""

    def build(role: str, username: str | None = None):
        username = username or f"{role}-user"
        add_user(app, username, role)
        client = app.test_client()
        response = login(client, username)
        assert response.status_code == 302, response.text
        return client

    return build


def docx_from_corpus(path, title: str | None = None) -> bytes:
    """A .docx as an office writes it, from a corpus Markdown file: title, history, headings, articles."""
    import io

    import docx

    text = path.read_text(encoding="utf-8")
    head, _, body = text.partition("<!-- INFO END -->")
    lines = [line.strip() for line in head.splitlines() if line.strip()]
    document = docx.Document()
    document.add_paragraph(title or lines[0].lstrip("# "), style="Title")
    for line in lines[1:]:
        document.add_paragraph(line)
    for line in body.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            document.add_heading(line.lstrip("# "), level=2)
        else:
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
