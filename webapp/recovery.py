"""What a start does after a crash: bring the search index back in line with the database.

The database is the record; the index follows it. An import or an edit commits first (with its
row in the index outbox, ``kb.library.index_outbox``) and then updates the index, so a process killed
between the two leaves the index behind the database (never ahead, never half-written: Whoosh
publishes a generation only when its commit is whole). A start first applies the outbox rows the
index has not applied (``webapp.search_index.catch_up``), then compares the index with the
database and re-indexes what still differs (``webapp.index_check``: the safety net for changes
made outside the ORM or before the outbox existed). ``flask init`` and ``flask serve`` call
``repair_index_on_start``; ``flask check --repair`` does the comparison on demand.
"""
from __future__ import annotations

import logging

from flask import Flask

from webapp import index_check, search_index

log = logging.getLogger(__name__)


def repair_index_on_start(app: Flask) -> list[str]:
    """Apply the pending outbox rows, then compare the index with the database and re-index what
    differs; return what was found (in Chinese, for the command's output)."""
    found = []
    applied = search_index.catch_up(app)
    if applied.rebuilt:
        found.append(f"索引落后于变更记录的保留范围，已从数据库重建（写入 {applied.entries} 条）")
    elif applied.changes:
        found.append(f"索引未包含 {applied.changes} 项已提交的变更，已按变更记录补上"
                     f"（文件 {len(applied.document_ids)} 部，问答 {len(applied.faq_ids)} 条）")
    search_index.prune(app)
    report = index_check.inspect_index(app)
    if not report.ok:
        found += report.lines()
        written = index_check.repair_index(app, report)
        log.warning("index repaired on start: %s; %d entries written", "; ".join(report.lines()), written)
    elif found:
        log.warning("index caught up on start: %s", "; ".join(found))
    return found
