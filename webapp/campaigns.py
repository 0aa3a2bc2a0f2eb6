"""专题答疑 campaigns: the director's list, form and summary (``kb.channels.campaigns``)."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from kb.channels.campaigns import (CampaignData, CampaignError, can_manage_campaigns, can_view_campaigns, collection,
                          get_campaign, list_campaigns, save_campaign, summarise)
from kb.hotline.departments import department_names
from webapp.auth import require
from webapp.storage import db_session

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")


def _lines(value: str | None) -> list[str]:
    return [line.strip() for line in (value or "").replace("，", "\n").replace(",", "\n").splitlines() if line.strip()]


def _form_data(form) -> CampaignData:
    return CampaignData(
        title=form.get("title", ""), starts_on=form.get("starts_on", ""), ends_on=form.get("ends_on", ""),
        hours=form.get("hours", ""), topic=form.get("topic", ""), keywords=_lines(form.get("keywords")),
        departments=form.getlist("departments"), experts=_lines(form.get("experts")),
        faq_ids=_lines(form.get("faq_ids")), document_ids=_lines(form.get("document_ids")))


def _form(campaign=None, form=None, error: str | None = None):
    return render_template("campaigns/form.html", campaign=campaign, form=form, error=error,
                           departments=sorted(department_names(db_session()))), (400 if error else 200)


@bp.get("")
@require(can_view_campaigns)
def index():
    return render_template("campaigns/index.html", campaigns=list_campaigns(db_session()),
                           can_manage=can_manage_campaigns(current_user))


@bp.route("/new", methods=["GET", "POST"])
@require(can_manage_campaigns)
def new():
    if request.method == "GET":
        return _form()
    try:
        campaign = save_campaign(db_session(), current_user, _form_data(request.form))
    except CampaignError as problem:
        return _form(form=request.form, error=str(problem))
    return redirect(url_for("campaigns.show", campaign_id=campaign.id))


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@require(can_manage_campaigns)
def edit(campaign_id: int):
    campaign = get_campaign(db_session(), campaign_id)
    if request.method == "GET":
        return _form(campaign)
    try:
        save_campaign(db_session(), current_user, _form_data(request.form), campaign)
    except CampaignError as problem:
        return _form(campaign, form=request.form, error=str(problem))
    return redirect(url_for("campaigns.show", campaign_id=campaign.id))


@bp.get("/<int:campaign_id>")
@require(can_view_campaigns)
def show(campaign_id: int):
    campaign = get_campaign(db_session(), campaign_id)
    entries, documents = collection(db_session(), campaign)
    return render_template("campaigns/show.html", campaign=campaign, entries=entries, documents=documents,
                           summary=summarise(db_session(), campaign), can_manage=can_manage_campaigns(current_user))
