"""The director's routing rules editor: the rules in force, one rule's form, and a try-it box.

Until the director saves a change, the shipped rules are shown; the first save stores them all
(``kb.hotline.routing_rules.save_rule``) and applies the change.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from kb.core.departments import GROUPS, TAX_TYPES, department_names, group_of
from kb.core.errors import KbError
from kb.hotline.routing import CATEGORIES, shipped_rules
from kb.hotline.routing_rules import can_edit_routing_rules, list_rules, save_rule, suggest_department
from webapp.auth import require
from webapp.storage import db_session

bp = Blueprint("routing_admin", __name__, url_prefix="/routing")


def _rules() -> tuple[list, bool]:
    """(rules as shown, whether they are the shipped ones)."""
    stored = list_rules(db_session())
    return (stored, False) if stored else (shipped_rules(), True)


def _targets() -> list[str]:
    order = {group: i for i, group in enumerate(GROUPS)}
    names = set(department_names(db_session())) | set(GROUPS)
    return sorted(names, key=lambda name: (order.get(group_of(name), 99), name not in GROUPS, name))


def _form_page(rule: dict, error: str | None = None, status: int = 200):
    return render_template("routing_admin/rule.html", rule=rule, error=error, targets=_targets(),
                           categories=CATEGORIES, tax_types=TAX_TYPES), status


def _as_form(rule) -> dict:
    return {"id": getattr(rule, "id", None) or "", "original_name": rule.name, "name": rule.name,
            "department": rule.department, "priority": rule.priority, "category": rule.category or "",
            "tax_types": list(rule.tax_types or ()), "words": "\n".join(rule.words or ()),
            "enabled": getattr(rule, "enabled", True)}


@bp.get("/rules")
@require(can_edit_routing_rules)
def rules():
    rows, shipped = _rules()
    text = (request.args.get("text") or "").strip()
    decision = suggest_department(db_session(), text, category=request.args.get("category") or None,
                                  tax_type=request.args.get("tax_type") or None) if text else None
    return render_template("routing_admin/rules.html", rules=rows, shipped=shipped, decision=decision,
                           text=text, categories=CATEGORIES, tax_types=TAX_TYPES)


@bp.get("/rules/new")
@require(can_edit_routing_rules)
def new():
    return _form_page({"id": "", "original_name": "", "name": "", "department": "", "priority": 0,
                       "category": "", "tax_types": [], "words": "", "enabled": True})


@bp.get("/rules/edit")
@require(can_edit_routing_rules)
def edit():
    name = request.args.get("name") or ""
    rows, _shipped = _rules()
    rule = next((r for r in rows if r.name == name), None)
    if rule is None:
        flash(f"没有名为“{name}”的规则", "error")
        return redirect(url_for("routing_admin.rules"))
    return _form_page(_as_form(rule))


@bp.post("/rules")
@require(can_edit_routing_rules)
def save():
    form = request.form
    data = {
        "id": form.get("id", type=int), "original_name": form.get("original_name") or None,
        "name": form.get("name"), "department": form.get("department"), "priority": form.get("priority"),
        "category": form.get("category"), "tax_types": form.getlist("tax_types"),
        "words": [w for w in (form.get("words") or "").splitlines()], "enabled": form.get("enabled") == "1",
    }
    try:
        row = save_rule(db_session(), current_user, data)
    except KbError as problem:
        shown = {**data, "id": data["id"] or "", "words": form.get("words") or "", "original_name": form.get(
            "original_name") or ""}
        return _form_page(shown, str(problem), 400)
    flash(f"已保存转办规则“{row.name}”", "success")
    return redirect(url_for("routing_admin.rules"))
