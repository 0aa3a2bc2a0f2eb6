"""API views on the FAQ: published answers for everyone; the policy office and director edit them."""
from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from kb.faq.operations import (
    FaqData, can_edit_faq, can_publish_faq, change_status, create_entry, get_entry, list_entries, update_entry,
)
from kb.faq.models import DRAFT, PUBLISHED, STATUSES
from kb.accounts.users import can_read_library
from webapp.api import bp
from webapp.api.auth import api_require
from webapp.api.errors import ApiProblem
from webapp.api.library import READERS, check_id
from webapp.api.params import PAGE_PARAMS, body_date, body_int, body_list, body_text, json_body, query_args
from webapp.api.registry import Param, operation
from webapp.api.shapes import faq_entry
from webapp.storage import db_session

EDITORS = "政策法规岗、中心主任、管理员（发布与撤下：中心主任、管理员）"
ID_PARAM = Param("entry_id", "path", "integer", "问答编号", required=True)


def _visible(entry) -> bool:
    return entry.status == PUBLISHED or can_edit_faq(current_user)


def _data(body: dict) -> FaqData:
    return FaqData(question=body_text(body, "question", max_length=500), phrasings=body_list(body, "phrasings"),
                   answer=body_text(body, "answer", max_length=20000), citations=body_list(body, "citations"),
                   tax_types=body_list(body, "tax_types"), owner_id=body_int(body, "owner_id"),
                   review_by=body_date(body, "review_by"))


def _check_status_change(status: str | None, current: str | None) -> None:
    if status is None or status == current:
        return
    if PUBLISHED in (status, current) and not can_publish_faq(current_user):
        raise ApiProblem(403, "只有中心主任或管理员可以发布或撤下问答")


FAQ_LIST_PARAMS = (Param("status", "query", description="状态（非 published 仅编辑角色可查）", enum=STATUSES),
                   *PAGE_PARAMS)


@operation(bp, "/faq", "GET", summary="问答列表：默认为已发布的问答；编辑角色可按状态查看", tag="问答",
           response="FaqList", roles=READERS, params=FAQ_LIST_PARAMS)
@api_require(can_read_library)
def faq_list():
    args = query_args(FAQ_LIST_PARAMS)
    status = args["status"] or PUBLISHED
    if status != PUBLISHED and not can_edit_faq(current_user):
        raise ApiProblem(403, "只有政策法规岗、中心主任或管理员可以查看未发布的问答")
    limit, offset = args["limit"], args["offset"]
    entries = list_entries(db_session(), status)
    return jsonify({"total": len(entries), "limit": limit, "offset": offset,
                    "entries": [faq_entry(e) for e in entries[offset:offset + limit]]})


@operation(bp, "/faq/<int:entry_id>", "GET", summary="一条问答", tag="问答", response="FaqEntry",
           params=(ID_PARAM,), roles=READERS)
@api_require(can_read_library)
def faq_get(entry_id: int):
    entry = get_entry(db_session(), check_id(entry_id))
    if not _visible(entry):
        raise ApiProblem(404, f"问答 {entry_id} 不存在")
    return jsonify(faq_entry(entry))


@operation(bp, "/faq", "POST", summary="新建问答（默认为草稿）", tag="问答", response="FaqEntry", body="FaqNew",
           roles=EDITORS, status=201)
@api_require(can_edit_faq)
def faq_create():
    body = json_body()
    status = DRAFT if body.get("status") is None else body["status"]
    if not isinstance(status, str) or status not in STATUSES:
        raise ApiProblem(400, f"状态“{status}”无效，应为 {'/'.join(STATUSES)}")
    _check_status_change(status, DRAFT)
    entry = create_entry(db_session(), current_user, _data(body), status=status)
    return jsonify(faq_entry(entry)), 201


@operation(bp, "/faq/<int:entry_id>", "PATCH", summary="修改问答；给出 status 时按流程改变状态", tag="问答",
           response="FaqEntry", body="FaqInput", params=(ID_PARAM,), roles=EDITORS)
@api_require(can_edit_faq)
def faq_update(entry_id: int):
    body = json_body()
    session = db_session()
    entry = get_entry(session, check_id(entry_id))
    status = body.get("status")
    if status is not None and (not isinstance(status, str) or status not in STATUSES):
        raise ApiProblem(400, f"状态“{status}”无效，应为 {'/'.join(STATUSES)}")
    _check_status_change(status, entry.status)
    data = _data(body)
    if any(value is not None for value in vars(data).values()):
        update_entry(session, current_user, entry, data)
    if status is not None and status != entry.status:
        change_status(session, current_user, entry, status, body_text(body, "note", max_length=1000))
    return jsonify(faq_entry(entry))
