"""专题答疑 campaigns: the director's list, form and summary (``kb.channels.campaigns``)."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from kb.channels.campaigns import (CampaignData, CampaignError, can_manage_campaigns, can_view_campaigns, collection,
                          get_campaign, list_campaigns, save_campaign, summarise)
from kb.core.departments import department_names
from webapp.auth import require
from webapp.forms import Form, TextListField, form_error
from webapp.storage import db_session

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")


def _lines(value: str | None) -> list[str]:
    return [line.strip() for line in (value or "").replace("，", "\n").replace(",", "\n").splitlines() if line.strip()]


class CampaignForm(Form):
    """The campaign's form; ``kb.channels.campaigns.save_campaign`` reads the dates, the hours and the
    numbers and checks the departments, questions and documents, naming every problem at once."""

    title = StringField("活动主题", validators=[DataRequired("请填写活动主题"),
                                            Length(max=200, message="活动主题不能超过 200 字")])
    topic = TextAreaField("活动说明")
    starts_on = StringField("开始日期")
    ends_on = StringField("结束日期")
    hours = StringField("每天答疑时间")
    departments = TextListField("负责答疑的业务部门")
    experts = TextAreaField("值班专家")
    keywords = TextAreaField("来电常用的主题词")
    faq_ids = TextAreaField("收录的已发布问答编号")
    document_ids = TextAreaField("收录的政策文档编号")

    def to_data(self) -> CampaignData:
        return CampaignData(
            title=self.title.data, starts_on=self.starts_on.data, ends_on=self.ends_on.data, hours=self.hours.data,
            topic=self.topic.data, keywords=_lines(self.keywords.data), departments=self.departments.data,
            experts=_lines(self.experts.data), faq_ids=_lines(self.faq_ids.data),
            document_ids=_lines(self.document_ids.data))


def _form(campaign=None, form: CampaignForm | None = None, error: str | None = None):
    return render_template("campaigns/form.html", campaign=campaign, form=form.data if form else None, error=error,
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
    form = CampaignForm()
    if not form.validate_on_submit():
        return _form(form=form, error=form_error(form))
    try:
        campaign = save_campaign(db_session(), current_user, form.to_data())
    except CampaignError as problem:
        return _form(form=form, error=str(problem))
    return redirect(url_for("campaigns.show", campaign_id=campaign.id))


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@require(can_manage_campaigns)
def edit(campaign_id: int):
    campaign = get_campaign(db_session(), campaign_id)
    if request.method == "GET":
        return _form(campaign)
    form = CampaignForm()
    if not form.validate_on_submit():
        return _form(campaign, form=form, error=form_error(form))
    try:
        save_campaign(db_session(), current_user, form.to_data(), campaign)
    except CampaignError as problem:
        return _form(campaign, form=form, error=str(problem))
    return redirect(url_for("campaigns.show", campaign_id=campaign.id))


@bp.get("/<int:campaign_id>")
@require(can_view_campaigns)
def show(campaign_id: int):
    campaign = get_campaign(db_session(), campaign_id)
    entries, documents = collection(db_session(), campaign)
    return render_template("campaigns/show.html", campaign=campaign, entries=entries, documents=documents,
                           summary=summarise(db_session(), campaign), can_manage=can_manage_campaigns(current_user))
