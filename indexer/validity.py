"""Validity-aware ranking: which version applies on the reference date, and ordering by it.

The reference date is ``as_of`` when given, else "today" (``KB_TODAY`` if set, else the real date).
- ``in_force``: effective on the date and not yet replaced or repealed;
- ``pending``: published but not yet effective (增值税法 before 2026-01-01);
- ``outdated``: replaced or repealed by that date (or marked so with no known end date).
Outdated entries are left out unless ``include_old``; scores are multiplied by ``PENALTY``; and
within one lineage of versions (documents linked by ``superseded_by``) an entry that is not in
force never ranks above the best entry of the version in force.
"""
from __future__ import annotations

import datetime as dt
import os

from kb.library.statuses import CURRENT_STATUSES

IN_FORCE, PENDING, OUTDATED = "in_force", "pending", "outdated"
PENALTY = {IN_FORCE: 1.0, PENDING: 0.6, OUTDATED: 0.5}


def today(override: str | None = None) -> dt.date:
    value = override or os.environ.get("KB_TODAY")
    return dt.date.fromisoformat(value) if value else dt.date.today()


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def validity(meta: dict, status: str, day: dt.date) -> str:
    start, end = _date(meta.get("effective_on")), _date(meta.get("valid_until"))
    if end and day >= end:
        return OUTDATED
    if start and day < start:
        return PENDING
    if status not in CURRENT_STATUSES and end is None:
        return OUTDATED
    return IN_FORCE


def lineage(meta: dict) -> int:
    """The newest version of the document's line (itself when nothing replaced it)."""
    chain = meta.get("successor_ids") or []
    return chain[-1] if chain else meta["document_id"]


def order_by_validity(results: list) -> list:
    """Sort by score, then keep each lineage's in-force entry above its other versions.

    ``results`` carry ``score``, ``validity`` and ``lineage`` attributes.
    """
    ranked = sorted(results, key=lambda r: -r.score)
    first_in_force: dict[int, int] = {}
    for i, r in enumerate(ranked):
        if r.validity == IN_FORCE:
            first_in_force.setdefault(r.lineage, i)
    ordered: list = []
    held: dict[int, list] = {}
    for i, r in enumerate(ranked):
        anchor = first_in_force.get(r.lineage)
        if r.validity != IN_FORCE and anchor is not None and anchor > i:
            held.setdefault(r.lineage, []).append(r)
            continue
        ordered.append(r)
        if r.validity == IN_FORCE and first_in_force.get(r.lineage) == i:
            ordered.extend(held.pop(r.lineage, []))
    return ordered
