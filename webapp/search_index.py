"""Keep the search index in step with the library, and the search call the web pages make.

Stable API (the web pages, the CLI and the benchmarks rely on it):

- ``search(app, query, *, limit=10, include_old=False, as_of=None, tax_type=None, level=None,
  status=None, date_from=None, date_to=None) -> list[dict]``: the results exactly as the CLI's
  JSON lines give them. Each dict has
  ``type`` ("article" or "faq"), ``source`` (imported file name), ``doc_title``, ``unit``
  (第三十二条), ``status`` (the document's: 有效/部分失效/已修订/失效), ``score``, ``snippet``
  (HTML-safe, matches in ``<mark>``), ``citation`` (``kb.library.citations.unit_citation``), ``unit_id``,
  ``document_id``, ``chapter``, ``tax_types``, ``level``, ``validity`` (in_force / pending /
  outdated on the reference date), ``outdated`` (bool), ``superseded_by`` (title or None),
  ``effective_on``, ``valid_until``, ``match`` ("citation" when looked up as 文件+条号, else
  "text") and ``key``.
- ``search_response(app, query, **options) -> indexer.SearchResponse``: the same plus ``took_ms``
  and ``suggestion`` (did-you-mean). ``searcher(app)``: the index as
  ``indexer.searching.search_and_log`` takes it (the one search the page, the API and the CLI run).
- ``index_documents(app, ids)``: refresh those documents' entries (after an import or an edit on the
  command line), and the FAQ entries citing them; searchable at once, no rebuild. In a request,
  nothing to call: ``init_app``'s after-commit hook hands whatever the request wrote to the outbox
  to the applier thread. ``rebuild(app)``: the whole index from the database. ``index_faq(app, ids)``:
  refresh those FAQ entries (published ones are indexed, others removed).
- A search may put one ``"type": "faq"`` item first: the answer card (``indexer.faq_entries``), with
  ``faq_id``, ``question``, ``answer_html``, ``citations`` ([{citation, unit_id, status}]),
  ``needs_review`` and ``warning`` besides the fields above.

"Today" for validity is ``KB_TODAY`` when set, else the real date. One ``SearchIndex`` per app
and process; it reopens its searcher when another process commits.

Following the other processes and hosts (``indexer.following``): every change to the library is
recorded in the database's outbox (``kb.search.index_outbox``) in its own transaction. Before a search,
at most every ``FOLLOW_EVERY`` seconds, ``follow`` looks up the newest outbox id (one indexed
query) and, when the index is behind, wakes this process's applier thread, which applies the rows
after the watermark. Indexing never runs in a request or a search: a document that takes a minute
to index (or a rebuild) delays nobody's search. A request that changed the library hands what it
wrote to the outbox to the applier after its commit (``init_app``: one hook, no view calls it) and waits for it at most
``REQUEST_WAIT`` seconds, so its change is normally searchable when the response arrives. The
command line (``index_documents`` / ``index_faq``) applies in its own thread and waits.
``rebuild`` moves the watermark to the newest row. Rows older than ``kb.search.index_outbox.KEEP_DAYS``
are pruned (``prune``: by ``flask check``, on start and hourly by a following process).
"""
from __future__ import annotations

import logging
import os
import threading
import time

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from indexer import SearchIndex, SearchResponse, following
from kb.core.db import transaction
from kb.search.index_outbox import latest_change_id, prune_changes
from webapp.storage import Storage

FOLLOW_EVERY = 0.5  # seconds between two looks at the outbox before a search
PRUNE_EVERY = 3600.0  # seconds between two prunings of the outbox by a following process
REQUEST_WAIT = 5.0  # seconds a request that changed the library waits for its change to be indexed

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


class _Applier:
    """Per app and process: the thread that applies the outbox (and the ids handed to it).

    ``request`` queues ids and returns a ticket; the thread, started when there is work and ending
    when there is none, applies every pending outbox row with the queued ids (rebuilding the index
    when the outbox no longer reaches its watermark); ``wait`` waits for a ticket to be done."""

    def __init__(self, app: Flask) -> None:
        # The app itself, not ``current_app``: the thread runs outside any app context.
        self.app = app._get_current_object() if hasattr(app, "_get_current_object") else app
        self.pid = os.getpid()  # a forked worker makes its own (threads do not survive a fork)
        self.condition = threading.Condition()
        self.document_ids: set[int] = set()
        self.faq_ids: set[int] = set()
        self.requested = 0
        self.done = 0
        self.thread: threading.Thread | None = None

    def request(self, document_ids=(), faq_ids=()) -> int:
        with self.condition:
            self.document_ids |= set(document_ids)
            self.faq_ids |= set(faq_ids)
            self.requested += 1
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="kb-index-applier", daemon=True)
                self.thread.start()
            return self.requested

    def wait(self, ticket: int, timeout: float | None = None) -> bool:
        with self.condition:
            return self.condition.wait_for(lambda: self.done >= ticket, timeout)

    def idle(self, timeout: float | None = None) -> bool:
        """Wait until every request so far is done."""
        with self.condition:
            return self.wait(self.requested, timeout)

    def _run(self) -> None:
        while True:
            with self.condition:
                if self.done >= self.requested:
                    self.thread = None
                    return
                ticket, documents, faq = self.requested, self.document_ids, self.faq_ids
                self.document_ids, self.faq_ids = set(), set()
            try:
                _apply(self.app, document_ids=documents, faq_ids=faq)
            except Exception:  # logged; the ids stay in the outbox, applied by the next look
                log.exception("applying the index outbox failed")
            with self.condition:
                self.done = ticket
                self.condition.notify_all()


def _applier(app: Flask) -> _Applier:
    applier = app.extensions.get("kb_index_applier")
    if applier is None or applier.pid != os.getpid():
        with _lock:
            applier = app.extensions.get("kb_index_applier")
            if applier is None or applier.pid != os.getpid():
                applier = app.extensions["kb_index_applier"] = _Applier(app)
    return applier


def _apply(app: Flask, **options) -> following.Applied:
    applied = following.apply_changes(get_index(app), _storage(app).session_factory, **options)
    _follower(app).saw(applied.watermark)
    return applied


def follow(app: Flask) -> bool:
    """Before a search: when the outbox holds changes this index has not applied (made by another
    process or host), wake the applier thread; the search goes on with the index as it is.
    Returns whether the applier was woken. A database error is logged and the search goes on."""
    follower = _follower(app)
    now = time.monotonic()
    if not follower.due(now):
        return False
    try:
        with _storage(app).session_factory() as session:
            latest = latest_change_id(session)
        woken = latest > follower.known
        if woken:
            _applier(app).request()
        if follower.prune_due(now):
            prune(app)
        return woken
    except SQLAlchemyError:
        log.exception("could not follow the index outbox")
        return False


def wait_until_applied(app: Flask, timeout: float | None = None) -> bool:
    """Wait until this process's applier has done everything asked of it so far."""
    return _applier(app).idle(timeout)


def init_app(app: Flask) -> None:
    """The one after-commit hook: a request whose commit wrote index outbox rows hands them to this
    process's applier thread and waits for it at most ``REQUEST_WAIT`` seconds, so that the change
    is normally searchable when the response arrives. Views never schedule a refresh themselves."""
    _storage(app).commit_listeners.append(lambda changes: _hand_over(app, changes))


def _hand_over(app: Flask, changes, wait: float | None = None) -> None:
    wait = REQUEST_WAIT if wait is None else wait
    applier = _applier(app)
    if not applier.wait(applier.request(changes.document_ids, changes.faq_ids), wait):
        log.warning("index refresh still running after %.0f s; the change will be searchable when it ends", wait)


def catch_up(app: Flask) -> following.Applied:
    """Apply every pending outbox row now, waiting for another applier if need be."""
    return _apply(app)


def index_documents(app: Flask, document_ids) -> int:
    """After a commit that changed documents (the command line): apply the outbox (which holds
    them) and refresh ``document_ids`` with it; return the number of entries written."""
    return _apply(app, document_ids=set(document_ids or ())).entries


def index_faq(app: Flask, entry_ids) -> int:
    """After a commit that changed FAQ entries (the command line): apply the outbox and refresh
    ``entry_ids`` with it."""
    return _apply(app, faq_ids=set(entry_ids or ())).entries


def rebuild(app: Flask, procs: int = 1, progress=None) -> int:
    """The whole index from the database; the watermark moves to the newest outbox row. ``progress``:
    (documents done, in all) of the sentence vectors (``indexer.vectors``)."""
    entries, watermark = following.rebuild(get_index(app), _storage(app).session_factory, procs=procs,
                                           progress=progress)
    _follower(app).saw(watermark)
    return entries


def prune(app: Flask) -> int:
    """Delete outbox rows older than ``kb.search.index_outbox.KEEP_DAYS``; return how many went."""
    with transaction(_storage(app).session_factory) as session:
        return prune_changes(session)


def search_response(app: Flask, query: str, **options) -> SearchResponse:
    follow(app)
    options.setdefault("today_override", app.config.get("KB_TODAY") or None)
    return get_index(app).search(query, **options)


class _AppSearcher:
    """The app's index as ``indexer.searching.search_and_log`` takes it: follows the outbox first."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def search(self, query: str, **options) -> SearchResponse:
        return search_response(self.app, query, **options)


def searcher(app: Flask) -> _AppSearcher:
    return _AppSearcher(app)


def search(app: Flask, query: str, **options) -> list[dict]:
    return [r.to_dict() for r in search_response(app, query, **options).results]
