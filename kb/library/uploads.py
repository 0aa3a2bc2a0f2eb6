"""The policy office's upload desk: preview a received file, then import it with its metadata.

``preview_upload`` parses without storing (chapters, article count, warnings, detected
metadata); ``confirm_upload`` stores the document in the caller's session and links the
documents it supersedes. Neither commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from kb.core.actors import allowed
from kb.library.catalog import DocumentMeta
from kb.core.errors import KbError
from kb.faq.operations import documents_changed
from kb.library.operations import (
    ImportOutcome, content_hash, get_document, import_document, mark_repealed, update_metadata,
)
from kb.library.parsing import DEFAULT_MAX_BYTES, parse_file
from kb.library.parsing.blocks import ParsedDocument
from kb.accounts.users import can_upload


class UploadRefused(KbError):
    pass


@dataclass
class Preview:
    name: str
    parsed: ParsedDocument

    @property
    def article_count(self) -> int:
        return len(self.parsed.articles)

    @property
    def section_count(self) -> int:
        return sum(u.kind == "section" for u in self.parsed.units)

    @property
    def table_rows(self) -> int:
        return sum(u.kind == "table_row" for u in self.parsed.units)


@dataclass
class Upload:
    name: str
    data: bytes
    meta: DocumentMeta = field(default_factory=DocumentMeta)
    supersedes: list[int] = field(default_factory=list)  # ids of documents this one replaces
    max_bytes: int = DEFAULT_MAX_BYTES


def preview_upload(name: str, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Preview:
    """Parse ``data``; raise ``ImportFailed`` with a Chinese message when it cannot be imported."""
    return Preview(name=name, parsed=parse_file(name, data, max_bytes=max_bytes))


def confirm_upload(session: Session, actor, upload: Upload) -> ImportOutcome:
    """Import the uploaded file with its metadata; return the outcome (its changed document ids)."""
    if not allowed(actor, can_upload):
        raise UploadRefused("只有政策法规岗可以上传政策文件")
    parsed = parse_file(upload.name, upload.data, max_bytes=upload.max_bytes)
    outcome = import_document(session, parsed, source_name=upload.name, source_hash=content_hash(upload.data),
                              meta=upload.meta)
    document = outcome.document
    for older_id in upload.supersedes:
        if older_id == document.id:
            continue
        older = get_document(session, older_id)
        outcome.changed_document_ids |= update_metadata(session, older, DocumentMeta(superseded_by=document.source_name))
    documents_changed(session, outcome.changed_document_ids)
    return outcome


def edit_document(session: Session, actor, document_id: int, meta: DocumentMeta) -> set[int]:
    """The edit form: change a document's metadata; return the ids whose index entries are stale."""
    if not allowed(actor, can_upload):
        raise UploadRefused("只有政策法规岗可以修改文件信息")
    try:
        changed = update_metadata(session, get_document(session, document_id), meta)
    except ValueError as error:
        raise UploadRefused(str(error)) from None
    documents_changed(session, changed)
    return changed


def repeal_document(session: Session, actor, document_id: int, on=None, superseded_by: str | None = None) -> set[int]:
    """Mark a document 失效 (from ``on``, replaced by ``superseded_by`` where given)."""
    if not allowed(actor, can_upload):
        raise UploadRefused("只有政策法规岗可以将文件标记为失效")
    changed = mark_repealed(session, get_document(session, document_id), on=on, superseded_by=superseded_by or None)
    documents_changed(session, changed)
    return changed
