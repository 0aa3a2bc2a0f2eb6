"""Structured logs: one JSON line per request on standard error, and JSON for the app's own log.

A request line has ``method``, ``path`` (no query string: queries can hold a caller's words),
``endpoint``, ``status``, ``duration_ms``, ``user_id`` (an id, never a name) and ``auth``
(session / token / none). Nothing personal is logged: no query text, no form data, no address.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time

from sqlalchemy import inspect
from sqlalchemy.exc import NoInspectionAvailable

from flask import Flask, g, request, request_started

ACCESS_LOGGER = "kb.requests"


class JsonFormatter(logging.Formatter):
    """A record as one JSON object: time, level, logger, message, and ``fields`` when given."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if fields:
            line.update(fields)
        else:
            line["message"] = record.getMessage()
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (test runners and servers swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def _handler() -> logging.Handler:
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter())
    handler.set_name("kb-json")
    return handler


def _install(logger: logging.Logger) -> None:
    if not any(h.get_name() == "kb-json" for h in logger.handlers):
        logger.addHandler(_handler())


def _started(sender, **_extra):
    g.request_started_at = time.perf_counter()


def _loaded_user_id(user) -> int | None:
    """The user's id from the identity map, without touching the database.

    Reading an attribute could refresh the object, which fails after a database error in the
    request (the session then needs a rollback) and would hide the original error.
    """
    try:
        identity = inspect(user).identity
    except NoInspectionAvailable:  # anonymous user, or none
        return None
    return identity[0] if identity else None


def request_fields(response) -> dict:
    started = g.get("request_started_at")
    user_id = _loaded_user_id(g.get("_login_user"))  # only when already loaded: logging never loads a user
    return {
        "event": "request",
        "method": request.method,
        "path": request.path,
        "endpoint": request.endpoint,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "user_id": user_id,
        "auth": "token" if g.get("api_token") else ("session" if user_id is not None else "none"),
    }


def init_app(app: Flask) -> None:
    access = logging.getLogger(ACCESS_LOGGER)
    access.setLevel(logging.INFO)
    _install(access)
    access.propagate = False
    if not app.debug:
        app.logger.handlers[:] = [h for h in app.logger.handlers if h.get_name() == "kb-json"]
        _install(app.logger)
    request_started.connect(_started, app)

    @app.after_request
    def _log_request(response):
        access.info("request", extra={"fields": request_fields(response)})
        return response
