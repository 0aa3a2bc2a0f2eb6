"""Telling the features built on the library which documents just changed (revised, repealed, re-imported).

The library knows nothing of those features. Each one that cares holds a ``library_events`` module with
``documents_changed(session, document_ids)``, found by name as each feature's ``models`` is
(``kb.core.db.feature_modules``): ``kb.faq.library_events`` flags 需复核 the FAQ entries citing them.
The import path (``kb.library.importing``) and the policy staff's uploads and edits (``kb.library.uploads``)
call ``documents_changed`` in the transaction of the change.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from kb.core.db import feature_modules

LIBRARY_EVENTS = "library_events"


def documents_changed(session: Session, document_ids) -> None:
    """Hand ``document_ids`` to every feature's ``library_events.documents_changed``."""
    for module in feature_modules(LIBRARY_EVENTS):
        module.documents_changed(session, document_ids)
