"""FAQ curation: the hotline's standard answers, each resting on articles of law in force.

Operations take ``(session, actor, data)``, change state, record a version and never commit.
``actor`` is a ``kb.accounts.models.User`` or ``kb.core.actors.SYSTEM`` (the command line and the import path:
"系统"); ``None`` is refused.
Rules:
- status moves draft → in_review → published → retired (see ``TRANSITIONS``); only the director
  or an admin publishes, so an edit of a published entry's content by the policy office sends it
  back to review (``update_entry``, ``load_entry``): agents never read an unreviewed answer;
- a published entry cites at least one unit of a document in force;
- when a cited document is repealed or superseded, or the cited text changes, the entries citing it
  are flagged 需复核 (``kb.faq.review``, called by the import path) until someone reviews them; every
  change is a version (``kb.faq.versions``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import markdown
import nh3
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kb.core.db import get_or_not_found
from kb.core.actors import allowed, require_actor
from kb.core.errors import KbError
from kb.faq.citations import CitationError, build_citation, resolve_citation, text_hash
from kb.faq.versions import record_version, snapshot
from kb.faq.models import (
    DRAFT, IN_REVIEW, PUBLISHED, RETIRED, STATUS_LABELS, STATUSES, FaqCitation, FaqEntry,
)
from kb.accounts.roles import ADMIN, DIRECTOR, POLICY
from kb.accounts.models import User
from kb.core.timestamps import utc_now

TRANSITIONS = {
    DRAFT: (IN_REVIEW, RETIRED),
    IN_REVIEW: (DRAFT, PUBLISHED, RETIRED),
    PUBLISHED: (DRAFT, RETIRED),
    RETIRED: (DRAFT,),
}
USAGE_COLUMNS = {
    "shown": FaqEntry.shown_count,
    "copied": FaqEntry.copied_count,
    "helpful": FaqEntry.helpful_count,
    "not_helpful": FaqEntry.not_helpful_count,
}


class FaqError(KbError):
    pass


@dataclass
class FaqData:
    """Fields of an entry; None leaves a field as it is (on update) or empty (on create)."""

    question: str | None = None
    phrasings: list[str] | None = None
    answer: str | None = None
    citations: list[str] | None = None  # citation texts, see kb.faq.citations
    tax_types: list[str] | None = None
    owner_id: int | None = None
    review_by: dt.date | None = None


@dataclass
class ReviewData:
    """Clearing 需复核: new citations replace the old ones; without them the reviewer confirms."""

    citations: list[str] | None = None
    note: str | None = None
    review_by: dt.date | None = None


# -- permissions --------------------------------------------------------------------------------

def _role(actor) -> str | None:
    return getattr(actor, "role", None) if getattr(actor, "is_authenticated", False) else None


def can_edit_faq(actor) -> bool:
    return _role(actor) in (POLICY, DIRECTOR, ADMIN)


def can_publish_faq(actor) -> bool:
    return _role(actor) in (DIRECTOR, ADMIN)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise FaqError(message)


# -- rendering ----------------------------------------------------------------------------------

ANSWER_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "code", "pre", "a",
               "table", "thead", "tbody", "tr", "th", "td", "h3", "h4", "h5", "h6", "hr", "del", "sup", "sub"}


def render_answer(text: str) -> str:
    """Markdown answer → HTML safe to put in a page (scripts, styles and event handlers removed)."""
    html = markdown.markdown(text or "", extensions=["sane_lists", "tables"])
    return nh3.clean(html, tags=ANSWER_TAGS, attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")


# -- operations ---------------------------------------------------------------------------------

def create_entry(session: Session, actor, data: FaqData, status: str = DRAFT) -> FaqEntry:
    """A new entry (a draft unless ``status`` says otherwise, as when loading an approved spreadsheet)."""
    _require(allowed(actor, can_edit_faq), "只有政策法规岗、中心主任或管理员可以编写问答")
    if status == PUBLISHED:
        _require(allowed(actor, can_publish_faq), "只有中心主任或管理员可以发布问答")
    if status not in STATUSES:
        raise FaqError(f"状态“{status}”无效")
    entry = FaqEntry(question="", phrasings=[], answer="", tax_types=[], status=status, version=0,
                     shown_count=0, copied_count=0, helpful_count=0, not_helpful_count=0, needs_review=False)
    _apply(session, entry, data)
    if not entry.question:
        raise FaqError("问题不能为空")
    if status == PUBLISHED:
        _check_publishable(entry)
        entry.published_at = utc_now()
    session.add(entry)
    session.flush()
    record_version(session, actor, entry, "created")
    return entry


# What agents read: a change to any of these on a published entry needs a publisher's review.
CONTENT_FIELDS = ("question", "phrasings", "answer", "citations", "references", "tax_types")
BACK_TO_REVIEW = "已发布问答的内容经修改，待中心主任或管理员审核后重新发布"


def _content(entry: FaqEntry) -> dict:
    current = snapshot(entry)
    return {key: current[key] for key in CONTENT_FIELDS}


def _needs_publisher(actor, entry: FaqEntry, before: dict) -> bool:
    """A published entry's content changed by someone who may not publish (the policy office)."""
    return (entry.status == PUBLISHED and not allowed(actor, can_publish_faq)
            and _content(entry) != before)


def update_entry(session: Session, actor, entry: FaqEntry, data: FaqData) -> FaqEntry:
    """Edit an entry. The policy office's edit of a published entry's content takes it off the
    agents' screens and back to review (``IN_REVIEW``) until the director or an admin publishes it."""
    _require(allowed(actor, can_edit_faq), "只有政策法规岗、中心主任或管理员可以修改问答")
    before = _content(entry)
    _apply(session, entry, data)
    if not entry.question:
        raise FaqError("问题不能为空")
    if entry.status == PUBLISHED:
        _check_publishable(entry)
    back_to_review = _needs_publisher(actor, entry, before)
    if back_to_review:
        entry.status = IN_REVIEW
    session.flush()
    record_version(session, actor, entry, "edited", BACK_TO_REVIEW if back_to_review else None)
    return entry


def load_entry(session: Session, actor, data: FaqData, status: str) -> tuple[FaqEntry, str]:
    """The import path: create the entry, or update in place the one with the same question, with
    ``status`` set directly (an approved spreadsheet). Returns the entry and created/updated/unchanged."""
    entry = find_entry_by_question(session, data.question or "")
    if entry is None:
        return create_entry(session, actor, data, status), "created"
    _require(allowed(actor, can_edit_faq), "只有政策法规岗、中心主任或管理员可以导入问答")
    if PUBLISHED in (status, entry.status) and status != entry.status:
        _require(allowed(actor, can_publish_faq), "只有中心主任或管理员可以发布或撤下问答")
    before, content = snapshot(entry), _content(entry)
    _apply(session, entry, data)
    if status == PUBLISHED:
        _check_publishable(entry)
        if entry.status != PUBLISHED:
            entry.published_at = utc_now()
    if status == PUBLISHED and _needs_publisher(actor, entry, content):
        status = IN_REVIEW
    entry.status = status
    if snapshot(entry) == before:
        return entry, "unchanged"
    session.flush()
    record_version(session, actor, entry, "imported")
    return entry, "updated"


def change_status(session: Session, actor, entry: FaqEntry, status: str, note: str | None = None) -> FaqEntry:
    if status not in TRANSITIONS.get(entry.status, ()):
        raise FaqError(f"问答不能从“{STATUS_LABELS.get(entry.status, entry.status)}”改为“{STATUS_LABELS.get(status, status)}”")
    if status == PUBLISHED or entry.status == PUBLISHED:
        _require(allowed(actor, can_publish_faq), "只有中心主任或管理员可以发布或撤下问答")
    else:
        _require(allowed(actor, can_edit_faq), "只有政策法规岗、中心主任或管理员可以修改问答")
    if status == PUBLISHED:
        _check_publishable(entry)
        if entry.needs_review:
            raise FaqError("问答需复核，复核后才能发布")
        entry.published_at = utc_now()
    entry.status = status
    session.flush()
    record_version(session, actor, entry, {IN_REVIEW: "submitted", PUBLISHED: "published",
                                    RETIRED: "retired", DRAFT: "reopened"}[status], note)
    return entry


def submit_entry(session: Session, actor, entry: FaqEntry) -> FaqEntry:
    return change_status(session, actor, entry, IN_REVIEW)


def publish_entry(session: Session, actor, entry: FaqEntry) -> FaqEntry:
    return change_status(session, actor, entry, PUBLISHED)


def retire_entry(session: Session, actor, entry: FaqEntry, note: str | None = None) -> FaqEntry:
    return change_status(session, actor, entry, RETIRED, note)


def publishable_problems(entry: FaqEntry) -> list[str]:
    """Why ``entry`` may not be published (empty when it may)."""
    problems = []
    if not (entry.answer or "").strip():
        problems.append("答案不能为空")
    if not any(c.in_force for c in entry.citations):
        problems.append("已发布的问答至少需要引用一条现行有效的条文")
    return problems


def _check_publishable(entry: FaqEntry) -> None:
    problems = publishable_problems(entry)
    if problems:
        raise FaqError("；".join(problems))


def _apply(session: Session, entry: FaqEntry, data: FaqData) -> None:
    if data.question is not None:
        entry.question = data.question.strip()
    if data.phrasings is not None:
        entry.phrasings = _clean_list(data.phrasings, exclude=entry.question)
    if data.answer is not None:
        entry.answer = data.answer.strip()
    if data.tax_types is not None:
        entry.tax_types = _clean_list(data.tax_types)
    if data.owner_id is not None:
        if session.get(User, data.owner_id) is None:
            raise FaqError(f"负责人（用户 {data.owner_id}）不存在")
        entry.owner_id = data.owner_id
    if data.review_by is not None:
        entry.review_by = data.review_by
    if data.citations is not None:
        _set_citations(session, entry, data.citations)


def _clean_list(values: list[str], exclude: str | None = None) -> list[str]:
    seen: list[str] = []
    for value in values:
        value = (value or "").strip()
        if value and value != exclude and value not in seen:
            seen.append(value)
    return seen


def _set_citations(session: Session, entry: FaqEntry, texts: list[str]) -> None:
    resolved, problems = [], []
    for text in texts:
        try:
            resolved.append(resolve_citation(session, text))
        except CitationError as error:
            problems.append(str(error))
    if problems:
        raise FaqError("；".join(problems))
    unique = list({r.unit.id: r for r in resolved}.values())
    old = {(c.unit_id, c.paragraph): c for c in entry.citations}
    citations = []
    for position, item in enumerate(unique):
        kept = old.get((item.unit.id, item.paragraph))
        if kept is not None:
            kept.position = position
            citations.append(kept)
        else:
            citations.append(build_citation(session, item, position))
    entry.citations = citations


# -- 需复核 ------------------------------------------------------------------------------------

def citation_problem(citation: FaqCitation) -> str | None:
    """Why a citation no longer stands on its own, in Chinese (None when it does)."""
    unit = citation.unit
    if unit is None:
        return f"所引{citation.citation_text}已不在政策库中"
    document = unit.document
    if not document.is_current:
        successor = document.superseded_by
        later = f"，现行为《{successor.title}》（{successor.version_date}）" if successor is not None else ""
        return f"所引{citation.citation_text}所在文件已{document.status}{later}"
    if citation.text_hash and citation.text_hash != text_hash(unit):
        return f"所引{citation.citation_text}的条文内容已变更"
    return None


# -- usage --------------------------------------------------------------------------------------

def record_usage(session: Session, actor, entry: FaqEntry, event: str) -> FaqEntry:
    """Count one use of an entry: shown, copied, helpful or not_helpful (an atomic increment)."""
    require_actor(actor)
    column = USAGE_COLUMNS.get(event)
    if column is None:
        raise FaqError(f"未知的使用记录类型“{event}”")
    session.execute(
        update(FaqEntry).where(FaqEntry.id == entry.id).values({column.key: column + 1})
        .execution_options(synchronize_session=False)
    )
    session.refresh(entry, [column.key])
    return entry


# -- reading ------------------------------------------------------------------------------------

def get_entry(session: Session, entry_id: int) -> FaqEntry:
    return get_or_not_found(session, FaqEntry, entry_id, "问答")


def list_entries(session: Session, status: str | None = None) -> list[FaqEntry]:
    query = select(FaqEntry).order_by(FaqEntry.id)
    if status is not None:
        query = query.where(FaqEntry.status == status)
    return list(session.scalars(query))


def find_entry_by_question(session: Session, question: str) -> FaqEntry | None:
    return session.scalars(
        select(FaqEntry).where(FaqEntry.question == question.strip(), FaqEntry.status != RETIRED)
        .order_by(FaqEntry.id)
    ).first()
