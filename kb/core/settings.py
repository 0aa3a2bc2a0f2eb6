"""Every ``KB_*`` setting, declared once: name, default and a one-line help.

``webapp.create_app`` starts from ``defaults()`` (this table), then the instance config, then the
environment (``read_settings``), then the test mapping; the README's configuration table is checked
against this list by a test. A default of None is worked out by ``create_app`` from the data folder
(``KB_DATABASE_URL``, ``KB_INDEX_DIR``, ``KB_SECRET_KEY``) or means "not set" (``KB_TODAY``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]  # the project's folder: policies/ ships in it


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("KB_DATA_DIR", None, "Data folder for the SQLite file, the search index and caches (default: the Flask instance/ folder)."),
    Setting("KB_DATABASE_URL", None, "SQLAlchemy database URL (default: SQLite file kb.sqlite3 in the data folder)."),
    Setting("KB_INDEX_DIR", None, "Folder of the Whoosh index (default: index/ in the data folder)."),
    Setting("KB_SECRET_KEY", None, "Secret key for sessions and CSRF (default: generated once and kept in the data folder)."),
    Setting("KB_POLICIES_DIR", str(CHECKOUT / "policies"), "Sample policy library loaded on first start when the library is empty (default: policies/ of the checkout)."),
    Setting("KB_LOAD_SAMPLE", "1", "Load the sample policy library on first start when the library is empty (1 or 0)."),
    Setting("KB_MAX_UPLOAD_MB", "20", "Largest accepted upload or imported file, in MB."),
    Setting("KB_SESSION_MINUTES", "480", "Minutes of inactivity after which a login session expires."),
    Setting("KB_TODAY", None, "Override today's date (YYYY-MM-DD) for validity checks; for tests and demos."),
    Setting("KB_PRELOAD_INDEX", "1", "Load jieba's dictionary and the search tables when the app is created, so gunicorn --preload workers share them (1 or 0; not under tests)."),
    Setting("KB_PORTAL_RATE", "120", "Requests a minute one address may make to the public portal /portal/ (per process; 0: no limit)."),
    Setting("KB_COOKIE_SECURE", "0", "Send the session cookie only over HTTPS (1 behind TLS; also sets Strict-Transport-Security)."),
)

SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


def defaults() -> dict[str, str | None]:
    """Every setting with its default: the first layer of the app's configuration."""
    return {s.name: s.default for s in SETTINGS}


def read_settings(environ: dict[str, str] | None = None) -> dict[str, str]:
    """Return the KB_* settings present in ``environ`` (default: the process environment)."""
    environ = os.environ if environ is None else environ
    return {s.name: environ[s.name] for s in SETTINGS if environ.get(s.name) not in (None, "")}


def default(name: str) -> str | None:
    return SETTINGS_BY_NAME[name].default
