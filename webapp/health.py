"""``/healthz``: is the database reachable, is the index readable, and how much is in each.

For load balancers and monitoring: no login, no personal data, 200 when both answer, 503 when
either does not (the reason is logged, not shown).
"""
from __future__ import annotations

import time
from pathlib import Path

from flask import Blueprint, current_app, jsonify
from sqlalchemy import func, select

from kb.faq.models import PUBLISHED, FaqEntry
from kb.library.operations import library_counts
from webapp.search_index import get_index
from webapp.storage import db_session

bp = Blueprint("health", __name__)


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for it on every site: the icon, not a 404 in the log."""
    icon = Path(current_app.static_folder, "favicon.svg").read_bytes()
    return icon, 200, {"Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=86400"}


def database_state() -> dict:
    session = db_session()
    counts = library_counts(session)
    counts["faq_published"] = session.scalar(
        select(func.count(FaqEntry.id)).where(FaqEntry.status == PUBLISHED)) or 0
    return {"ok": True, **counts}


def index_state() -> dict:
    searcher = get_index(current_app).searcher()
    return {"ok": True, "entries": searcher.doc_count(), "generation": searcher.reader().generation()}


@bp.get("/healthz")
def healthz():
    started = time.perf_counter()
    report: dict = {}
    for name, probe, failure in (("database", database_state, "数据库不可用"), ("index", index_state, "检索索引不可读")):
        try:
            report[name] = probe()
        except Exception:  # any failure means "not healthy"; the details go to the log only
            current_app.logger.exception("health check: %s failed", name)
            report[name] = {"ok": False, "error": failure}
    healthy = all(part["ok"] for part in report.values())
    report["status"] = "ok" if healthy else "error"
    report["took_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return jsonify(report), (200 if healthy else 503)
