"""``flask campaign list|add``: 专题答疑 campaigns for operators and checks (``kb.channels.campaigns``)."""
from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import with_appcontext

from kb.channels.campaigns import CampaignData, as_json, list_campaigns, save_campaign
from kb.core.db import transaction
from kb.core.errors import KbError
from kb.accounts.users import find_user
from webapp.storage import storage


def register(app: Flask) -> None:
    app.cli.add_command(campaign_group)


@click.group("campaign")
def campaign_group():
    """税收政策专题答疑 campaigns."""


@campaign_group.command("list")
@click.option("--json", "as_lines", is_flag=True, help="one JSON object a line: title, starts, ends, departments, faq_ids")
@with_appcontext
def list_command(as_lines):
    """Every campaign, the latest first."""
    with storage().session_factory() as session:
        for campaign in list_campaigns(session):
            if as_lines:
                click.echo(json.dumps(as_json(campaign), ensure_ascii=False))
            else:
                click.echo(f"{campaign.id}\t{campaign.title}\t{campaign.starts_on}~{campaign.ends_on} {campaign.hours}\t"
                           f"{'、'.join(campaign.departments)}")


@campaign_group.command("add")
@click.option("--title", required=True, help="活动主题")
@click.option("--starts", required=True, help="开始日期 YYYY-MM-DD")
@click.option("--ends", required=True, help="结束日期 YYYY-MM-DD")
@click.option("--hours", default="09:00-17:00", show_default=True, help="每天答疑时间（北京时间）")
@click.option("--topic", default="", help="活动说明")
@click.option("--keyword", "keywords", multiple=True, help="来电常用的主题词（可多次）；省略时用活动主题")
@click.option("--department", "departments", multiple=True, required=True, help="负责答疑的业务部门（可多次）")
@click.option("--expert", "experts", multiple=True, help="值班专家（可多次）")
@click.option("--faq", "faq_ids", multiple=True, help="收录的已发布问答编号（可多次）")
@click.option("--document", "document_ids", multiple=True, help="收录的政策文档编号（可多次）")
@click.option("--user", "username", required=True, help="中心主任或征管处的账号")
@with_appcontext
def add_command(title, starts, ends, hours, topic, keywords, departments, experts, faq_ids, document_ids, username):
    """Create a campaign."""
    try:
        with transaction(storage().session_factory) as session:
            actor = find_user(session, username)
            if actor is None:
                raise click.ClickException(f"用户“{username}”不存在")
            campaign = save_campaign(session, actor, CampaignData(
                title=title, starts_on=starts, ends_on=ends, hours=hours, topic=topic, keywords=list(keywords),
                departments=list(departments), experts=list(experts), faq_ids=list(faq_ids),
                document_ids=list(document_ids)))
            click.echo(f"已创建专题答疑活动 {campaign.id}：{campaign.title}")
    except KbError as problem:
        raise click.ClickException(str(problem)) from None
