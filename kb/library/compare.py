"""Article-by-article comparison of two versions of a document (发票管理办法 2019 → 2023).

Articles are paired in three passes: identical text (same number: unchanged, other number:
renumbered), then the same number with similar text (changed), then the most similar remaining
article (renumbered, possibly with edits). What is left is removed (old only) or added (new only).
Each pair carries a character diff for display.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from kb.library.models import ARTICLE, SECTION, Document, Unit

UNCHANGED = "unchanged"
CHANGED = "changed"
RENUMBERED = "renumbered"
ADDED = "added"
REMOVED = "removed"
KIND_LABELS = {UNCHANGED: "未变", CHANGED: "修改", RENUMBERED: "条号变动", ADDED: "新增", REMOVED: "删除"}

SAME_NUMBER_MIN = 0.5  # similarity for "the same article, edited"
MOVED_MIN = 0.6  # similarity for "the same article under another number"

_SPACE = re.compile(r"\s+")


@dataclass
class ArticleChange:
    kind: str
    old: Unit | None
    new: Unit | None
    similarity: float = 0.0
    text_changed: bool = False
    diff: list[tuple[str, str]] = field(default_factory=list)  # (equal|insert|delete, text)

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass
class Comparison:
    old: Document
    new: Document
    changes: list[ArticleChange]

    def count(self, kind: str) -> int:
        return sum(c.kind == kind for c in self.changes)

    @property
    def summary(self) -> dict[str, int]:
        return {kind: self.count(kind) for kind in KIND_LABELS}


def _articles(document: Document) -> list[Unit]:
    units = [u for u in document.units if u.kind == ARTICLE]
    return units or [u for u in document.units if u.kind == SECTION]


def _body(unit: Unit) -> str:
    """The article's text without its own label, whitespace removed."""
    text = _SPACE.sub("", unit.text or "")
    label = _SPACE.sub("", unit.label or "")
    return text[len(label):] if label and text.startswith(label) else text


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def text_diff(old: str, new: str) -> list[tuple[str, str]]:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    parts: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(("equal", old[i1:i2]))
        else:
            if i2 > i1:
                parts.append(("delete", old[i1:i2]))
            if j2 > j1:
                parts.append(("insert", new[j1:j2]))
    return parts


def compare_documents(old: Document, new: Document) -> Comparison:
    old_units, new_units = _articles(old), _articles(new)
    old_text = {u.id: _body(u) for u in old_units}
    new_text = {u.id: _body(u) for u in new_units}
    pairs: dict[int, tuple[Unit, float]] = {}  # new unit id -> (old unit, similarity)
    free_old = list(old_units)

    def pair(new_unit: Unit, old_unit: Unit, similarity: float) -> None:
        pairs[new_unit.id] = (old_unit, similarity)
        free_old.remove(old_unit)

    # 1. identical text
    by_text: dict[str, list[Unit]] = {}
    for unit in old_units:
        by_text.setdefault(old_text[unit.id], []).append(unit)
    for unit in new_units:
        candidates = [u for u in by_text.get(new_text[unit.id], []) if u in free_old]
        if candidates:
            best = next((u for u in candidates if u.label == unit.label), candidates[0])
            pair(unit, best, 1.0)
    # 2. same number, similar text
    for unit in new_units:
        if unit.id in pairs:
            continue
        same = next((u for u in free_old if u.label == unit.label), None)
        if same is not None:
            similarity = _ratio(old_text[same.id], new_text[unit.id])
            if similarity >= SAME_NUMBER_MIN:
                pair(unit, same, similarity)
    # 3. most similar remaining article, best pairs first
    candidates = []
    for unit in (u for u in new_units if u.id not in pairs):
        for other in free_old:
            matcher = difflib.SequenceMatcher(None, old_text[other.id], new_text[unit.id], autojunk=False)
            if matcher.real_quick_ratio() >= MOVED_MIN and matcher.quick_ratio() >= MOVED_MIN:
                similarity = matcher.ratio()
                if similarity >= MOVED_MIN:
                    candidates.append((similarity, unit, other))
    for similarity, unit, other in sorted(candidates, key=lambda c: (-c[0], c[1].seq, c[2].seq)):
        if unit.id not in pairs and other in free_old:
            pair(unit, other, similarity)

    changes: list[tuple[float, ArticleChange]] = []
    old_position = {u.id: i for i, u in enumerate(old_units)}
    new_position: dict[int, float] = {}  # old position -> new position of its partner
    for index, unit in enumerate(new_units):
        if unit.id in pairs:
            old_unit, similarity = pairs[unit.id]
            new_position[old_position[old_unit.id]] = index
            text_changed = old_text[old_unit.id] != new_text[unit.id]
            if old_unit.label != unit.label:
                kind = RENUMBERED
            else:
                kind = CHANGED if text_changed else UNCHANGED
            diff = text_diff(old_text[old_unit.id], new_text[unit.id]) if text_changed else []
            changes.append((index, ArticleChange(kind, old_unit, unit, similarity, text_changed, diff)))
        else:
            changes.append((index, ArticleChange(ADDED, None, unit, 0.0, True, [("insert", new_text[unit.id])])))
    for unit in free_old:
        position = old_position[unit.id]
        before = [new_position[p] for p in new_position if p < position]
        key = (max(before) if before else -1) + 0.5
        changes.append((key, ArticleChange(REMOVED, unit, None, 0.0, True, [("delete", old_text[unit.id])])))
    changes.sort(key=lambda item: item[0])
    return Comparison(old=old, new=new, changes=[c for _, c in changes])
