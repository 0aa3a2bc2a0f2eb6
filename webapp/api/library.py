"""API views on the library: search (as the CLI's ``search --json``), units, documents, who am I."""
from __future__ import annotations

from flask import current_app, jsonify
from flask_login import current_user

from indexer.searching import SearchRequest, search_and_log
from kb.library.operations import get_document, get_unit
from kb.library.listings import DocumentFilter, list_documents
from kb.library.models import STATUSES
from kb.accounts.users import can_read_library
from webapp import search_index
from webapp.api import bp
from webapp.api.auth import api_require
from webapp.api.errors import ApiProblem
from webapp.api.params import MAX_ID, PAGE_PARAMS, query_args
from webapp.api.registry import Param, operation
from webapp.api.shapes import document_full, document_summary, unit_full
from webapp.storage import db_session

READERS = "所有已登录角色"

SEARCH_PARAMS = (
    Param("q", "query", description="查询内容：几个词、来电人的整句问题，或“征管法第32条”", required=True,
          minLength=1, maxLength=500, pattern=r"\S"),
    Param("limit", "query", "integer", "返回条数（默认 10）", minimum=1, maximum=200, default=10),
    Param("include_old", "query", "boolean", "同时返回已失效、已修订的版本"),
    Param("as_of", "query", description="按该日有效的版本排序（YYYY-MM-DD）", format="date"),
    Param("tax_type", "query", description="只看该税种的文件，如 增值税", maxLength=50),
    Param("level", "query", description="只看该层级的文件，如 法律", maxLength=50),
    Param("status", "query", description="只看该状态的文件", enum=STATUSES),
)

DOCUMENT_PARAMS = (
    Param("status", "query", description="效力状态", enum=STATUSES),
    Param("level", "query", description="层级，如 法律、行政法规", maxLength=50),
    Param("tax_type", "query", description="税种，如 增值税", maxLength=50),
    Param("title", "query", description="标题中包含的文字", maxLength=300),
    *PAGE_PARAMS,
)


def check_id(value: int) -> int:
    if value > MAX_ID:
        raise ApiProblem(404, "编号不存在")
    return value

@operation(bp, "/search", "GET", summary="检索政策库（与命令行 search --json 的结果相同）", tag="检索",
           response="SearchResponse", params=SEARCH_PARAMS, roles=READERS)
@api_require(can_read_library)
def search():
    args = query_args(SEARCH_PARAMS)
    if not args["q"]:
        raise ApiProblem(400, "请提供查询内容（参数 q）")
    wanted = SearchRequest(query=args.pop("q"), **args)
    response = search_and_log(db_session(), current_user, wanted, search_index.searcher(current_app))
    return jsonify(response.to_dict())

@operation(bp, "/units/<int:unit_id>", "GET", summary="一个条文单元：引用、效力状态、款项与交叉引用", tag="政策库",
           response="Unit", params=(Param("unit_id", "path", "integer", "条文单元编号", required=True),),
           roles=READERS)
@api_require(can_read_library)
def unit(unit_id: int):
    return jsonify(unit_full(get_unit(db_session(), check_id(unit_id))))

@operation(bp, "/documents", "GET", summary="文件列表（可按状态、层级、税种、标题筛选）", tag="政策库",
           response="DocumentList", roles=READERS, params=DOCUMENT_PARAMS)
@api_require(can_read_library)
def documents():
    page = list_documents(db_session(), DocumentFilter(**query_args(DOCUMENT_PARAMS)))
    return jsonify({"total": page.total, "limit": page.limit, "offset": page.offset,
                    "documents": [document_summary(d) for d in page.items]})

@operation(bp, "/documents/<int:document_id>", "GET", summary="一个文件及其全部条文单元", tag="政策库",
           response="Document", params=(Param("document_id", "path", "integer", "文件编号", required=True),),
           roles=READERS)
@api_require(can_read_library)
def document(document_id: int):
    return jsonify(document_full(get_document(db_session(), check_id(document_id))))

@operation(bp, "/me", "GET", summary="当前令牌或会话所代表的用户", tag="账号", response="Me", roles=READERS)
@api_require(lambda user: True)
def me():
    return jsonify({"id": current_user.id, "username": current_user.username, "role": current_user.role,
                    "role_label": current_user.role_label, "department": current_user.department,
                    "staff_no": current_user.staff_no})

