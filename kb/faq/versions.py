"""Every version of an FAQ entry: a snapshot of its fields, who changed it and a diff against the one before."""
from __future__ import annotations

import difflib

from sqlalchemy.orm import Session

from kb.core.actors import actor_id, actor_name
from kb.faq.models import STATUS_LABELS, FaqEntry, FaqVersion
from kb.core.timestamps import utc_now


def snapshot(entry: FaqEntry) -> dict:
    return {
        "question": entry.question,
        "phrasings": list(entry.phrasings or []),
        "answer": entry.answer,
        "citations": [c.citation_text for c in entry.citations],
        "references": [c.reference for c in entry.citations],
        "tax_types": list(entry.tax_types or []),
        "status": entry.status,
        "owner_id": entry.owner_id,
        "review_by": entry.review_by.isoformat() if entry.review_by else None,
        "needs_review": bool(entry.needs_review),
    }


FIELD_LABELS = (("question", "问题"), ("phrasings", "其他问法"), ("answer", "答案"), ("citations", "法律依据"),
                 ("tax_types", "税种"), ("status", "状态"), ("owner_id", "负责人"), ("review_by", "复核日期"),
                 ("needs_review", "需复核"))


def snapshot_lines(data: dict) -> list[str]:
    """A snapshot as text lines, so two versions can be diffed."""
    lines = []
    for key, label in FIELD_LABELS:
        value = data.get(key)
        if key == "status":
            value = STATUS_LABELS.get(value, value)
        if key == "needs_review":
            value = "是" if value else "否"
        if isinstance(value, list):
            lines += [f"{label}：{item}" for item in value] or [f"{label}："]
        elif key == "answer":
            lines += [f"{label}：{line}" for line in (value or "").splitlines()] or [f"{label}："]
        else:
            lines.append(f"{label}：{'' if value is None else value}")
    return lines


def record_version(session: Session, actor, entry: FaqEntry, action: str, note: str | None = None) -> FaqVersion | None:
    """Add a version when something changed (or the action itself is the change, e.g. flagged)."""
    current = snapshot(entry)
    previous = entry.versions[-1].snapshot if entry.versions else {}
    changed = [key for key, _label in FIELD_LABELS if previous.get(key) != current.get(key)]
    if not changed and action == "edited":
        return None
    diff = "\n".join(difflib.unified_diff(
        snapshot_lines(previous) if previous else [], snapshot_lines(current),
        fromfile=f"v{entry.version}", tofile=f"v{entry.version + 1}", lineterm="",
    ))
    entry.version = (entry.version or 0) + 1
    version = FaqVersion(
        number=entry.version, action=action, actor_id=actor_id(actor),
        actor_name=actor_name(actor), changed_at=utc_now(), changed_fields=changed, snapshot=current,
        diff=diff, note=(note or None) and note[:1000],
    )
    entry.versions.append(version)
    session.flush()
    return version
