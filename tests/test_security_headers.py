"""Security headers, cookie flags, no inline script, upload size limit, structured request logs."""
from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path

import pytest

from kb.core.settings import SETTINGS_BY_NAME
from tests.api_helpers import token_for  # noqa: F401  (fixture)
from tests.web_helpers import client_as, login, add_user  # noqa: F401
from webapp.logging_setup import ACCESS_LOGGER, JsonFormatter

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("url", ["/login", "/api/v1/openapi.json", "/static/app.js", "/no-such-page", "/healthz"])
def test_every_response_carries_the_security_headers(app, url):
    response = app.test_client().get(url)
    response.close()  # static files are streamed
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers
    if url.startswith("/api/"):
        assert response.headers["Cache-Control"] == "no-store"


def test_templates_have_no_inline_script_or_event_handlers():
    for path in (ROOT / "webapp" / "templates").rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\son[a-z]+\s*=", html), path
        assert "javascript:" not in html, path
        assert not re.search(r"\sstyle\s*=", html), path


def _session_cookie(response) -> str:
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))


def test_the_session_cookie_is_httponly_and_samesite_lax(app, client_as):
    add_user(app, "agent-a", "agent")
    response = login(app.test_client(), "agent-a")
    cookie = _session_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_cookie_secure_setting_marks_the_cookie_secure_and_sends_hsts(database_url, tmp_path):
    from webapp import create_app

    app = create_app({"TESTING": True, "KB_DATA_DIR": str(tmp_path / "secure"), "KB_DATABASE_URL": database_url,
                      "KB_LOAD_SAMPLE": "0", "KB_SECRET_KEY": "test", "KB_COOKIE_SECURE": "1"})
    try:
        add_user(app, "agent-b", "agent")
        client = app.test_client()
        response = login(client, "agent-b", base_url="https://localhost")
        assert "Secure" in _session_cookie(response)
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        app.extensions["kb_storage"].engine.dispose()


def test_cookie_secure_is_a_documented_setting():
    setting = SETTINGS_BY_NAME["KB_COOKIE_SECURE"]
    assert setting.default == "0" and setting.help
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^\| `KB_COOKIE_SECURE` \| `0` \|", readme, re.MULTILINE)


def test_uploads_over_the_size_limit_are_refused_with_413(app, client_as):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    client = client_as("policy")
    data = {"file": (io.BytesIO(b"x" * (200 * 1024)), "big.md")}
    response = client.post("/upload", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "文件过大" in response.text and "Traceback" not in response.text


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[dict] = []
        self.setFormatter(JsonFormatter())

    def emit(self, record):
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def request_log():
    handler = _Collect()
    logger = logging.getLogger(ACCESS_LOGGER)
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


def test_each_request_is_one_json_log_line_without_personal_data(app, token_for, request_log):
    headers = token_for("agent", username="agent-log")
    client = app.test_client()
    client.get("/api/v1/search", query_string={"q": "王小明 13912345678 欠税"}, headers=headers)
    client.get("/login")
    client.post("/api/v1/referrals", headers=headers, json={
        "caller_name": "王小明", "caller_contact": "13912345678", "question": "问题"})
    search, page, referral = request_log
    assert set(search) >= {"ts", "level", "method", "path", "status", "duration_ms", "user_id", "auth"}
    assert (search["method"], search["path"], search["status"], search["auth"]) == ("GET", "/api/v1/search", 200, "token")
    assert isinstance(search["user_id"], int) and search["duration_ms"] >= 0
    assert (page["path"], page["user_id"], page["auth"]) == ("/login", None, "none")
    assert referral["status"] == 201
    text = json.dumps(request_log, ensure_ascii=False)
    assert "王小明" not in text and "13912345678" not in text and "agent-log" not in text
