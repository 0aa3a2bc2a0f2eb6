"""Database engine and session per app; one commit point at the end of each request."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from kb.db import create_schema, make_engine, make_session_factory


@dataclass
class Storage:
    engine: Engine
    session_factory: sessionmaker[Session]


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["KB_DATABASE_URL"])
    create_schema(engine)
    app.extensions["kb_storage"] = Storage(engine=engine, session_factory=make_session_factory(engine))

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
            finally:
                session.close()
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
