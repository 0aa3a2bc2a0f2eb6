"""Document and article pages, version history and comparison, and the 新政策 feed."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from kb.library.articles import all_documents, library_tax_types, neighbours, outline, recent_documents
from kb.library.citations import document_citation, unit_citation
from kb.library.compare import compare_documents
from kb.library.operations import find_article, get_document, get_unit, versions_of
from kb.library.models import LEVELS, STATUSES
from kb.accounts.users import can_edit_documents, can_read_library
from webapp.auth import require
from webapp.storage import db_session

bp = Blueprint("library", __name__)


@bp.get("/documents")
@require(can_read_library)
def documents():
    filters = {key: (request.args.get(key) or "").strip() for key in ("q", "level", "status", "tax_type")}
    return render_template("library/documents.html", documents=all_documents(db_session(), filters),
                           filters=filters, levels=LEVELS, statuses=STATUSES,
                           tax_types=library_tax_types(db_session()))


@bp.get("/documents/<int:document_id>")
@require(can_read_library)
def document(document_id: int):
    session = db_session()
    doc = get_document(session, document_id)
    return render_template(
        "library/document.html", document=doc, outline=outline(doc), versions=versions_of(session, doc),
        citation=document_citation(doc), unit_citation=unit_citation,
        can_edit=can_edit_documents(current_user),
    )


@bp.get("/documents/<int:document_id>/articles/<label>")
@require(can_read_library)
def article_by_label(document_id: int, label: str):
    session = db_session()
    unit = find_article(session, get_document(session, document_id), label)
    if unit is None:
        abort(404)
    return redirect(url_for("library.unit", unit_id=unit.id))


@bp.get("/units/<int:unit_id>")
@require(can_read_library)
def unit(unit_id: int):
    session = db_session()
    item = get_unit(session, unit_id)
    doc = item.document
    previous, following = neighbours(doc, item)
    return render_template(
        "library/unit.html", unit=item, document=doc, previous=previous, following=following,
        citation=unit_citation(item), versions=versions_of(session, doc),
    )


@bp.get("/documents/<int:document_id>/compare")
@require(can_read_library)
def compare(document_id: int):
    session = db_session()
    doc = get_document(session, document_id)
    versions = [v for v in versions_of(session, doc) if v.id != doc.id]
    other_id = request.args.get("with", type=int)
    if other_id is None:
        if not versions:
            abort(404)
        older = [v for v in versions if (v.version_date or 0) and doc.version_date and v.version_date < doc.version_date]
        other_id = (older[-1] if older else versions[0]).id
    other = get_document(session, other_id)
    old, new = sorted((doc, other), key=lambda d: (d.version_date is not None, d.version_date or 0, d.id))
    comparison = compare_documents(old, new)
    show_all = request.args.get("all") == "1"
    return render_template("library/compare.html", comparison=comparison, document=doc, versions=versions,
                           show_all=show_all)


@bp.get("/new")
@require(can_read_library)
def new_documents():
    return render_template("library/new.html", documents=recent_documents(db_session(), limit=40))
