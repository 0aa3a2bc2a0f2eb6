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

Following the other processes and hosts (``indexer.following``): every change to the library is
recorded in the database's outbox (``kb.index_outbox``) in its own transaction. Before a search,
at most every ``FOLLOW_EVERY`` seconds, ``follow`` looks up the newest outbox id (one indexed
query) and, when the index is behind, applies the rows after its watermark. The process that made
a change applies the outbox right after its commit (``index_documents`` / ``index_faq``: the
given ids and every pending row), so the change is searchable there when the request returns;
``rebuild`` moves the watermark to the newest row. Rows older than ``kb.index_outbox.KEEP_DAYS``
are pruned (``prune``: by ``flask check``, on start and hourly by a following process).
"""
from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError

from indexer import SearchIndex, SearchResponse, following
from kb.db import transaction
from kb.index_outbox import latest_change_id, prune_changes
from webapp.storage import Storage, after_commit

FOLLOW_EVERY = 0.5  # seconds between two looks at the outbox before a search
SEARCH_BATCH = 500  # outbox rows one search applies at most; the next search takes the rest
PRUNE_EVERY = 3600.0  # seconds between two prunings of the outbox by a following process

log = logging.getLogger(__name__)
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


class _Follower:
    """Per app and process: when the outbox was last looked at, and the watermark last seen."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.checked_at = float("-inf")
        self.pruned_at = time.monotonic()
        self.known = 0
        self.rebuilding: threading.Thread | None = None

    def due(self, now: float) -> bool:
        with self.lock:
            if now - self.checked_at < FOLLOW_EVERY:
                return False
            self.checked_at = now
            return True

    def prune_due(self, now: float) -> bool:
        with self.lock:
            if now - self.pruned_at < PRUNE_EVERY:
                return False
            self.pruned_at = now
            return True

    def saw(self, watermark: int | None) -> None:
        if watermark is not None:
            with self.lock:
                self.known = max(self.known, watermark)


def _follower(app: Flask) -> _Follower:
    follower = app.extensions.get("kb_index_follower")
    if follower is None:
        with _lock:
            follower = app.extensions.setdefault("kb_index_follower", _Follower())
    return follower


def _apply(app: Flask, **options) -> following.Applied:
    applied = following.apply_changes(get_index(app), _storage(app).session_factory, **options)
    _follower(app).saw(applied.watermark)
    return applied


def follow(app: Flask) -> following.Applied | None:
    """Before a search: apply the changes made by other processes and hosts since this index last
    did (None when it was not time to look, or the index was up to date). Skipped while another
    process of this host is applying them; a database error is logged and the search goes on."""
    follower = _follower(app)
    now = time.monotonic()
    if not follower.due(now):
        return None
    try:
        with _storage(app).session_factory() as session:
            latest = latest_change_id(session)
        applied = None
        if latest > follower.known:
            applied = _apply(app, limit=SEARCH_BATCH, wait=False, rebuild=False)
            if applied.needs_rebuild:
                _rebuild_in_background(app, follower)
        if follower.prune_due(now):
            prune(app)
        return applied
    except SQLAlchemyError:
        log.exception("could not follow the index outbox")
        return None


def _rebuild_in_background(app: Flask, follower: "_Follower") -> None:
    """The index is further behind than the outbox reaches (a node idle longer than
    ``KEEP_DAYS``): rebuild it in a thread of this process, once, while searches go on with the
    index as it is (the follow lock the rebuild holds makes the other followers skip)."""
    with follower.lock:
        if follower.rebuilding is not None and follower.rebuilding.is_alive():
            return
        log.warning("search index behind the outbox's oldest row: rebuilding it in the background")
        follower.rebuilding = threading.Thread(target=catch_up, args=(app,), name="kb-index-rebuild", daemon=True)
        follower.rebuilding.start()


def catch_up(app: Flask) -> following.Applied:
    """Apply every pending outbox row now, waiting for another applier if need be."""
    return _apply(app)


def index_documents(app: Flask, document_ids) -> int:
    """After a commit that changed documents: apply the outbox (which holds them) and refresh
    ``document_ids`` with it; return the number of entries written."""
    return _apply(app, document_ids=set(document_ids or ())).entries


def index_faq(app: Flask, entry_ids) -> int:
    """After a commit that changed FAQ entries: apply the outbox and refresh ``entry_ids`` with it."""
    return _apply(app, faq_ids=set(entry_ids or ())).entries


def index_faq_after_commit(entry_id: int) -> None:
    """Within a request: refresh the FAQ entry's index entry once the request's changes are committed."""
    app = current_app._get_current_object()
    after_commit(lambda: index_faq(app, {entry_id}))


def rebuild(app: Flask, procs: int = 1) -> int:
    """The whole index from the database; the watermark moves to the newest outbox row."""
    entries, watermark = following.rebuild(get_index(app), _storage(app).session_factory, procs=procs)
    _follower(app).saw(watermark)
    return entries


def prune(app: Flask) -> int:
    """Delete outbox rows older than ``kb.index_outbox.KEEP_DAYS``; return how many went."""
    with transaction(_storage(app).session_factory) as session:
        return prune_changes(session)


def search_response(app: Flask, query: str, **options) -> SearchResponse:
    follow(app)
    options.setdefault("today_override", app.config.get("KB_TODAY") or None)
    return get_index(app).search(query, **options)


def search(app: Flask, query: str, **options) -> list[dict]:
    return [r.to_dict() for r in search_response(app, query, **options).results]
