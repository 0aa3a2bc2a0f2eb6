"""The 转办单 form before it is submitted: what the agent passed, completed from the saved call.

"填写转办单" after saving a call (处理方式 转办) opens the form with the call's id only; the form
starts with the call's question, category, tax type, caller and the citations the agent copied,
and shows the department the router suggests (``kb.hotline.routing_rules.suggest_department``) before the
agent chooses among the departments. The caller and the content of a confidential call (举报/投诉)
are shown only to those who may see them (``kb.hotline.redaction``, audited); for the others the form
says the call's own record is used (``open_referral`` takes both from the call).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from kb.hotline.calls import get_call_for_use
from kb.core.permissions import Forbidden
from kb.hotline.redaction import caller_view, can_view_content
from kb.hotline.referrals import can_open_referral
from kb.hotline.routing import RouteDecision
from kb.hotline.routing_rules import suggest_department


@dataclass
class ReferralDraft:
    fields: dict                      # question, category, tax_type, caller_name, caller_contact, ...
    decision: RouteDecision | None    # the router's suggestion, when there is a question
    caller_from_call: bool = False    # the call's caller is used without being shown (confidential)
    content_from_call: bool = False   # the call's question too (a 举报's content identifies the informant)

    @property
    def suggested(self) -> str | None:
        return (self.decision.office or self.decision.department) if self.decision else None


def _text(data: dict, key: str) -> str:
    return (data.get(key) or "").strip()


def referral_draft(session: Session, actor, data: dict) -> ReferralDraft:
    """The form's fields from ``data`` (question, category, tax_type, caller_name, caller_contact,
    department, searched, articles, call_id), blanks filled from the saved call ``call_id``."""
    if not can_open_referral(actor):
        raise Forbidden("只有咨询服务员和中心主任可以填写转办单")
    fields = {
        "question": _text(data, "question"), "category": _text(data, "category"),
        "tax_type": _text(data, "tax_type"), "caller_name": _text(data, "caller_name"),
        "caller_contact": _text(data, "caller_contact"), "department": _text(data, "department"),
        "searched": [s.strip() for s in data.get("searched") or [] if s and s.strip()],
        "articles": [a.strip() for a in data.get("articles") or [] if a and a.strip()],
        "call_id": data.get("call_id"),
    }
    caller_from_call = content_from_call = False
    routed_question = fields["question"]
    if fields["call_id"]:
        call = get_call_for_use(session, actor, fields["call_id"])  # another agent's call: Forbidden
        if fields["question"] or can_view_content(actor, call):
            fields["question"] = fields["question"] or call.question
        else:
            content_from_call = True
        routed_question = fields["question"] or call.question
        fields["category"] = fields["category"] or call.category
        fields["tax_type"] = fields["tax_type"] or call.tax_type or ""
        for citation in call.citations or []:
            if citation not in fields["articles"]:
                fields["articles"].append(citation)
        if not (fields["caller_name"] or fields["caller_contact"]) and (call.caller_name or call.caller_phone):
            caller = caller_view(session, actor, call)
            if caller["redacted"]:
                caller_from_call = True
            else:
                fields["caller_name"], fields["caller_contact"] = caller["name"] or "", caller["contact"] or ""
    fields["category"] = fields["category"] or "政策咨询"
    decision = suggest_department(session, routed_question, category=fields["category"],
                                  tax_type=fields["tax_type"] or None) if routed_question else None
    return ReferralDraft(fields=fields, decision=decision, caller_from_call=caller_from_call,
                         content_from_call=content_from_call)
