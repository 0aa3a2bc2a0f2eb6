"""The OpenAPI 3.1 description of the JSON API, served at ``/api/v1/openapi.json``.

Paths come from the route registry (``webapp.api.registry.OPERATIONS``): every API view is
declared there once, so the description lists exactly the real routes. The schemas below are
JSON Schema 2020-12 and are checked against real responses by ``tests/test_openapi.py``.
"""
from __future__ import annotations

from flask import jsonify

from kb.hotline.routing import CATEGORIES
from webapp.api import bp
from webapp.api.errors import CODES
from webapp.api.registry import OPERATIONS, operation


def _nullable(kind: str, **extra) -> dict:
    return {"type": [kind, "null"], **extra}


STR, INT, BOOL, NUM = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}, {"type": "number"}
STR_N, INT_N = _nullable("string"), _nullable("integer")
ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}  # a row id given in a request body
STR_LIST = {"type": "array", "items": STR}
TEXT = {"type": "string", "minLength": 1, "pattern": r"\S"}  # a text that must not be blank


def _or_null(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: dict, required: tuple | None = None) -> dict:
    return {"type": "object", "properties": properties,
            "required": list(properties if required is None else required)}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _list(key: str, item: str) -> dict:
    return _object({"total": INT, "limit": INT, "offset": INT, key: {"type": "array", "items": _ref(item)}})


SCHEMAS: dict[str, dict] = {
    "Error": _object({"error": _object({"code": STR, "message": STR})}),
    "SearchResult": _object({
        "type": STR, "source": STR, "doc_title": STR, "unit": STR, "status": STR, "score": NUM,
        "snippet": {**STR, "description": "HTML 片段，命中词以 <mark> 标出"}, "citation": STR, "unit_id": INT,
        "document_id": INT, "chapter": STR_N, "tax_types": STR_LIST, "level": STR_N,
        "validity": {"enum": ["in_force", "pending", "outdated"]}, "outdated": BOOL, "superseded_by": STR_N,
        "effective_on": STR_N, "valid_until": STR_N, "match": {"enum": ["citation", "text"]}, "key": STR,
        "kind": STR,
    }),
    "SearchResponse": _object({"query": STR, "results": {"type": "array", "items": _ref("SearchResult")},
                               "took_ms": NUM, "suggestion": STR_N, "notices": STR_LIST,
                               "confidence": {"type": "string", "enum": ["high", "low"],
                                              "description": "low：政策库中可能没有答案"}}),
    "Reference": _object({"kind": STR, "mention": STR, "target_title": STR_N, "target_document_id": INT_N,
                          "target_label": STR_N, "target_paragraph": INT_N}),
    "UnitBrief": _object({"id": INT, "label": STR, "kind": STR, "book": STR_N, "chapter": STR_N,
                          "section": STR_N, "citation": STR, "text": STR}),
    "DocumentSummary": _object({
        "id": INT, "title": STR, "citation": STR, "doc_number": STR_N, "issuer": STR_N, "level": STR_N,
        "status": STR, "tax_types": STR_LIST, "published_on": STR_N, "effective_on": STR_N, "expires_on": STR_N,
        "superseded_by": STR_N, "superseded_by_id": INT_N, "source": STR,
    }),
    "DocumentList": _list("documents", "DocumentSummary"),
    "Me": _object({"id": INT, "username": STR, "role": STR, "role_label": STR, "department": STR_N,
                   "staff_no": STR_N}),
    "FaqCitation": _object({"citation": STR, "unit_id": INT_N, "document_id": INT_N, "in_force": BOOL}),
    "FaqEntry": _object({
        "id": INT, "question": STR, "phrasings": STR_LIST, "answer": STR, "answer_html": STR,
        "citations": {"type": "array", "items": _ref("FaqCitation")}, "tax_types": STR_LIST, "status": STR,
        "needs_review": BOOL, "warning": STR_N, "version": INT, "review_by": STR_N, "published_at": STR_N,
    }),
    "FaqList": _list("entries", "FaqEntry"),
    # PATCH: a field left out or null is left as it is.
    "FaqInput": {"type": "object", "properties": {
        "question": _or_null({**TEXT, "maxLength": 500}),
        "answer": _or_null({**STR, "maxLength": 20000, "description": "Markdown"}),
        "phrasings": _or_null(STR_LIST),
        "citations": _or_null({**STR_LIST, "description": "引用，如“《中华人民共和国税收征收管理法》第三十二条”"}),
        "tax_types": _or_null(STR_LIST), "owner_id": _or_null(ID), "review_by": _or_null({**STR, "format": "date"}),
        "status": {"enum": ["draft", "in_review", "published", "retired", None]}, "note": _or_null(STR),
    }},
    "Caller": _object({"name": STR_N, "contact": STR_N, "redacted": BOOL}),
    "ReferralEvent": _object({"at": STR, "kind": STR, "actor": STR, "note": STR_N}),
}
_REFERRAL_SUMMARY = {
    "id": INT, "created_at": STR, "agent_staff_no": STR_N, "category": STR, "tax_type": STR_N, "question": STR,
    "confidential": BOOL, "content_redacted": BOOL, "suggested_department": STR_N, "suggestion_reason": STR_N, "department": STR_N,
    "state": STR, "state_label": STR, "sent_at": STR_N, "due_at": STR_N, "answer": STR_N, "answered_at": STR_N,
    "closed_at": STR_N,
}
SCHEMAS.update({
    "Unit": _object({**SCHEMAS["UnitBrief"]["properties"], "document_id": INT, "doc_title": STR, "status": STR,
                     "paragraphs": {"type": "array", "items": {"type": "object"}},
                     "references": {"type": "array", "items": _ref("Reference")}}),
    "Document": _object({**SCHEMAS["DocumentSummary"]["properties"],
                         "units": {"type": "array", "items": _ref("UnitBrief")}}),
    "ReferralSummary": _object(_REFERRAL_SUMMARY),
    "Referral": _object({**_REFERRAL_SUMMARY, "caller": _ref("Caller"), "searched": STR_LIST,
                         "articles": STR_LIST, "answer_citations": STR_LIST, "return_reason": STR_N,
                         "feedback": STR_N, "events": {"type": "array", "items": _ref("ReferralEvent")}}),
    "ReferralList": _list("referrals", "ReferralSummary"),
    # From a call record (call_id: its question and caller fill what is left out), or standing alone.
    "ReferralInput": {"type": "object", "properties": {
        "caller_name": {**STR, "maxLength": 100}, "caller_contact": {**STR, "maxLength": 100},
        "question": {**STR, "maxLength": 5000}, "call_id": ID,
        "category": {"enum": [*CATEGORIES, None], "description": "来电类别（默认：接听记录的类别，否则政策咨询）"},
        "tax_type": STR, "searched": STR_LIST, "articles": STR_LIST,
        "department": {**STR, "description": "改定承办部门（默认：系统建议）"},
    }, "anyOf": [{"required": ["call_id"]},
                 {"required": ["question", "caller_name", "caller_contact"],
                  "properties": {"question": TEXT, "caller_name": TEXT, "caller_contact": TEXT}}]},
    "OpenApi": {"type": "object"},
})
# POST: the same fields, the question required.
SCHEMAS["FaqNew"] = {**SCHEMAS["FaqInput"], "properties": {**SCHEMAS["FaqInput"]["properties"],
                                                          "question": {**TEXT, "maxLength": 500}},
                     "required": ["question"]}

ERROR_TEXT = {400: "参数或请求体有误", 401: "未登录或令牌无效", 403: "无权限", 404: "不存在",
              413: "请求体过大", 415: "请求体不是 JSON", 429: "令牌校验失败过多", 500: "系统出错"}


def _parameter(param) -> dict:
    schema: dict = {"type": param.type}
    for key in ("enum", "minimum", "maximum", "format", "minLength", "maxLength", "pattern", "default"):
        value = getattr(param, key)
        if value is not None:
            schema[key] = list(value) if key == "enum" else value
    return {"name": param.name, "in": param.where, "required": param.required or param.where == "path",
            "description": param.description, "schema": schema}


def _error_codes(op) -> list[int]:
    codes = [400, 500] if op.public else [400, 401, 403, 429, 500]
    if "{" in op.path:
        codes.append(404)
    if op.body:
        codes += [413, 415]
    return sorted(set(codes) | set(op.errors))


def _operation(op) -> dict:
    description = f"权限：{op.roles}" if op.roles else ""
    spec: dict = {
        "operationId": op.endpoint.replace(".", "_"),
        "summary": op.summary,
        "description": description,
        "tags": [op.tag],
        "parameters": [_parameter(p) for p in op.params],
        "responses": {str(op.status): {"description": "成功",
                                       "content": {"application/json": {"schema": _ref(op.response)}}}},
    }
    for code in _error_codes(op):
        spec["responses"][str(code)] = {"description": ERROR_TEXT.get(code, CODES[code]),
                                        "content": {"application/json": {"schema": _ref("Error")}}}
    if op.public:
        spec["security"] = []
    if op.body:
        spec["requestBody"] = {"required": True,
                               "content": {"application/json": {"schema": _ref(op.body)}}}
    return spec


def build_description() -> dict:
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "12366 热线知识库 API",
            "version": "1.0.0",
            "description": "供电话系统及其他工具调用：检索、条文、文件、问答、转办单。"
                           "以 Authorization: Bearer <令牌> 认证（令牌由 flask --app webapp create-token 生成），"
                           "权限与页面相同。错误以 JSON 返回：{\"error\": {\"code\", \"message\"}}。",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "API 令牌"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "页面登录会话（POST/PATCH 需带 X-CSRFToken）"},
            },
        },
    }


@operation(bp, "/openapi.json", "GET", summary="本 API 的 OpenAPI 3.1 描述", tag="说明", response="OpenApi",
           public=True, roles="无需登录")
def openapi_description():
    return jsonify(build_description())
