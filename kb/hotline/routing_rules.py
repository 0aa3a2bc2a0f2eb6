"""The director's routing rules, stored in the database and seeded from the shipped file.

``load_rules(session)`` gives the rules ``kb.hotline.routing.route`` applies: the stored, enabled ones in
their order, or the shipped ones while none are stored. Only the director (and the admin) may
add, change or switch off a rule; every rule is checked (``kb.hotline.routing.rule_from_dict``) before
it is stored, so a typo cannot break routing.
"""
from __future__ import annotations


from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.core.db import get_or_not_found
from kb.core.departments import department_names
from kb.core.permissions import Forbidden, role_of
from kb.hotline.routing import Rule, RouteDecision, RuleError, route, rule_from_dict, shipped_rules
from kb.hotline.routing_training import active_model
from kb.accounts.roles import ADMIN, DIRECTOR
from kb.core.timestamps import beijing_now
from kb.hotline.models import RoutingRule


def can_edit_routing_rules(actor) -> bool:
    return role_of(actor) in (DIRECTOR, ADMIN)


def seed_routing_rules(session: Session) -> int:
    """Store the shipped rules when the table is empty; return how many were added."""
    if session.scalar(select(func.count(RoutingRule.id))):
        return 0
    for position, rule in enumerate(shipped_rules()):
        session.add(_row_from(rule, RoutingRule(position=position)))
    session.flush()
    return len(shipped_rules())


def list_rules(session: Session) -> list[RoutingRule]:
    return list(session.scalars(select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id)))


def load_rules(session: Session) -> list[Rule]:
    rows = list_rules(session)
    if not rows:
        return shipped_rules()
    return [row.as_rule() for row in rows if row.enabled]


def suggest_department(session: Session, text: str, category: str | None = None,
                       tax_type: str | None = None) -> RouteDecision:
    return route(text, category=category, tax_type=tax_type, rules=load_rules(session), model=active_model(session))


def save_rule(session: Session, actor, data: dict) -> RoutingRule:
    """Add a rule, or change the one with ``data["id"]`` (or named ``data["original_name"]``): name,
    department, priority, category, tax_types, words, enabled. New rules go last among equals."""
    if not can_edit_routing_rules(actor):
        raise Forbidden("只有中心主任可以修改转办规则")
    rule = rule_from_dict({**data, "id": None}, department_names(session))
    seed_routing_rules(session)  # editing starts from the shipped rules
    rule_id = data.get("id")
    if not rule_id and data.get("original_name"):  # a shipped rule, edited before any was stored
        rule_id = session.scalar(select(RoutingRule.id).where(RoutingRule.name == data["original_name"]))
    clash = session.scalar(select(RoutingRule).where(RoutingRule.name == rule.name))
    if clash is not None and clash.id != rule_id:
        raise RuleError(f"已有名为“{rule.name}”的规则")
    if rule_id:
        row = get_or_not_found(session, RoutingRule, rule_id, "转办规则")
    else:
        last = session.scalar(select(func.max(RoutingRule.position))) or 0
        row = RoutingRule(position=last + 1)
        session.add(row)
    _row_from(rule, row)
    row.enabled = bool(data.get("enabled", True))
    row.updated_at, row.updated_by_id = beijing_now(), getattr(actor, "id", None)
    session.flush()
    return row


def _row_from(rule: Rule, row: RoutingRule) -> RoutingRule:
    row.name, row.department, row.priority, row.category = rule.name, rule.department, rule.priority, rule.category
    row.tax_types, row.words = list(rule.tax_types), list(rule.words)
    return row
