"""The director's routing rules editor: the rules in force, one rule's form, and a try-it box.

Until the director saves a change, the shipped rules are shown; the first save stores them all
(``kb.hotline.routing_rules.save_rule``) and applies the change. The rule's form (``RuleForm``) checks what a
form can (name, a whole-number priority, a category offered); ``kb.hotline.routing.rule_from_dict`` checks the
rest (departments, tax types, word patterns), each with its Chinese message.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import BooleanField, HiddenField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from kb.core.departments import GROUPS, TAX_TYPES, department_names, group_of
from kb.core.errors import KbError
from kb.hotline.routing import CATEGORIES, shipped_rules
from kb.hotline.routing_rules import can_edit_routing_rules, list_rules, save_rule, suggest_department
from webapp.auth import require
from webapp.forms import Form, TextListField, form_error
from webapp.storage import db_session

bp = Blueprint("routing_admin", __name__, url_prefix="/routing")


class RuleForm(Form):
    id = IntegerField("规则编号", validators=[Optional()])
    original_name = HiddenField()
    name = StringField("规则名称", validators=[DataRequired("规则名称不能为空"),
                                           Length(max=100, message="规则名称不能超过 100 字")])
    department = StringField("转办部门", validators=[DataRequired("请选择转办部门")])
    priority = StringField("优先级", validators=[Optional(), Regexp(r"^\s*-?\d+\s*$", message="优先级必须是整数")])
    category = SelectField("来电类别", choices=[SelectChoice("", "（不限）")] + [SelectChoice(c) for c in CATEGORIES],
                           default="")
    tax_types = TextListField("税种")
    words = TextAreaField("词语")
    enabled = BooleanField("启用")

    def to_data(self) -> dict:
        return {"id": self.id.data, "original_name": self.original_name.data or None, "name": self.name.data,
                "department": self.department.data, "priority": self.priority.data, "category": self.category.data,
                "tax_types": self.tax_types.data, "words": (self.words.data or "").splitlines(),
                "enabled": self.enabled.data}

    def shown(self) -> dict:
        """What was typed, for the form shown again."""
        return {**self.to_data(), "id": self.id.data or "", "original_name": self.original_name.data or "",
                "words": self.words.data or "", "priority": self.priority.data or ""}


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
    form = RuleForm()
    if not form.validate_on_submit():
        return _form_page(form.shown(), form_error(form), 400)
    try:
        row = save_rule(db_session(), current_user, form.to_data())
    except KbError as problem:
        return _form_page(form.shown(), str(problem), 400)
    flash(f"已保存转办规则“{row.name}”", "success")
    return redirect(url_for("routing_admin.rules"))
