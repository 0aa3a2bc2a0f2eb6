"""What a start does after a crash: bring the search index back in line with the database.

The database is the record; the index follows it. An import or an edit commits first and then
updates the index, so a process killed between the two leaves the index behind the database
(never ahead, never half-written: Whoosh publishes a generation only when its commit is whole).
``flask init`` and ``flask serve`` call ``repair_index_on_start``; ``flask check --repair`` does
the same on demand (e.g. from cron on a host where gunicorn is restarted without ``init``).
"""
from __future__ import annotations

import logging

from flask import Flask

from webapp import index_check

log = logging.getLogger(__name__)


def repair_index_on_start(app: Flask) -> list[str]:
    """Compare the index with the database and re-index what differs; return the differences found."""
    report = index_check.inspect_index(app)
    if report.ok:
        return []
    differences = report.lines()
    written = index_check.repair_index(app, report)
    log.warning("index repaired on start: %s; %d entries written", "; ".join(differences), written)
    return differences
