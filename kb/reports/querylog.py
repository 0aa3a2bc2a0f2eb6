"""The search query log: what agents searched, how much was found, how long it took.

The director's views read it (frequent queries, queries that found nothing, queries marked
未解决). ``log_query`` and ``mark_unresolved`` are domain operations: they never commit.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.core.actors import actor_id
from kb.library.models import Unit
from kb.reports.models import QueryLog


def log_query(session: Session, user_id: int | None, *, query: str, result_count: int,
              top_hit: str | None = None, top_unit_id: int | None = None, took_ms: float = 0.0) -> QueryLog:
    """Record one search; the caller commits. A ``top_unit_id`` no longer in the library (another process
    replaced the document's units before this host's index caught up) is logged as none."""
    if top_unit_id is not None and session.get(Unit, top_unit_id) is None:
        top_unit_id = None
    entry = QueryLog(query=query[:500], result_count=result_count, top_hit=(top_hit or None) and top_hit[:400],
                     top_unit_id=top_unit_id, took_ms=took_ms, user_id=user_id)
    session.add(entry)
    session.flush()
    return entry


def top_article(results):
    """The first result that is an article, not the FAQ answer card above it (``type == "faq"``)."""
    return next((r for r in results if getattr(r, "type", None) != "faq"), None)


def log_search(session: Session, actor, *, query: str, results, took_ms: float) -> QueryLog:
    """Record one submitted search: how many results (the answer card included) and the top article.
    ``results`` are the search's results (``type``, ``citation``, ``unit_id``). The caller commits."""
    top = top_article(results)
    return log_query(session, actor_id(actor), query=query, result_count=len(results),
                     top_hit=top.citation if top else None, top_unit_id=top.unit_id if top else None,
                     took_ms=took_ms)


def mark_unresolved(session: Session, user_id: int | None, *, query: str, result_count: int = 0) -> QueryLog:
    """The agent marks ``query`` 未解决: flag the agent's latest logged search when it is this query,
    else log the query flagged. The caller commits."""
    query = query.strip()[:500]
    latest = session.scalars(select(QueryLog).where(QueryLog.user_id == user_id)
                             .order_by(QueryLog.id.desc()).limit(1)).first() if user_id is not None else None
    if latest is None or latest.query != query:
        latest = log_query(session, user_id, query=query, result_count=result_count)
    latest.unresolved = True
    session.flush()
    return latest
