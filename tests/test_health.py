"""``/healthz``: open to monitoring, counts from the database and the index, 503 when either fails."""
from __future__ import annotations

from sqlalchemy import func, select

from kb.core.db import make_engine, make_session_factory
from kb.library.models import Unit
from tests.api_helpers import api_library  # noqa: F401  (fixture)
from tests.web_helpers import client_as  # noqa: F401  (fixture)
from webapp.storage import Storage


def test_health_reports_the_database_and_the_index(app, api_library):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    with app.extensions["kb_storage"].session_factory() as session:
        units = session.scalar(select(func.count(Unit.id)))
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "documents": 3, "units": units, "articles": body["database"]["articles"],
                                "faq_published": 0}
    assert body["index"]["ok"] and body["index"]["entries"] == units


def test_health_needs_no_login_on_an_empty_library(app):
    body = app.test_client().get("/healthz").get_json()
    assert body["status"] == "ok" and body["database"]["documents"] == 0 and body["index"]["entries"] == 0


def test_an_unreachable_database_gives_503_without_details(app, tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'missing' / 'folder' / 'kb.sqlite3'}")
    good = app.extensions["kb_storage"]
    app.extensions["kb_storage"] = Storage(engine=engine, session_factory=make_session_factory(engine))
    try:
        response = app.test_client().get("/healthz")
    finally:
        app.extensions["kb_storage"] = good
        engine.dispose()
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error" and body["database"] == {"ok": False, "error": "数据库不可用"}
    assert body["index"]["ok"] is True
    assert "sqlite" not in response.text.lower() and "Traceback" not in response.text


def test_an_unreadable_index_gives_503(database_url, tmp_path):
    from webapp import create_app

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the index folder should be")
    app = create_app({"TESTING": True, "KB_DATA_DIR": str(tmp_path / "data"), "KB_DATABASE_URL": database_url,
                      "KB_LOAD_SAMPLE": "0", "KB_SECRET_KEY": "test", "KB_INDEX_DIR": str(blocker)})
    try:
        response = app.test_client().get("/healthz")
    finally:
        app.extensions["kb_storage"].engine.dispose()
    assert response.status_code == 503
    assert response.get_json()["index"] == {"ok": False, "error": "检索索引不可读"}
    assert response.get_json()["database"]["ok"] is True


def test_the_favicon_and_the_faq_address_with_a_slash_answer(app, client_as):
    icon = app.test_client().get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
    director = client_as("director")
    assert director.get("/faq/").status_code == 200 and director.get("/faq").status_code == 200
