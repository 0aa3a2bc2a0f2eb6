"""The 语音服务: the self-service voice menu the director and 征管处 keep up to date (管理办法第三条（四）,
主任职责六), and the 语音信箱 greetings agents record (工作细则 二5).

- The menu is a tree of keys (``add_node``): 按键 → topic; each topic has announcements, short
  spoken texts resting on published FAQ entries (``save_announcement``). An announcement may play
  only between two dates (汇算 season, holidays); otherwise it is the topic's default.
  ``playing_on`` says which one plays on a day; two windows of one topic may not overlap.
- An announcement is 需复核 (``announcement_problems``) while an FAQ entry it rests on has changed
  since its wording was written or confirmed: the entry was edited, retired, or flagged 需复核
  itself because an article it cites changed (``kb.faq.review.flag_entries_citing``, the import path):
  the FAQ cascade reaches the menu without a second copy. Saving or ``review_announcement``
  confirms the wording against the entries as they now stand.
- Every change is a ``VoiceAnnouncementVersion`` (who, when, which fields, the text then);
  recordings (``kb.channels.voice_recordings``) name the version they read.

Operations take ``(session, actor, data)``, change state and never commit.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.accounts.audit import actor_label
from kb.core.db import get_or_not_found
from kb.core.errors import KbError
from kb.faq.models import PUBLISHED, FaqEntry
from kb.core.permissions import is_supervising_department, require as _require, role_of
from kb.accounts.roles import ADMIN, AGENT, DIRECTOR, POLICY
from kb.channels.models import GREETING, MENU, VoiceAnnouncement, VoiceAnnouncementVersion, VoiceFaqLink, VoiceMenuNode
from kb.core.timestamps import beijing_now

KEYS = tuple("1234567890*#")
CURRENT = "current"
NEEDS_REVIEW = "需复核"
_SNAPSHOT_FIELDS = (("title", "标题"), ("text", "播报文字"), ("faq_ids", "问答"), ("starts_on", "开始日期"),
                    ("ends_on", "结束日期"), ("node", "按键"), ("active", "启用"))
FIELD_LABELS = dict(_SNAPSHOT_FIELDS)


class VoiceMenuError(KbError):
    pass


# -- permissions --------------------------------------------------------------------------------

def can_edit_voice_menu(actor) -> bool:
    """The director and 征管处 keep the voice service's content (管理办法第三条（四）, 主任职责六)."""
    return role_of(actor) == DIRECTOR or is_supervising_department(actor)


def can_record_voice(actor) -> bool:
    """Agents record the announcements and 语音信箱 greetings (工作细则 二5); the director may too."""
    return role_of(actor) in (AGENT, DIRECTOR)


def can_view_voice_menu(actor) -> bool:
    return role_of(actor) in (AGENT, POLICY, DIRECTOR, ADMIN) or can_edit_voice_menu(actor)


# -- the tree -----------------------------------------------------------------------------------

@dataclass
class NodeData:
    key: str
    title: str
    parent_id: int | None = None


def add_node(session: Session, actor, data: NodeData) -> VoiceMenuNode:
    _require(can_edit_voice_menu(actor), "只有中心主任或征管处可以修改语音菜单")
    key, title = (data.key or "").strip(), (data.title or "").strip()
    if key not in KEYS:
        raise VoiceMenuError(f"按键“{key}”无效，应为 0–9、* 或 #")
    if not title:
        raise VoiceMenuError("请填写该按键的主题")
    parent = get_node(session, data.parent_id) if data.parent_id else None
    taken = session.scalars(select(VoiceMenuNode).where(
        VoiceMenuNode.key == key,
        VoiceMenuNode.parent_id == parent.id if parent else VoiceMenuNode.parent_id.is_(None))).first()
    if taken is not None:
        raise VoiceMenuError(f"按键 {taken.keys} 已用于“{taken.title}”")
    node = VoiceMenuNode(parent=parent, key=key, title=title, created_at=beijing_now())
    session.add(node)
    session.flush()
    return node


def remove_node(session: Session, actor, node_id: int) -> None:
    """Remove a key that leads nowhere (no sub-keys, no announcement ever written under it)."""
    _require(can_edit_voice_menu(actor), "只有中心主任或征管处可以修改语音菜单")
    node = get_node(session, node_id)
    if node.children or node.announcements:
        raise VoiceMenuError(f"按键 {node.keys} 下还有子菜单或播报内容，不能删除；可停用其播报")
    session.delete(node)
    session.flush()


def get_node(session: Session, node_id: int) -> VoiceMenuNode:
    return get_or_not_found(session, VoiceMenuNode, node_id, "语音菜单按键")


def menu_tree(session: Session) -> list[VoiceMenuNode]:
    """Every node in menu order (depth first, keys in order)."""
    roots = session.scalars(select(VoiceMenuNode).where(VoiceMenuNode.parent_id.is_(None))
                            .order_by(VoiceMenuNode.key)).all()
    ordered: list[VoiceMenuNode] = []

    def walk(node: VoiceMenuNode) -> None:
        ordered.append(node)
        for child in sorted(node.children, key=lambda n: KEYS.index(n.key)):
            walk(child)

    for root in sorted(roots, key=lambda n: KEYS.index(n.key)):
        walk(root)
    return ordered


# -- announcements ------------------------------------------------------------------------------

@dataclass
class AnnouncementData:
    title: str
    text: str
    faq_ids: list[int] = field(default_factory=list)
    node_id: int | None = None           # None: a 语音信箱 greeting
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    note: str | None = None


def save_announcement(session: Session, actor, data: AnnouncementData,
                      announcement_id: int | None = None) -> VoiceAnnouncement:
    """Create (``announcement_id`` None) or edit an announcement; its wording is thereby confirmed
    against the FAQ entries as they now stand."""
    _require(can_edit_voice_menu(actor), "只有中心主任或征管处可以修改语音服务内容")
    title, text = (data.title or "").strip(), (data.text or "").strip()
    if not title:
        raise VoiceMenuError("请填写播报标题")
    if not text:
        raise VoiceMenuError("请填写播报文字")
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        raise VoiceMenuError("结束日期早于开始日期")
    node = get_node(session, data.node_id) if data.node_id else None
    entries = _published_entries(session, data.faq_ids)
    if node is not None and not entries:
        raise VoiceMenuError("菜单播报须依据至少一条已发布的问答")
    existing = get_announcement(session, announcement_id) if announcement_id is not None else None
    if existing is not None and (existing.node is None) != (node is None):
        raise VoiceMenuError("菜单播报与语音信箱提示不能互相转换")
    if node is not None:
        _check_windows(node, data.starts_on, data.ends_on, existing)
    if existing is None:
        announcement = VoiceAnnouncement(kind=MENU if node else GREETING, active=True, version=0)
        session.add(announcement)
        action = "created"
    else:
        announcement, action = existing, "edited"
    announcement.node, announcement.title, announcement.text = node, title, text
    announcement.starts_on, announcement.ends_on = data.starts_on, data.ends_on
    announcement.faq_links = [VoiceFaqLink(faq_entry_id=e.id, entry=e, position=i, faq_version=e.version)
                              for i, e in enumerate(entries)]
    announcement.updated_at = beijing_now()
    session.flush()
    _record(session, actor, announcement, action, data.note)
    return announcement


def review_announcement(session: Session, actor, announcement_id: int, note: str | None = None) -> VoiceAnnouncement:
    """The wording still stands: confirm it against the FAQ entries as they now stand."""
    _require(can_edit_voice_menu(actor), "只有中心主任或征管处可以复核语音服务内容")
    announcement = get_announcement(session, announcement_id)
    unusable = [link.faq_entry_id for link in announcement.faq_links
                if link.entry.status != PUBLISHED or link.entry.needs_review]
    if unusable:
        ids = "、".join(str(i) for i in unusable)
        raise VoiceMenuError(f"问答 {ids} 未发布或本身需复核，请先处理该问答或改选其他问答后再保存")
    for link in announcement.faq_links:
        link.faq_version = link.entry.version
    session.flush()
    _record(session, actor, announcement, "reviewed", note, force=True)
    return announcement


def remove_announcement(session: Session, actor, announcement_id: int, note: str | None = None) -> VoiceAnnouncement:
    """Stop playing it; the announcement and its history stay."""
    _require(can_edit_voice_menu(actor), "只有中心主任或征管处可以修改语音服务内容")
    announcement = get_announcement(session, announcement_id)
    announcement.active = False
    session.flush()
    _record(session, actor, announcement, "removed", note)
    return announcement


def _published_entries(session: Session, faq_ids) -> list[FaqEntry]:
    entries, problems = [], []
    for faq_id in dict.fromkeys(faq_ids or ()):
        entry = session.get(FaqEntry, faq_id)
        if entry is None:
            problems.append(f"问答 {faq_id} 不存在")
        elif entry.status != PUBLISHED:
            problems.append(f"问答 {faq_id} 尚未发布")
        elif entry.needs_review:
            problems.append(f"问答 {faq_id} 需复核")
        else:
            entries.append(entry)
    if problems:
        raise VoiceMenuError("；".join(problems) + "，语音播报只能依据已发布且无需复核的问答")
    return entries


def _window(announcement: VoiceAnnouncement) -> tuple[dt.date, dt.date]:
    return announcement.starts_on or dt.date.min, announcement.ends_on or dt.date.max


def _check_windows(node: VoiceMenuNode, starts_on: dt.date | None, ends_on: dt.date | None,
                   announcement: VoiceAnnouncement | None) -> None:
    """Two dated announcements of one topic may not overlap (which would play?)."""
    if starts_on is None and ends_on is None:
        return
    start, end = starts_on or dt.date.min, ends_on or dt.date.max
    for other in node.announcements:
        if other is announcement or not other.active or (other.starts_on is None and other.ends_on is None):
            continue
        other_start, other_end = _window(other)
        if start <= other_end and other_start <= end:
            raise VoiceMenuError(f"播放时段与“{other.title}”（{_period(other)}）重叠")


def _period(announcement: VoiceAnnouncement) -> str:
    if announcement.starts_on is None and announcement.ends_on is None:
        return "长期"
    start = announcement.starts_on.isoformat() if announcement.starts_on else "…"
    end = announcement.ends_on.isoformat() if announcement.ends_on else "…"
    return f"{start} 至 {end}"


def period_label(announcement: VoiceAnnouncement) -> str:
    return _period(announcement)


def playing_on(node: VoiceMenuNode, day: dt.date) -> VoiceAnnouncement | None:
    """What the topic plays on ``day``: the dated announcement whose window holds it, else the default."""
    dated = [a for a in node.announcements if a.active and (a.starts_on or a.ends_on)
             and _window(a)[0] <= day <= _window(a)[1]]
    if dated:
        return dated[0]
    return next((a for a in node.announcements if a.active and not (a.starts_on or a.ends_on)), None)


def get_announcement(session: Session, announcement_id: int) -> VoiceAnnouncement:
    return get_or_not_found(session, VoiceAnnouncement, announcement_id, "语音播报")


def greetings(session: Session) -> list[VoiceAnnouncement]:
    return list(session.scalars(select(VoiceAnnouncement).where(VoiceAnnouncement.kind == GREETING)
                                .order_by(VoiceAnnouncement.active.desc(), VoiceAnnouncement.id)))


# -- 需复核 ------------------------------------------------------------------------------------

def announcement_problems(announcement: VoiceAnnouncement) -> list[str]:
    """Why the announcement needs review, in Chinese (empty when its wording stands)."""
    problems = []
    for link in announcement.faq_links:
        entry = link.entry
        if entry.status != PUBLISHED:
            problems.append(f"所依据的问答 {entry.id} 已{entry.status_label}")
        elif entry.needs_review:
            problems.append(f"所依据的问答 {entry.id} 需复核：{entry.review_reason or '法律依据已变更'}")
        elif entry.version != link.faq_version:
            problems.append(f"所依据的问答 {entry.id} 已修改（第 {link.faq_version} 版 → 第 {entry.version} 版）")
    return problems


def announcement_status(announcement: VoiceAnnouncement) -> str:
    return NEEDS_REVIEW if announcement_problems(announcement) else CURRENT


def review_list(session: Session) -> list[tuple[VoiceAnnouncement, list[str]]]:
    """The director's list: active announcements needing review, with the reasons."""
    announcements = session.scalars(select(VoiceAnnouncement).where(VoiceAnnouncement.active.is_(True))
                                    .order_by(VoiceAnnouncement.id)).all()
    return [(a, problems) for a in announcements if (problems := announcement_problems(a))]


# -- the whole menu, as the CLI, the page and the printed script read it ----------------------------

@dataclass
class MenuLine:
    keys: str
    topic: str
    announcement: VoiceAnnouncement
    status: str
    plays_today: bool

    def as_json(self) -> dict:
        a = self.announcement
        return {"keys": self.keys, "title": a.title, "text": a.text, "faq_ids": a.faq_ids, "status": self.status,
                "topic": self.topic, "starts": a.starts_on.isoformat() if a.starts_on else None,
                "ends": a.ends_on.isoformat() if a.ends_on else None, "plays_today": self.plays_today,
                "version": a.version}


def menu_lines(session: Session, today: dt.date) -> list[MenuLine]:
    """Every active menu announcement in key order, each with its status and whether it plays today."""
    lines = []
    for node in menu_tree(session):
        playing = playing_on(node, today)
        for announcement in node.announcements:
            if announcement.active:
                lines.append(MenuLine(node.keys, node.title, announcement, announcement_status(announcement),
                                      announcement is playing))
    return lines


# -- versions -----------------------------------------------------------------------------------

def snapshot(announcement: VoiceAnnouncement) -> dict:
    return {
        "title": announcement.title, "text": announcement.text, "faq_ids": announcement.faq_ids,
        "starts_on": announcement.starts_on.isoformat() if announcement.starts_on else None,
        "ends_on": announcement.ends_on.isoformat() if announcement.ends_on else None,
        "node": announcement.keys, "active": bool(announcement.active),
    }


def _record(session: Session, actor, announcement: VoiceAnnouncement, action: str, note: str | None,
            force: bool = False) -> VoiceAnnouncementVersion | None:
    current = snapshot(announcement)
    previous = announcement.versions[-1].snapshot if announcement.versions else {}
    changed = [key for key, _label in _SNAPSHOT_FIELDS if previous.get(key) != current.get(key)]
    if not changed and not force:
        return None
    announcement.version = (announcement.version or 0) + (1 if changed or not announcement.versions else 0)
    version = VoiceAnnouncementVersion(
        number=len(announcement.versions) + 1, action=action, actor_id=getattr(actor, "id", None),
        actor_name=actor_label(actor)[:100], changed_at=beijing_now(), changed_fields=changed, snapshot=current,
        note=(note or "").strip()[:1000] or None)
    announcement.versions.append(version)
    session.flush()
    return version

