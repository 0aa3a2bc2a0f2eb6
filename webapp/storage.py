"""Database engine and session per app; one commit point at the end of each request.

After that commit, one hook hands what the request wrote to the search index's outbox
(``kb.library.index_outbox.take_committed``) to the listeners in ``Storage.commit_listeners`` (the search
index's applier, ``webapp.search_index.init_app``): views never schedule an index refresh.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from flask import Flask, current_app, g
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kb.core.db import create_schema, make_engine, make_session_factory
from kb.library.index_outbox import ChangeBatch, take_committed
from kb.core.official_calendar import calendar_stamp, load_calendars

CALENDAR_CHECK_SECONDS = 30.0


@dataclass
class Storage:
    engine: Engine
    session_factory: sessionmaker[Session]
    calendar_stamp: tuple | None = None
    calendar_checked: float = float("-inf")
    # Called after a request's commit with what it wrote to the index outbox (when it wrote any).
    commit_listeners: list[Callable[[ChangeBatch], None]] = field(default_factory=list)

    def refresh_calendar(self, force: bool = False) -> None:
        """Reload the director's holiday notices into ``kb.core.workdays`` when they changed (another worker or
        host may have entered one); checked at most every ``CALENDAR_CHECK_SECONDS``."""
        now = time.monotonic()
        if not force and now - self.calendar_checked < CALENDAR_CHECK_SECONDS:
            return
        self.calendar_checked = now
        with self.session_factory() as session:
            stamp = calendar_stamp(session)
            if force or stamp != self.calendar_stamp:
                load_calendars(session)
                self.calendar_stamp = stamp


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["KB_DATABASE_URL"])
    create_schema(engine)
    app.extensions["kb_storage"] = Storage(engine=engine, session_factory=make_session_factory(engine))
    app.extensions["kb_storage"].refresh_calendar(force=True)

    @app.before_request
    def _calendar():
        try:
            storage().refresh_calendar()
        except SQLAlchemyError:  # the database is down: keep the calendar held; /healthz reports the outage
            pass

    @app.after_request
    def _commit(response):
        session = g.pop("db_session", None)
        if session is not None:
            try:
                if response.status_code < 400:
                    session.commit()
                    committed = True
                else:
                    session.rollback()
                    committed = False
                changes = take_committed(session)
            finally:
                session.close()
            if committed and changes.rows:
                for listener in storage().commit_listeners:
                    listener(changes)
            if committed:
                for callback in g.pop("after_commit", []):
                    callback()
        return response

    @app.teardown_request
    def _close(_error):
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()


def storage() -> Storage:
    return current_app.extensions["kb_storage"]


def after_commit(callback) -> None:
    """Run ``callback()`` once the request's changes are committed (e.g. refresh the search index)."""
    g.setdefault("after_commit", []).append(callback)


def db_session() -> Session:
    """The request's session; committed once when the response is ready."""
    if "db_session" not in g:
        g.db_session = storage().session_factory()
    return g.db_session
