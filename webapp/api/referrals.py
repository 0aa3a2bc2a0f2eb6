"""API views on referrals (转办单): list, read and open, with the pages' role rules.

The caller's identity goes through ``kb.hotline.redaction.caller_view``: redacted unless the reader may
see it, and every clear view of a 举报/投诉 caller is written to the audit log. The content of a
confidential referral (question, answer, feedback, return reason, what was searched) is redacted
for the same readers (``kb.hotline.redaction.referral_content``). Lists carry no identity at all; read one
referral to see it.
"""
from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from kb.library.listings import ReferralFilter, list_referrals
from kb.hotline.referrals import STATES, NewReferral, can_open_referral, can_view_referral, get_referral, open_referral
from kb.hotline.routing import CATEGORIES
from kb.accounts.users import ROLES
from webapp.api import bp
from webapp.api.auth import api_require
from webapp.api.errors import ApiProblem
from webapp.api.library import check_id
from webapp.api.params import PAGE_PARAMS, body_int, body_list, body_text, json_body, query_args
from webapp.api.registry import Param, operation
from webapp.api.shapes import referral_full, referral_summary
from webapp.storage import db_session

VIEWERS = "咨询服务员、政策法规岗、中心主任、管理员（全部）；部门用户（仅转给本部门的）"


def _any_role(user) -> bool:
    return getattr(user, "role", None) in ROLES


LIST_PARAMS = (Param("state", "query", description="状态", enum=STATES), *PAGE_PARAMS)


@operation(bp, "/referrals", "GET", summary="转办单列表（不含来电人身份）", tag="转办", response="ReferralList",
           roles=VIEWERS, params=LIST_PARAMS)
@api_require(_any_role)
def referral_list():
    page = list_referrals(db_session(), current_user, ReferralFilter(**query_args(LIST_PARAMS)))
    return jsonify({"total": page.total, "limit": page.limit, "offset": page.offset,
                    "referrals": [referral_summary(current_user, r) for r in page.items]})


@operation(bp, "/referrals/<int:referral_id>", "GET", summary="一张转办单；来电人身份按保密规则显示或隐去，明文查看记入审计日志",
           tag="转办", response="Referral", roles=VIEWERS,
           params=(Param("referral_id", "path", "integer", "转办单编号", required=True),))
@api_require(_any_role)
def referral_get(referral_id: int):
    session = db_session()
    referral = get_referral(session, check_id(referral_id))
    if not can_view_referral(current_user, referral):
        raise ApiProblem(404, f"转办单 {referral_id} 不存在")
    return jsonify(referral_full(session, current_user, referral))


@operation(bp, "/referrals", "POST", summary="填写转办单（草稿，附系统建议的承办部门）", tag="转办",
           response="Referral", body="ReferralInput", roles="咨询服务员、中心主任", status=201,
           errors=(403, 404))  # call_id of another agent's call / of no call
@api_require(can_open_referral)
def referral_create():
    body = json_body()
    category = body_text(body, "category", max_length=20)
    if category is not None and category not in CATEGORIES:
        raise ApiProblem(400, f"来电类别“{category}”无效，应为 {'/'.join(CATEGORIES)}")
    data = NewReferral(
        caller_name=body_text(body, "caller_name", max_length=100) or "",
        caller_contact=body_text(body, "caller_contact", max_length=100) or "",
        question=body_text(body, "question", max_length=5000), call_id=body_int(body, "call_id"),
        category=category, tax_type=body_text(body, "tax_type", max_length=30),
        searched=body_list(body, "searched") or [], articles=body_list(body, "articles") or [],
        department=body_text(body, "department", max_length=100),
    )
    session = db_session()
    referral = open_referral(session, current_user, data)
    return jsonify(referral_full(session, current_user, referral)), 201
