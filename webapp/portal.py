"""The public portal 法规库 (主任职责八): read-only pages for taxpayers at ``/portal/``, no login.

Views are thin: what may be shown is decided in ``kb.channels.portal_content``; the search is the agents'
search (``webapp.search_index``) with its results filtered there, and never logged. Responses are
cacheable (``Cache-Control: public`` and an ETag; a matching ``If-None-Match`` gets 304), limited per
client (``webapp.portal_limits``) and set no cookie. ``flask portal-export -o DIR`` writes the same
pages as a static site (``webapp.portal_export``).
"""
from __future__ import annotations

import dataclasses

from flask import Blueprint, Flask, current_app, g, render_template, request, url_for

from kb.core.errors import NotFound
from kb.channels.portal_content import public_document, public_documents, public_faq, public_questions, public_results
from kb.library.statuses import CURRENT_STATUSES
from webapp import search_index
from webapp.portal_limits import ClientLimiter
from webapp.present import clean_snippet
from webapp.storage import db_session

bp = Blueprint("portal", __name__, url_prefix="/portal")

MAX_AGE = 300  # seconds a browser or proxy may keep a page
RESULT_LIMIT = 20
MAX_QUERY = 200
SEARCH_MARGIN = 10  # results asked beyond those shown: the filter drops internal rules and non-public FAQ cards


def live_href(name: str, **values) -> str:
    """A portal link on the live site (the export writes file names instead)."""
    endpoints = {"home": "portal.home", "search": "portal.search", "faq_list": "portal.faq_list",
                 "faq": "portal.faq", "document": "portal.document"}
    return url_for(endpoints[name], **values)


def live_asset(name: str) -> str:
    return url_for("static", filename=name)


@bp.context_processor
def _links():
    return {"href": live_href, "asset": live_asset, "exported": False, "CURRENT_STATUSES": CURRENT_STATUSES}


@bp.before_request
def _limit():
    allowed, retry = current_app.extensions["kb_portal_limiter"].allow(request.remote_addr or "-")
    if not allowed:
        g.portal_no_cache = True
        return render_template("portal/error.html", message=f"访问过于频繁，请 {retry} 秒后再试。"), 429, {
            "Retry-After": str(retry)}
    return None


@bp.after_request
def _cacheable(response):
    if request.method == "GET" and response.status_code == 200 and not g.get("portal_no_cache"):
        response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
        response.add_etag()
        response.make_conditional(request)
    else:
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(NotFound)
def _missing(error):
    return render_template("portal/error.html", message=str(error), heading="页面不存在"), 404


@bp.get("/")
def home():
    return render_template("portal/home.html", documents=public_documents(db_session()),
                           faq_count=len(public_questions(db_session())))


@bp.get("/documents/<int:document_id>")
def document(document_id: int):
    return render_template("portal/document.html", item=public_document(db_session(), document_id))


@bp.get("/faq")
def faq_list():
    return render_template("portal/faq_list.html", entries=public_questions(db_session()))


@bp.get("/faq/<int:entry_id>")
def faq(entry_id: int):
    return render_template("portal/faq.html", entry=public_faq(db_session(), entry_id))


@bp.get("/search")
def search():
    query = (request.args.get("q") or "").strip()[:MAX_QUERY]
    results = []
    if query:
        response = search_index.search_response(current_app, query, limit=RESULT_LIMIT + SEARCH_MARGIN)
        results = public_results(db_session(), [_shallow(r) for r in response.results], RESULT_LIMIT)
    return render_template("portal/search.html", query=query, results=results, clean_snippet=clean_snippet)


def _shallow(result) -> dict:
    """A result's fields as a dict without copying them (``to_dict`` deep-copies: a third of the request)."""
    return {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}


def init_app(app: Flask) -> None:
    app.extensions["kb_portal_limiter"] = ClientLimiter(int(app.config["KB_PORTAL_RATE"]))
    app.register_blueprint(bp)
    from webapp import portal_export

    portal_export.register(app)
