"""Domain operations on the policy library: store a parsed document, keep versions straight.

Every function takes a ``Session`` and plain data and never commits: the caller owns the commit.
Rules:
- re-importing the same file (same content) with the same metadata changes nothing;
- a document with the same title and a later date is a new revision: older versions still in
  force become 已修订 and point to the next one;
- the same title and date with new content replaces the stored text (a corrected file);
- a successor named by a catalog (``superseded_by``) is linked as soon as it is in the library;
- a code published in several files (the Civil Code: 总则.md, 物权编.md… each titled
  中华人民共和国民法典, each naming its part) is one document assembled from its parts: a file
  that names a part, whose articles none of a same-titled assembled document's articles repeat,
  joins it (``kb.library.code_parts``). A code is one law: one title, one numbering, one validity, cited
  as 《中华人民共和国民法典》第五十六条 and revised as a whole; its units keep their part as 编
  and the file they came from.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from kb.core.db import get_or_not_found
from kb.library.catalog import DocumentMeta
from kb.library.code_parts import code_to_join, has_part, join_part, part_entry, start_code
from kb.library.import_lock import hold_library_lock
from kb.library.models import (
    ATTACHMENT, TABLE_ROW, CURRENT_STATUSES, IN_FORCE, REPEALED, REVISED, STATUSES, Document, Reference, Unit,
)
from kb.library.parsing.blocks import ParsedDocument
from kb.library.references import find_references
from kb.library.titles import normalise_title, short_names_for

CREATED = "created"
UNCHANGED = "unchanged"
REPLACED = "replaced"
UPDATED = "updated"
JOINED = "joined"  # a part of a code, added to (or corrected in) the code's document


@dataclass
class ImportOutcome:
    document: Document
    action: str  # created | unchanged | replaced | updated | joined
    warnings: list[str] = field(default_factory=list)
    changed_document_ids: set[int] = field(default_factory=set)  # every document whose index entry is stale


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def import_document(
    session: Session, parsed: ParsedDocument, *, source_name: str, source_hash: str,
    meta: DocumentMeta | None = None,
) -> ImportOutcome:
    """Store ``parsed`` (from ``source_name``) with ``meta`` applied; see the module rules.

    Holds the library's import lock until the caller's commit (``kb.library.import_lock``)."""
    hold_library_lock(session)
    meta = meta or DocumentMeta()
    title = meta.title or parsed.title
    version_date = meta.published_on or parsed.published_on
    same_title = _documents_titled(session, title)

    existing = next((d for d in same_title if d.source_hash == source_hash or has_part(d, source_hash)), None)
    code = None if existing is not None else code_to_join(same_title, parsed, source_name)
    if existing is None and code is None:
        existing = next(
            (d for d in same_title if version_date and d.version_date == version_date), None
        ) or next((d for d in same_title if d.source_name == source_name and not version_date), None)
    if code is not None:
        join_part(session, code, make_units(parsed), part_entry(parsed, source_name, source_hash), parsed)
        _apply_meta(code, meta)
        document, action = code, JOINED
    elif existing is not None and (existing.source_hash == source_hash or has_part(existing, source_hash)):
        changed = _apply_meta(existing, meta)
        action = UPDATED if changed else UNCHANGED
        document = existing
    elif existing is not None:
        document = existing
        session.execute(delete(Unit).where(Unit.document_id == document.id))
        session.expire(document, ["units"])
        _fill(document, parsed, source_name, source_hash)
        _apply_meta(document, meta)
        action = REPLACED
    else:
        document = Document(title=title, status=IN_FORCE)
        _fill(document, parsed, source_name, source_hash)
        if parsed.part:  # the first part of a code: the others will join it
            start_code(document, part_entry(parsed, source_name, source_hash))
        _apply_meta(document, meta)
        if not meta.published_on:
            document.published_on = parsed.published_on
        session.add(document)
        action = CREATED
    session.flush()
    changed_ids = {document.id} if action != UNCHANGED else set()
    if action in (CREATED, REPLACED):
        _store_references(session, document)
    elif action == JOINED:  # the part's units only: the others keep their references
        _store_references(session, document, [u for u in document.units if u.source_name == source_name])
    changed_ids |= link_versions(session, title)
    changed_ids |= resolve_successors(session)
    if action == CREATED:
        resolve_pending_references(session, target_key=document.title_key)
    session.flush()
    warnings = parsed.warnings if action == JOINED else document.warnings  # a code's are all its parts'
    return ImportOutcome(document=document, action=action, warnings=list(warnings or []),
                         changed_document_ids=changed_ids)


def _fill(document: Document, parsed: ParsedDocument, source_name: str, source_hash: str) -> None:
    document.source_name = source_name
    document.source_hash = source_hash
    document.source_format = parsed.format
    document.history = list(parsed.history)
    document.warnings = list(parsed.warnings)
    document.doc_number = document.doc_number or parsed.doc_number
    document.published_on = document.published_on or parsed.published_on
    document.short_names = document.short_names or []  # names given by a catalog; the derived ones: kb.library.titles
    document.parts = []
    document.units = make_units(parsed)


def make_units(parsed: ParsedDocument) -> list[Unit]:
    return [
        Unit(seq=seq, kind=u.kind, label=u.label, number=u.number, sub_number=u.sub_number,
             book=u.book, chapter=u.chapter, section=u.section, text=u.text, paragraphs=u.paragraphs)
        for seq, u in enumerate(parsed.units)
    ]


_META_FIELDS = ("title", "level", "issuer", "published_on", "effective_on", "expires_on", "status",
                "tax_types", "doc_number", "short_names")


def _apply_meta(document: Document, meta: DocumentMeta) -> bool:
    """Set every field ``meta`` gives; return whether anything changed."""
    changed = False
    for name in _META_FIELDS:
        value = getattr(meta, name)
        if value is not None and getattr(document, name) != value:
            setattr(document, name, value)
            changed = True
    if meta.superseded_by is not None and document.superseded_by_name != meta.superseded_by:
        document.superseded_by_name = meta.superseded_by
        document.superseded_by_id = None
        changed = True
    if meta.status in CURRENT_STATUSES and document.superseded_by_id and not meta.superseded_by:
        document.superseded_by_id = None
        document.superseded_by_name = None
        changed = True
    return changed


def _documents_titled(session: Session, title: str) -> list[Document]:
    return list(session.scalars(select(Document).where(Document.title_key == normalise_title(title))).all())


def link_versions(session: Session, title: str) -> set[int]:
    """Among documents sharing ``title``, mark each older version in force 已修订 → the next one."""
    versions = sorted(
        (d for d in _documents_titled(session, title) if d.version_date),
        key=lambda d: d.version_date,
    )
    changed: set[int] = set()
    for older, newer in zip(versions, versions[1:]):
        if older.status in CURRENT_STATUSES:
            older.status = REVISED
            changed.add(older.id)
        if older.status == REVISED and older.superseded_by_id is None:
            older.superseded_by_id = newer.id
            older.superseded_by_name = older.superseded_by_name or _version_name(newer)
            changed.add(older.id)
    return changed


def _version_name(document: Document) -> str:
    date = document.version_date
    return f"{normalise_title(document.title)}({date.isoformat()})" if date else document.title


def find_document_by_name(session: Session, name: str) -> Document | None:
    """Resolve a name as catalogs write it: a file name, ``title(YYYY-MM-DD)``, a title or short name.

    Without a date, the latest version wins.
    """
    name = name.strip()
    by_source = session.scalars(
        select(Document).where(or_(Document.source_name == name, Document.source_name == f"{name}.md"))
    ).first()
    if by_source:
        return by_source
    key = normalise_title(name)
    from kb.library.parsing import FILE_DATE_RE

    date_match = FILE_DATE_RE.search(name)
    candidates = _documents_titled(session, key)
    if not candidates:
        candidates = [
            d for d in session.scalars(select(Document)).all()
            if key in (d.short_names or []) or key in short_names_for(d.title)
        ]
    if date_match:
        wanted = dt.date(*map(int, date_match.groups()))
        candidates = [d for d in candidates if d.version_date == wanted] or candidates
    if not candidates:
        return None
    return max(candidates, key=lambda d: (d.version_date or dt.date.min, d.id))


def resolve_successors(session: Session) -> set[int]:
    """Link every document whose successor is named but not yet linked; return changed ids."""
    changed: set[int] = set()
    pending = session.scalars(
        select(Document).where(Document.superseded_by_name.is_not(None), Document.superseded_by_id.is_(None))
    ).all()
    for document in pending:
        successor = find_document_by_name(session, document.superseded_by_name)
        if successor is not None and successor.id != document.id:
            document.superseded_by_id = successor.id
            if document.status in CURRENT_STATUSES:
                document.status = REPEALED
            changed.add(document.id)
    return changed


def _store_references(session: Session, document: Document, units: list[Unit] | None = None) -> None:
    own_labels = {u.label for u in document.units if u.kind in (ATTACHMENT, TABLE_ROW)}
    references = []
    for unit in document.units if units is None else units:
        for found in find_references(unit.paragraphs or [], own_labels):
            target_document_id = document.id if found.same_document else None
            target_label = found.target_label or (unit.label if found.same_unit else None)
            # By the unit's id: appending to ``unit.references`` would load that collection, one
            # query per unit of a document just stored.
            references.append(Reference(
                unit_id=unit.id, kind=found.kind, mention=found.mention[:300], start=found.start, end=found.end,
                target_title=found.target_title, target_document_id=target_document_id,
                target_label=target_label, target_paragraph=found.target_paragraph,
            ))
    session.add_all(references)
    session.flush()
    resolve_pending_references(session, document_id=document.id)


def resolve_pending_references(session: Session, document_id: int | None = None,
                               target_key: str | None = None) -> int:
    """Link 《…》 mentions to documents now in the library (the version in force, else the latest).

    ``document_id`` limits this to one document's references; ``target_key`` to mentions of one
    title (what an import of that title can resolve), so importing stays linear in the library size.
    """
    query = select(Reference).where(Reference.target_title.is_not(None), Reference.target_document_id.is_(None))
    if document_id is not None:
        query = query.join(Unit).where(Unit.document_id == document_id)
    if target_key is not None:
        query = query.where(Reference.target_key == target_key)
    resolved = 0
    cache: dict[str, Document | None] = {}
    for reference in session.scalars(query).all():
        key = reference.target_key or normalise_title(reference.target_title)
        if key not in cache:
            cache[key] = current_version(session, key)
        if cache[key] is not None:
            reference.target_document_id = cache[key].id
            resolved += 1
    return resolved


def current_version(session: Session, title: str) -> Document | None:
    versions = _documents_titled(session, title)
    if not versions:
        return None
    return max(versions, key=lambda d: (d.is_current, d.version_date or dt.date.min, d.id))


# -- reading ---------------------------------------------------------------------------------

def get_document(session: Session, document_id: int) -> Document:
    return get_or_not_found(session, Document, document_id, "文档")


def get_unit(session: Session, unit_id: int) -> Unit:
    return get_or_not_found(session, Unit, unit_id, "条文")


def find_article(session: Session, document: Document, label: str) -> Unit | None:
    return session.scalars(
        select(Unit).where(Unit.document_id == document.id, Unit.label == label)
    ).first()


def library_counts(session: Session) -> dict[str, int]:
    return {
        "documents": session.scalar(select(func.count(Document.id))) or 0,
        "units": session.scalar(select(func.count(Unit.id))) or 0,
        "articles": session.scalar(select(func.count(Unit.id)).where(Unit.kind == "article")) or 0,
    }


def is_empty(session: Session) -> bool:
    return session.scalar(select(func.count(Document.id))) == 0


def versions_of(session: Session, document: Document) -> list[Document]:
    return sorted(_documents_titled(session, document.title), key=lambda d: d.version_date or dt.date.min)


def in_force_on(document: Document, day: dt.date) -> bool:
    """Whether ``document`` was in force on ``day``: from its effective date until its successor's."""
    start = document.effective_on or document.published_on
    if start and day < start:
        return False
    end = valid_until(document)
    return end is None or day < end


def valid_until(document: Document) -> dt.date | None:
    """First day the document no longer applies, where known."""
    if document.expires_on:
        return document.expires_on
    successor = document.superseded_by
    if successor is not None:
        return successor.effective_on or successor.published_on
    return None


def update_metadata(session: Session, document: Document, meta: DocumentMeta) -> set[int]:
    """Change a document's metadata (the policy office's edit form); return changed document ids."""
    if meta.status is not None and meta.status not in STATUSES:
        raise ValueError(f"状态“{meta.status}”无效")
    _apply_meta(document, meta)
    session.flush()
    changed = {document.id} | link_versions(session, document.title) | resolve_successors(session)
    session.flush()
    return changed


def mark_repealed(session: Session, document: Document, on: dt.date | None = None,
                  superseded_by: str | None = None) -> set[int]:
    return update_metadata(session, document, DocumentMeta(
        status=REPEALED, expires_on=on, superseded_by=superseded_by))
