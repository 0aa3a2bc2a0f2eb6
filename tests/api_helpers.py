"""Helpers for the API tests: users of every role with an API token, and a small real library."""
from __future__ import annotations

import pytest

from kb.core.actors import SYSTEM
from kb.accounts.api_tokens import NewToken, create_token
from kb.core.db import transaction
from kb.accounts.users import User

ROLES = ("agent", "policy", "director", "department", "admin")
LIBRARY = ("税收征收管理法(2015-04-24).md", "增值税暂行条例(2017-11-19).md", "增值税法(2024-12-25).md")


def add_token_user(app, username: str, role: str, department: str | None = None) -> dict:
    """A user (no password: it only uses the API) and a token; returns the request headers."""
    with transaction(app.extensions["kb_storage"].session_factory) as session:
        fields = {"staff_no": f"{1000 + len(username)}"} if role == "agent" else {}
        if role == "department":
            fields["department"] = department or "所得税处"
        session.add(User(username=username, role=role, password_hash="-", active=True, **fields))
        session.flush()
        _token, secret = create_token(session, SYSTEM, NewToken(username=username, name="测试"))
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def token_for(app):
    """Builder: headers carrying a fresh token of ``role`` (anonymous: no header)."""

    def build(role: str | None, username: str | None = None, department: str | None = None) -> dict:
        if role is None:
            return {}
        return add_token_user(app, username or f"{role}-api", role, department)

    return build


@pytest.fixture
def api_library(app, import_tax):
    """Three real documents, imported and indexed; returns {file name: document id}."""
    from webapp.search_index import index_documents

    report = import_tax(*LIBRARY)
    index_documents(app, report.changed_document_ids)
    return {f.name: f.document_id for f in report.files}
