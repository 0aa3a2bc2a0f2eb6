"""Indexing never runs in a request or a search: while the index is busy for a long time (a huge
document being indexed, a rebuild), searches answer at once from the index as it is, and a request
that changed the library waits for its change at most ``REQUEST_WAIT`` seconds."""
from __future__ import annotations

import time

from indexer.writing import writer_lock
from kb.library.importing import import_paths
from tests.conftest import TAX
from tests.web_helpers import client_as, post_form  # noqa: F401
from tests.test_upload import VEHICLE, _upload


def _titles(results) -> list[str]:
    return [r["doc_title"] for r in results]


def test_a_search_answers_while_the_index_is_busy_and_finds_the_change_afterwards(app):
    from webapp import search_index

    search_index.rebuild(app)
    factory = app.extensions["kb_storage"].session_factory
    import_paths(factory, [TAX / "车船税法(2019-04-23).md"])  # as another process would
    with writer_lock(app.config["KB_INDEX_DIR"]):  # the index is busy writing for as long as we hold this
        started = time.monotonic()
        assert search_index.search(app, "车船税 车辆") == []  # answered at once, from the index as it is
        assert time.monotonic() - started < 5
        assert not search_index.wait_until_applied(app, timeout=0.3)  # the applier waits for the writer
    assert search_index.wait_until_applied(app, timeout=60)
    assert "中华人民共和国车船税法" in _titles(search_index.search(app, "车船税 车辆"))


def test_an_upload_returns_while_the_index_is_busy(app, client_as, monkeypatch):
    from webapp import search_index

    monkeypatch.setattr(search_index, "REQUEST_WAIT", 0.5)
    search_index.rebuild(app)
    office = client_as("policy")
    preview = _upload(office, VEHICLE.name, VEHICLE.read_bytes())
    with writer_lock(app.config["KB_INDEX_DIR"]):
        started = time.monotonic()
        confirm = post_form(office, preview.location, {"title": "中华人民共和国车船税法", "status": "有效",
                                                       "published_on": "2019-04-23"})
        assert confirm.status_code == 302 and confirm.location.startswith("/documents/")
        assert time.monotonic() - started < 5  # not held until the index is free
    assert search_index.wait_until_applied(app, timeout=60)
    assert "中华人民共和国车船税法" in _titles(search_index.search(app, "车船税 车辆"))
