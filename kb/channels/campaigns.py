"""税收政策专题答疑 (topic campaigns): 管理办法第三条（五）、第四条（三）, 主任职责七.

The director (or 征管处, which organises them) sets up a campaign with the departments that run
it: topic, dates and hours, the departments and experts on duty, the words callers use for the
topic, and its collection (published FAQ entries and policy documents). While it runs
(``running_campaigns``), agents see it on the search page, and for a question that matches it
(``matches``) the collection's results come first (``collection_first``: a stable re-ordering on
top of the search's own ranking, which it does not change). Calls taken under it are the calls of
its dates and hours that ask about its topic or cite its policies (``campaign_calls``); once it has
ended, its summary (calls, top questions, new FAQ) goes into the 信息专报 of the month it ended in
(``summaries_for_month``).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.hotline.models import Call, is_confidential_matter
from kb.core.db import get_or_not_found
from kb.core.departments import department_names
from kb.core.errors import KbError
from kb.faq.models import PUBLISHED, FaqEntry
from kb.library.models import Document
from kb.core.permissions import Forbidden, is_supervising_department, role_of
from kb.faq.similarity import group_questions
from kb.accounts.roles import DIRECTOR
from kb.channels.models import Campaign, _normal
from kb.core.timestamps import beijing_date, beijing_datetime

TOP_QUESTIONS = 5
_HOURS = re.compile(r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$")  # 24:00 closes at midnight


class CampaignError(KbError):
    """A campaign the form or the command line cannot store; the message says why, in Chinese."""


@dataclass
class CampaignData:
    title: str
    starts_on: str | dt.date
    ends_on: str | dt.date
    hours: str = "09:00-17:00"
    topic: str = ""
    keywords: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    experts: list[str] = field(default_factory=list)
    faq_ids: list[int] = field(default_factory=list)
    document_ids: list[int] = field(default_factory=list)


@dataclass
class CampaignSummary:
    campaign: Campaign
    calls: int
    top_questions: list[tuple[str, int]]
    new_faq: list[tuple[int, str]]


# -- permissions --------------------------------------------------------------------------------

def can_manage_campaigns(actor) -> bool:
    """The director coordinates them (主任职责七); 征管处 organises them (管理办法第三条（五）)."""
    return role_of(actor) == DIRECTOR or is_supervising_department(actor)


def can_view_campaigns(actor) -> bool:
    return role_of(actor) is not None


# -- operations ---------------------------------------------------------------------------------

def save_campaign(session: Session, actor, data: CampaignData, campaign: Campaign | None = None) -> Campaign:
    """Create a campaign (or change ``campaign``) from ``data``; every problem is named at once."""
    if not can_manage_campaigns(actor):
        raise Forbidden("只有中心主任和征管处可以组织专题答疑活动")
    problems: list[str] = []
    title = (data.title or "").strip()
    if not title:
        problems.append("请填写活动主题")
    starts_on, ends_on = _date(data.starts_on, "开始日期", problems), _date(data.ends_on, "结束日期", problems)
    if starts_on and ends_on and ends_on < starts_on:
        problems.append("结束日期不能早于开始日期")
    opens_at, closes_at = _hours(data.hours, problems)
    departments = _clean(data.departments)
    known = department_names(session)
    problems += [f"“{d}”不是部门列表中的部门" for d in departments if d not in known]
    if not departments:
        problems.append("请至少选择一个负责答疑的业务部门")
    faq_ids = _ids(data.faq_ids, "问答编号", problems)
    published = set(session.scalars(select(FaqEntry.id).where(FaqEntry.id.in_(faq_ids),
                                                               FaqEntry.status == PUBLISHED))) if faq_ids else set()
    problems += [f"问答 {i} 不存在或未发布" for i in faq_ids if i not in published]
    document_ids = _ids(data.document_ids, "文档编号", problems)
    found = set(session.scalars(select(Document.id).where(Document.id.in_(document_ids)))) if document_ids else set()
    problems += [f"文档 {i} 不存在" for i in document_ids if i not in found]
    if problems:
        raise CampaignError("；".join(problems))
    if campaign is None:
        campaign = Campaign(created_by_id=getattr(actor, "id", None))
        session.add(campaign)
    campaign.title, campaign.topic = title, (data.topic or "").strip()
    campaign.starts_on, campaign.ends_on, campaign.opens_at, campaign.closes_at = starts_on, ends_on, opens_at, closes_at
    campaign.keywords, campaign.departments, campaign.experts = _clean(data.keywords), departments, _clean(data.experts)
    campaign.faq_ids, campaign.document_ids = faq_ids, document_ids
    session.flush()
    return campaign


def get_campaign(session: Session, campaign_id: int) -> Campaign:
    return get_or_not_found(session, Campaign, campaign_id, "专题答疑活动")


def list_campaigns(session: Session) -> list[Campaign]:
    return list(session.scalars(select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc())))


def running_campaigns(session: Session, now: dt.datetime) -> list[Campaign]:
    """The campaigns running at ``now``: on their dates, within their hours (Beijing time)."""
    today = beijing_date(now)
    candidates = session.scalars(select(Campaign).where(Campaign.starts_on <= today, Campaign.ends_on >= today)
                                 .order_by(Campaign.starts_on, Campaign.id))
    return [c for c in candidates if c.runs_at(now)]


def matches(campaign: Campaign, question: str) -> bool:
    """Whether a question (a search or a call's) is about the campaign's topic."""
    text = _normal(question)
    return bool(text) and any(word in text for word in campaign.match_words)


def matching_campaign(campaigns: list[Campaign], question: str) -> Campaign | None:
    return next((c for c in campaigns if matches(c, question)), None)


def in_collection(campaign: Campaign, result: dict) -> bool:
    """Whether a search result (``webapp.search_index`` dict) belongs to the campaign's collection."""
    if result.get("type") == "faq":
        return result.get("faq_id") in (campaign.faq_ids or [])
    return result.get("document_id") in (campaign.document_ids or [])


def collection_first(results: list[dict], campaign: Campaign | None) -> list[dict]:
    """The results with the campaign's collection moved to the front; each part keeps the search's order."""
    if campaign is None:
        return list(results)
    mine = [r for r in results if in_collection(campaign, r)]
    return mine + [r for r in results if not in_collection(campaign, r)]


def collection(session: Session, campaign: Campaign) -> tuple[list[FaqEntry], list[Document]]:
    """The campaign's published FAQ entries and its documents, in the order the director gave."""
    entries = {e.id: e for e in session.scalars(select(FaqEntry).where(
        FaqEntry.id.in_(campaign.faq_ids or [0]), FaqEntry.status == PUBLISHED))}
    documents = {d.id: d for d in session.scalars(select(Document).where(Document.id.in_(campaign.document_ids or [0])))}
    return ([entries[i] for i in campaign.faq_ids or [] if i in entries],
            [documents[i] for i in campaign.document_ids or [] if i in documents])


# -- counting and the bulletin ------------------------------------------------------------------

def campaign_calls(session: Session, campaign: Campaign) -> list[Call]:
    """The calls taken under the campaign: on its dates and within its hours, asking about its topic
    or citing one of its documents."""
    start = beijing_datetime(campaign.starts_on)
    end = beijing_datetime(campaign.ends_on + dt.timedelta(days=1))
    titles = [f"《{d.title}》" for d in session.scalars(select(Document).where(
        Document.id.in_(campaign.document_ids or [0])))]
    calls = session.scalars(select(Call).where(Call.created_at >= start, Call.created_at < end)
                            .order_by(Call.created_at, Call.id))
    return [c for c in calls if c.created_at and campaign.runs_at(c.created_at) and (
        matches(campaign, c.question) or any(t in cited for t in titles for cited in (c.citations or [])))]


def summarise(session: Session, campaign: Campaign) -> CampaignSummary:
    """Calls, the most asked questions (举报/投诉 counted, never quoted) and the FAQ entries of its
    collection published since it was announced."""
    calls = campaign_calls(session, campaign)
    askable = [c.question for c in calls if not is_confidential_matter(c.category, c.transferred_to)]
    top = [(g.wording, g.count) for g in group_questions(askable)[:TOP_QUESTIONS]]
    since = beijing_datetime(campaign.starts_on)
    entries, _documents = collection(session, campaign)
    new_faq = [(e.id, e.question) for e in entries if e.published_at and e.published_at >= since]
    return CampaignSummary(campaign=campaign, calls=len(calls), top_questions=top, new_faq=new_faq)


def summaries_for_month(session: Session, start: dt.date, end: dt.date) -> list[CampaignSummary]:
    """The campaigns that ended in [start, end) (a bulletin's month), summarised."""
    ended = session.scalars(select(Campaign).where(Campaign.ends_on >= start, Campaign.ends_on < end)
                            .order_by(Campaign.ends_on, Campaign.id))
    return [summarise(session, c) for c in ended]


def as_json(campaign: Campaign) -> dict:
    """The stable shape of ``flask campaign list --json``."""
    return {"id": campaign.id, "title": campaign.title, "starts": campaign.starts_on.isoformat(),
            "ends": campaign.ends_on.isoformat(), "hours": campaign.hours, "departments": list(campaign.departments or []),
            "experts": list(campaign.experts or []), "faq_ids": list(campaign.faq_ids or []),
            "document_ids": list(campaign.document_ids or []), "keywords": list(campaign.keywords or [])}


# -- parsing ------------------------------------------------------------------------------------

def _clean(values) -> list[str]:
    seen: list[str] = []
    for value in values or []:
        value = (value or "").strip()
        if value and value not in seen:
            seen.append(value)
    return seen


def _date(value, name: str, problems: list[str]) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        problems.append(f"{name}“{value or ''}”格式不正确，应为 YYYY-MM-DD")
        return None


def _hours(value: str | None, problems: list[str]) -> tuple[str, str]:
    parts = [p.strip() for p in (value or "").replace("—", "-").replace("～", "-").split("-")]
    if len(parts) != 2 or not all(_HOURS.match(p) for p in parts) or parts[0] >= parts[1]:
        problems.append(f"答疑时间“{value or ''}”格式不正确，应为 09:00-17:00")
        return "09:00", "17:00"
    return parts[0], parts[1]


def _ids(values, name: str, problems: list[str]) -> list[int]:
    ids: list[int] = []
    for value in values or []:
        text = str(value).strip()
        if not text:
            continue
        if not text.isdigit() or int(text) > 2**31 - 1:
            problems.append(f"{name}“{text}”应为数字")
        elif int(text) not in ids:
            ids.append(int(text))
    return ids
