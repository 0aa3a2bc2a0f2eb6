"""The agent's home: the search page, its JSON endpoint and the service phrases."""
from __future__ import annotations

import datetime as dt
import time

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import ValidationError

from indexer import SearchResponse
from indexer.searching import SearchRequest, search_and_log
from kb.library.articles import library_tax_types, units_by_ids
from kb.channels.campaigns import collection, collection_first, matching_campaign, running_campaigns
from kb.library.models import STATUSES
from kb.hotline.phrases import service_phrases
from kb.hotline.referrals import can_open_referral
from kb.search.search_feedback import FeedbackError, record_copy
from kb.accounts.users import can_read_library
from webapp import search_index
from webapp.auth import require
from webapp.forms import Form, form_error
from webapp.present import present_faq, present_result
from webapp.storage import db_session
from kb.core.timestamps import beijing_now

bp = Blueprint("search", __name__)

RESULT_LIMIT = 20


def _options(args) -> tuple[dict, list[str]]:
    """Search options from the query string; returns (options, problems)."""
    options: dict = {"limit": RESULT_LIMIT}
    problems: list[str] = []
    if args.get("tax_type"):
        options["tax_type"] = args["tax_type"].strip()
    if args.get("status") in STATUSES:
        options["status"] = args["status"]
    if args.get("include_old") in ("1", "on", "true"):
        options["include_old"] = True
    as_of = (args.get("as_of") or "").strip()
    if as_of:
        try:
            options["as_of"] = dt.date.fromisoformat(as_of)
        except ValueError:
            problems.append(f"日期“{as_of}”格式不正确，应为 YYYY-MM-DD")
    return options, problems


def run_search(query: str, options: dict, log: bool = False) -> tuple[list[dict], float, SearchResponse | None]:
    """Search (and log when ``log``: the agent submitted it) through ``indexer.searching``; return
    (results as shown, time taken, the response: did-you-mean, notices, confidence). While a 专题答疑
    matching the question runs, its collection comes first (``kb.channels.campaigns.collection_first``; the
    ranking itself is unchanged)."""
    if not query:
        return [], 0.0, None
    started = time.perf_counter()
    response = search_and_log(db_session(), current_user, SearchRequest(query=query, log=log, **options),
                              search_index.searcher(current_app))
    campaign = matching_campaign(running_campaigns(db_session(), beijing_now()), query)
    results = collection_first([r.to_dict() for r in response.results], campaign)
    units = units_by_ids(db_session(), [r["unit_id"] for r in results if r.get("unit_id") and r["type"] != "faq"])
    shown = [present_faq(r) if r["type"] == "faq" else present_result(r, units.get(r.get("unit_id")))
             for r in results]
    return shown, (time.perf_counter() - started) * 1000, response


@bp.get("/")
@require(can_read_library)
def home():
    return search_page()


@bp.get("/search")
@require(can_read_library)
def search_page():
    query = (request.args.get("q") or "").strip()
    options, problems = _options(request.args)
    results, took_ms, response = run_search(query, options) if not problems else ([], 0.0, None)
    faq = next((r for r in results if r["type"] == "faq"), None)
    campaigns = [(c, *collection(db_session(), c)) for c in running_campaigns(db_session(), beijing_now())]
    return render_template(
        "search/search.html", query=query, options=options, problems=problems, faq=faq,
        results=[r for r in results if r["type"] != "faq"], took_ms=took_ms,
        suggestion=response.suggestion if response else None, notices=response.notices if response else [],
        confidence=response.confidence if response else "high", can_refer=can_open_referral(current_user),
        tax_types=library_tax_types(db_session()), statuses=STATUSES, phrases=service_phrases(db_session()),
        campaigns=campaigns,
    )


@bp.get("/search.json")
@require(can_read_library)
def search_json():
    query = (request.args.get("q") or "").strip()
    options, problems = _options(request.args)
    if problems:
        return jsonify({"query": query, "error": "；".join(problems), "results": []}), 400
    # log=1: the agent submitted the search (Enter), not a keystroke
    results, took_ms, response = run_search(query, options, log=request.args.get("log") == "1")
    return jsonify({"query": query, "results": results, "took_ms": round(took_ms, 1),
                    "suggestion": response.suggestion if response else None,
                    "notices": response.notices if response else [],
                    "confidence": response.confidence if response else "high"})


def _an_id(form, field):
    """A whole number an integer column holds."""
    if not (field.data or "").isdecimal() or int(field.data) > 2**31 - 1:
        raise ValidationError("缺少复制的条文编号")


class CopyForm(Form):
    """The 复制依据 button's report: what was searched and the article copied (``record_copy`` checks both)."""

    q = StringField("检索内容")
    unit_id = StringField("条文编号", validators=[_an_id])


@bp.post("/search/copied")
@require(can_read_library)
def copied():
    """The agent copied a result's legal basis after searching ``q``: a relevance judgement (learning from use)."""
    form = CopyForm()
    if not form.validate_on_submit():
        return jsonify({"error": form_error(form)}), 400
    try:
        record_copy(db_session(), current_user.id, query=form.q.data, unit_id=int(form.unit_id.data))
    except FeedbackError as problem:
        return jsonify({"error": str(problem)}), 400
    return jsonify({"ok": True})


@bp.get("/phrases")
@require(can_read_library)
def phrases():
    return render_template("search/phrases.html", phrases=service_phrases(db_session()))
