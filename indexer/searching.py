"""One search as every front end runs it: the page, ``/search.json``, the API and the CLI.

``search_and_log(session, actor, request, index)`` checks that the actor may read the library,
searches, and (when the request says the search was submitted) writes the query log through
``kb.reports.querylog.log_search``, which keeps the one rule of what is logged: the number of results and
the top *article* (never the FAQ answer card shown above it). The front ends only parse their own
input into a ``SearchRequest`` and present the ``SearchResponse``; none of them logs by itself.

``index`` is anything with ``search(query, **options) -> SearchResponse``: an ``indexer.SearchIndex``,
or the web application's, which first follows the outbox (``webapp.search_index.searcher``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from indexer.search import SearchResponse
from kb.core.permissions import Forbidden
from kb.reports.querylog import log_search
from kb.accounts.users import can_read_library


@dataclass(frozen=True)
class SearchRequest:
    """What to search for, with the options every front end offers, and whether to log it."""

    query: str
    limit: int = 10
    include_old: bool = False
    as_of: dt.date | None = None
    tax_type: str | None = None
    level: str | None = None
    status: str | None = None
    log: bool = True  # submitted (Enter, an API call, a CLI line), not a keystroke of search-as-you-type

    def options(self) -> dict:
        return {"limit": self.limit, "include_old": self.include_old, "as_of": self.as_of,
                "tax_type": self.tax_type or None, "level": self.level or None, "status": self.status or None}


def search_and_log(session: Session, actor, request: SearchRequest, index) -> SearchResponse:
    """Search ``index`` for ``request``; log it when ``request.log``. The caller commits."""
    if not can_read_library(actor):
        raise Forbidden("没有检索政策库的权限")
    response = index.search(request.query, **request.options())
    if request.log:
        log_search(session, actor, query=request.query, results=response.results, took_ms=response.took_ms)
    return response
