"""Validity statuses of documents, as written on the documents themselves.

Plain constants, importable without SQLAlchemy: the search path (``indexer.validity``) needs them
and loads no ORM, which keeps a search process's start-up short.
"""
from __future__ import annotations

IN_FORCE = "有效"
REPEALED = "失效"
PARTLY_REPEALED = "部分失效"
REVISED = "已修订"
STATUSES = (IN_FORCE, PARTLY_REPEALED, REVISED, REPEALED)
CURRENT_STATUSES = (IN_FORCE, PARTLY_REPEALED)
