"""What the FAQ does when library documents change (``kb.library.document_events`` calls this by name)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from kb.faq import review


def documents_changed(session: Session, document_ids) -> None:
    """The entries citing ``document_ids`` are flagged for review (``kb.faq.review.documents_changed``)."""
    review.documents_changed(session, document_ids)
