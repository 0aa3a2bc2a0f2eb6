"""Keep the search index in step with the library, and the search call the web pages make.

Stable API (the web pages, the CLI and the benchmarks rely on it):

- ``search(app, query, *, limit=10, include_old=False, as_of=None, tax_type=None, level=None,
  status=None, date_from=None, date_to=None) -> list[dict]``: the results exactly as the CLI's
  JSON lines give them. Each dict has
  ``type`` ("article" or "faq"), ``source`` (imported file name), ``doc_title``, ``unit``
  (第三十二条), ``status`` (the document's: 有效/部分失效/已修订/失效), ``score``, ``snippet``
  (HTML-safe, matches in ``<mark>``), ``citation`` (``kb.citations.unit_citation``), ``unit_id``,
  ``document_id``, ``chapter``, ``tax_types``, ``level``, ``validity`` (in_force / pending /
  outdated on the reference date), ``outdated`` (bool), ``superseded_by`` (title or None),
  ``effective_on``, ``valid_until``, ``match`` ("citation" when looked up as 文件+条号, else
  "text") and ``key``.
- ``search_response(app, query, **options) -> indexer.SearchResponse``: the same plus ``took_ms``
  and ``suggestion`` (did-you-mean).
- ``index_documents(app, ids)``: refresh those documents' entries (after an import or an edit),
  and the FAQ entries citing them; searchable at once, no rebuild. ``rebuild(app)``: the whole
  index from the database. ``index_faq(app, ids)``: refresh those FAQ entries (published ones are
  indexed, others removed); ``index_faq_after_commit(id)`` does it after the request's commit.
- A search may put one ``"type": "faq"`` item first: the answer card (``indexer.faq_entries``), with
  ``faq_id``, ``question``, ``answer_html``, ``citations`` ([{citation, unit_id, status}]),
  ``needs_review`` and ``warning`` besides the fields above.

"Today" for validity is ``KB_TODAY`` when set, else the real date. One ``SearchIndex`` per app
and process; it reopens its searcher when another process commits.
"""
from __future__ import annotations

import threading

from flask import Flask, current_app

from indexer import SearchIndex, SearchResponse
from indexer.faq_index_entries import entries_citing
from webapp.storage import Storage, after_commit

_lock = threading.Lock()


def get_index(app: Flask) -> SearchIndex:
    index = app.extensions.get("kb_search_index")
    if index is None:
        with _lock:
            index = app.extensions.get("kb_search_index")
            if index is None:
                index = SearchIndex(app.config["KB_INDEX_DIR"], app.config["KB_DATA_DIR"])
                app.extensions["kb_search_index"] = index
    return index


def preload(app: Flask) -> None:
    """Load what every search needs and forked workers can share (jieba's dictionary, the pinyin
    table of did-you-mean), once, when the app is created (``KB_PRELOAD_INDEX``). The index itself
    is opened by each worker's first search: its files are read with seek/read, and a file opened
    before the fork would share its offset between workers."""
    from indexer.segmenter import load_segmenter
    from indexer.typos import readings

    load_segmenter(app.config["KB_DATA_DIR"])
    readings("税")


def _storage(app: Flask) -> Storage:
    return app.extensions["kb_storage"]


def index_documents(app: Flask, document_ids) -> int:
    """Replace the index entries of ``document_ids``; return the number of entries written."""
    document_ids = set(document_ids or ())
    if not document_ids:
        return 0
    index = get_index(app)
    with _storage(app).session_factory() as session:
        written = index.update_documents(session, document_ids)
        return written + index.update_faq(session, entries_citing(session, document_ids))


def index_faq(app: Flask, entry_ids) -> int:
    """Refresh the index entries of FAQ ``entry_ids``; return the number of entries written."""
    entry_ids = set(entry_ids or ())
    if not entry_ids:
        return 0
    with _storage(app).session_factory() as session:
        return get_index(app).update_faq(session, entry_ids)


def index_faq_after_commit(entry_id: int) -> None:
    """Within a request: refresh the FAQ entry's index entry once the request's changes are committed."""
    app = current_app._get_current_object()
    after_commit(lambda: index_faq(app, {entry_id}))


def rebuild(app: Flask, procs: int = 1) -> int:
    index = get_index(app)
    with _storage(app).session_factory() as session:
        return index.rebuild(session, procs=procs)


def search_response(app: Flask, query: str, **options) -> SearchResponse:
    options.setdefault("today_override", app.config.get("KB_TODAY") or None)
    return get_index(app).search(query, **options)


def search(app: Flask, query: str, **options) -> list[dict]:
    return [r.to_dict() for r in search_response(app, query, **options).results]
