"""Which department a request the agent cannot answer goes to, and why.

``route(text, category=None, tax_type=None, rules=None, model=None)`` is a pure function: it needs
no database. Two layers decide:

1. **The director's rules** (``kb/hotline/data/routing_rules.json`` as shipped; the director's edited copy
   lives in the ``routing_rules`` table, see ``kb.hotline.routing_rules``) are explicit overrides: when one
   matches, it decides, and the reason says so (``主任规则…，优先于模型``).
2. Otherwise **the classifier** (``kb.hotline.routing_model``, fitted on labelled requests) decides, with a
   confidence. Below the model's threshold the agent is asked to choose between the two likeliest
   departments (``needs_choice``), both shown with the words that weighed most.

A request whose category is 举报 or 投诉 (confidential) never goes to a policy department: the rules
for those are skipped and the classifier chooses among ``CONFIDENTIAL_TARGETS`` only.
Negation counts: a word inside ``不是要举报，…`` matches no rule and weighs as negated in the model.

``route_by_rules`` is the rules alone (the baseline ``bench/routing.py`` compares with): of the
matching rules the highest ``priority`` wins; a tie goes to the rule with more matching words, then
longer ones (土地增值税 over 增值税), then to the earlier rule; when nothing matches, a policy question
for 业务处室.

A rule says: when the call's category is ``category`` (if given), its tax type is one of
``tax_types`` (if given) and the text matches one of ``words`` (if given), send it to
``department`` (a department or a destination group). A word pattern is written the way a domain
expert would write it:

- ``虚开``: the text contains 虚开;
- ``想/要/准备``: any of the alternatives;
- ``想/要+举报``: 想 or 要, then 举报 within ``WINDOW`` characters in the same sentence;
- ``税务人员/专管员 & 投诉``: both parts anywhere in the text (each part may use ``+``).

Every decision carries a ``reason`` in Chinese naming the rule and the words matched, or the
model's confidence and the words that weighed most.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Sequence

from kb.hotline.departments import (
    COLLECTION, DISTRICTS, GROUPS, INSPECTION, LEGAL, POLICY, SEED_BY_NAME, SUPERVISION, TAX_TYPES, group_of,
    office_for_tax,
)
from kb.core.errors import KbError
from kb.hotline.negation import mask_negated

RULES_FILE = Path(__file__).resolve().parent / "data" / "routing_rules.json"

# How far (in characters) the next part of a ``+`` sequence may start after the previous one.
WINDOW = 20
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")

CATEGORIES = ("政策咨询", "办税引导", "意见建议", "举报", "投诉", "行政复议申请", "其他")
CONFIDENTIAL_CATEGORIES = ("举报", "投诉")
# Where a 举报 or 投诉 may go: never a policy department, the 办公室 or a district liaison.
CONFIDENTIAL_TARGETS = (INSPECTION, SUPERVISION, LEGAL, COLLECTION)

# Everyday names of tax types, for the tax type shown with a decision.
TAX_ALIASES = {
    "个税": "个人所得税",  # not in 那个税务人员: see detect_tax_type "城建税": "城市维护建设税", "环保税": "环境保护税",
    "土地使用税": "城镇土地使用税", "留抵": "增值税", "社保": "社会保险费",
}


class RuleError(KbError):
    pass


@dataclass(frozen=True)
class Rule:
    name: str
    department: str
    priority: int = 0
    category: Optional[str] = None
    tax_types: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    id: Optional[int] = None


@dataclass
class RouteDecision:
    department: str            # one of DESTINATIONS (or 办公室 / 区（市、县）局)
    office: Optional[str]      # the receiving department: 所得税处, 稽查局 …; None when unknown
    reason: str
    rule: Optional[str] = None
    priority: Optional[int] = None
    matched: list[str] = field(default_factory=list)
    tax_type: Optional[str] = None
    others: list[dict] = field(default_factory=list)  # other matching rules, best first
    confidence: Optional[float] = None  # the model's probability of ``department`` (1.0 for a rule)
    alternatives: list[dict] = field(default_factory=list)  # the next likeliest: department, office, confidence, reason
    needs_choice: bool = False          # below the threshold: the agent chooses between this and alternatives[0]
    source: str = "rules"               # rule (the director's override), model, or rules (route_by_rules)

    def as_dict(self) -> dict:
        return asdict(self)

    def choices(self) -> list[dict]:
        """When the agent must choose: the two likeliest departments, each as ``department`` (the
        receiving department to select, "" when the agent must still pick one, e.g. which
        district's liaison), ``label`` and ``reason``; otherwise none."""
        if not (self.needs_choice and self.alternatives):
            return []
        first = {"department": self.department, "office": self.office, "reason": self.reason.split("；把握不足")[0]}
        return [
            {"department": option["office"] or "", "reason": option["reason"],
             "label": option["department"] if not option["office"] or option["office"] == option["department"]
             else f"{option['department']}（{option['office']}）"}
            for option in (first, self.alternatives[0])
        ]


# --- patterns -----------------------------------------------------------------------------

def normalise(text: str) -> str:
    """NFKC (full-width to half-width), no whitespace: what patterns are matched against."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def parse_pattern(pattern: str) -> list[list[list[str]]]:
    """``a/b+c & d`` -> [[["a", "b"], ["c"]], [["d"]]]: parts, each a sequence of alternatives."""
    parts = []
    for part in normalise(pattern).split("&"):
        groups = [[alt for alt in group.split("/")] for group in part.split("+")]
        if not part or any(not alt for group in groups for alt in group):
            raise RuleError(f"词语规则“{pattern}”写法有误：“/”“+”“&”两侧都要有词")
        parts.append(groups)
    return parts


def _find_sequence(text: str, groups: list[list[str]]) -> Optional[str]:
    """The first span of ``text`` where the groups occur in order, each within WINDOW of the last."""
    for first in groups[0]:
        start = text.find(first)
        while start >= 0:
            end = start + len(first)
            for group in groups[1:]:
                end = _next_within(text, end, group)
                if end is None:
                    break
            if end is not None:
                return text[start:end]
            start = text.find(first, start + 1)
    return None


def _next_within(text: str, pos: int, alternatives: list[str]) -> Optional[int]:
    best = None
    for alt in alternatives:
        at = text.find(alt, pos, pos + WINDOW + len(alt))
        if at >= 0 and not _SENTENCE_END.search(text, pos, at) and (best is None or at + len(alt) < best):
            best = at + len(alt)
    return best


def match_pattern(text: str, pattern: str) -> Optional[list[str]]:
    """The matched spans when every part of ``pattern`` occurs in (normalised) ``text``."""
    parts = parse_pattern(pattern)
    if len(parts) == 1 and len(parts[0]) == 1:  # a word list: report every word found
        found = sorted((text.find(alt), alt) for alt in set(parts[0][0]) if alt in text)
        return [alt for _at, alt in found] or None
    spans = []
    for groups in parts:
        span = _find_sequence(text, groups)
        if span is None:
            return None
        spans.append(span)
    return spans


# --- rules ----------------------------------------------------------------------------------

def rule_from_dict(data: dict, known_departments: Iterable[str] | None = None) -> Rule:
    """A checked ``Rule`` from plain data (the shipped file, the DB or the director's form)."""
    name = (data.get("name") or "").strip()
    department = (data.get("department") or "").strip()
    category = (data.get("category") or "").strip() or None
    tax_types = tuple(t.strip() for t in data.get("tax_types") or () if t.strip())
    words = tuple(w.strip() for w in data.get("words") or () if w.strip())
    known = set(known_departments or SEED_BY_NAME) | set(GROUPS)
    if not name:
        raise RuleError("规则名称不能为空")
    if department not in known:
        raise RuleError(f"规则“{name}”：未知的转办部门“{department}”")
    if category and category not in CATEGORIES:
        raise RuleError(f"规则“{name}”：未知的来电类别“{category}”")
    unknown = [t for t in tax_types if t not in TAX_TYPES]
    if unknown:
        raise RuleError(f"规则“{name}”：未知的税种“{'、'.join(unknown)}”")
    if not (category or tax_types or words):
        raise RuleError(f"规则“{name}”：类别、税种、词语至少要填一项")
    for word in words:
        parse_pattern(word)
    try:
        priority = int(data.get("priority") or 0)
    except (TypeError, ValueError):
        raise RuleError(f"规则“{name}”：优先级必须是整数") from None
    return Rule(name=name, department=department, priority=priority, category=category,
                tax_types=tax_types, words=words, id=data.get("id"))


def load_shipped_rules(path: Path | str = RULES_FILE) -> list[Rule]:
    with open(path, encoding="utf-8") as handle:
        return [rule_from_dict(item) for item in json.load(handle)["rules"]]


_SHIPPED: list[Rule] | None = None


def shipped_rules() -> list[Rule]:
    global _SHIPPED
    if _SHIPPED is None:
        _SHIPPED = load_shipped_rules()
    return _SHIPPED


def _match_rule(rule: Rule, text: str, category: Optional[str], tax_type: Optional[str]) -> Optional[list[str]]:
    """The matched words (possibly none) when the rule applies, else None."""
    if rule.category and rule.category != category:
        return None
    if rule.tax_types and tax_type not in rule.tax_types:
        return None
    if not rule.words:
        return []
    matched: list[str] = []
    for word in rule.words:
        for span in match_pattern(text, word) or ():
            if not any(span in other for other in matched):
                matched = [other for other in matched if other not in span] + [span]
    return matched or None


def detect_tax_type(text: str) -> Optional[str]:
    """The first tax type named in the text (longest names first), if any."""
    found = []
    for name in sorted(TAX_TYPES, key=len, reverse=True):
        if name in text:
            found.append((text.index(name), name))
    for alias, name in TAX_ALIASES.items():
        hit = re.search(rf"(?<![这那每一哪]){alias}", text)
        if hit:
            found.append((hit.start(), name))
    return min(found)[1] if found else None


def _rule_hits(rules: Sequence[Rule], text: str, category: Optional[str], tax_type: Optional[str]) -> list:
    """The matching rules, best first, each as (score…, rule, matched words). Negated words
    (``不是要举报``) do not match; a 举报 or 投诉 is never sent to a policy department by a rule."""
    masked = mask_negated(text)
    hits = []
    for order, rule in enumerate(rules):
        if category in CONFIDENTIAL_CATEGORIES and group_of(rule.department) not in CONFIDENTIAL_TARGETS:
            continue
        matched = _match_rule(rule, masked, category, tax_type)
        if matched is not None:
            hits.append((-rule.priority, -len(matched), -sum(map(len, matched)), order, rule, matched))
    hits.sort(key=lambda hit: hit[:4])
    return hits


def route(
    text: str, category: Optional[str] = None, tax_type: Optional[str] = None,
    rules: Sequence[Rule] | None = None, model=None,
) -> RouteDecision:
    """Suggest the department for a request: a rule that matches decides (an explicit override),
    else the classifier (``model``: default the one fitted on the shipped examples)."""
    from kb.hotline.routing_model import shipped_model

    model = shipped_model() if model is None else model
    clean = normalise(text)
    tax_type = tax_type or None
    hits = _rule_hits(shipped_rules() if rules is None else rules, clean, category, tax_type)
    allowed = CONFIDENTIAL_TARGETS if category in CONFIDENTIAL_CATEGORIES else None
    candidates = model.candidates(clean, allowed=allowed, tax_type=tax_type) if clean else []
    shown_tax = tax_type or detect_tax_type(clean)
    if hits:
        decision = _decide_by_rules(hits, category, tax_type, shown_tax, override=True)
        decision.source, decision.confidence = "rule", 1.0
        decision.alternatives = [_alternative(c) for c in candidates if c.label != decision.department][:2]
        return decision
    if not candidates:
        return RouteDecision(POLICY, office_for_tax(shown_tax), "问题为空，请坐席选定承办部门", tax_type=shown_tax,
                             confidence=0.0, needs_choice=True, source="model")
    best, others = candidates[0], candidates[1:]
    needs_choice = best.confidence < model.threshold and bool(others)
    reason = _model_reason(best)
    if needs_choice:
        reason += f"；把握不足，请坐席在“{_target(best)}”与“{_target(others[0])}”之间选定"
    return RouteDecision(
        department=best.label, office=best.office, reason=reason, tax_type=shown_tax,
        confidence=round(best.confidence, 3), alternatives=[_alternative(c) for c in others[:2]],
        needs_choice=needs_choice, source="model",
    )


def _target(candidate) -> str:
    office = candidate.office
    return candidate.label if not office or office == candidate.label else f"{candidate.label}（{office}）"


def _model_reason(candidate) -> str:
    words = "".join(f"“{w}”" for w in candidate.evidence) or "（无明显词语）"
    reason = f"模型判断（把握 {candidate.confidence:.0%}）：依据词语{words} → {_target(candidate)}"
    if candidate.label == DISTRICTS and not candidate.office:
        reason += "（未识别区县，请坐席选定联络员）"
    return reason


def _alternative(candidate) -> dict:
    return {"department": candidate.label, "office": candidate.office,
            "confidence": round(candidate.confidence, 3), "reason": _model_reason(candidate)}


def route_by_rules(
    text: str, category: Optional[str] = None, tax_type: Optional[str] = None,
    rules: Sequence[Rule] | None = None,
) -> RouteDecision:
    """The rules alone (no classifier): the baseline of ``bench/routing.py``."""
    clean = normalise(text)
    tax_type = tax_type or None
    hits = _rule_hits(shipped_rules() if rules is None else rules, clean, category, tax_type)
    return _decide_by_rules(hits, category, tax_type, tax_type or detect_tax_type(clean))


def _decide_by_rules(hits: list, category, tax_type, shown_tax, override: bool = False) -> RouteDecision:
    others = [
        {"rule": rule.name, "department": group_of(rule.department), "office": rule.department,
         "priority": rule.priority}
        for *_score, rule, _matched in hits[1:]
    ]
    if not hits:
        office = office_for_tax(shown_tax)
        reason = "未命中任何转办规则，按政策疑难问题转业务处室"
        reason += f"（税种“{shown_tax}”→ {office}）" if office else "（未识别税种，请坐席选定承办处室）"
        return RouteDecision(POLICY, office, reason, tax_type=shown_tax)
    *_score, rule, matched = hits[0]
    group = group_of(rule.department)
    office = rule.department if rule.department not in GROUPS else None
    if group == POLICY and office is None:
        office = office_for_tax(shown_tax)
    if group != POLICY and office is None:
        office = rule.department
    return RouteDecision(
        department=group, office=office, reason=_reason(rule, matched, category, tax_type, group, office, override),
        rule=rule.name, priority=rule.priority, matched=matched, tax_type=shown_tax, others=others,
    )


def _reason(rule: Rule, matched: list[str], category, tax_type, group: str, office: Optional[str],
            override: bool = False) -> str:
    evidence = []
    if rule.category:
        evidence.append(f"来电类别为“{category}”")
    if rule.tax_types:
        evidence.append(f"税种为“{tax_type}”")
    if matched:
        evidence.append("命中词语" + "".join(f"“{m}”" for m in matched))
    target = group if not office or office == group else f"{group}（{office}）"
    if override:
        return f"主任规则“{rule.name}”（优先级 {rule.priority}，优先于模型）：{'，'.join(evidence)} → {target}"
    return f"规则“{rule.name}”（优先级 {rule.priority}）：{'，'.join(evidence)} → {target}"

