"""Reading query parameters and JSON bodies; anything malformed is a 400 with a Chinese message."""
from __future__ import annotations

import datetime as dt

from flask import request

from webapp.api.errors import ApiProblem
from webapp.api.registry import Param

MAX_ID = 2**31 - 1
# The paging parameters of every list.
PAGE_PARAMS = (
    Param("limit", "query", "integer", "每页条数（默认 50）", minimum=1, maximum=200, default=50),
    Param("offset", "query", "integer", "跳过的条数", minimum=0, maximum=MAX_ID, default=0),
)

TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")


def single_arg(name: str) -> str | None:
    """The query parameter ``name``; given twice (``limit=1&limit=x``) is ambiguous, so a 400."""
    values = request.args.getlist(name)
    if len(values) > 1:
        raise ApiProblem(400, f"参数 {name} 只能出现一次")
    return values[0] if values else None


def text_arg(name: str, max_length: int = 500) -> str | None:
    value = single_arg(name)
    if value is None:
        return None
    value = value.strip()
    if len(value) > max_length:
        raise ApiProblem(400, f"参数 {name} 过长（最多 {max_length} 个字符）")
    return value or None


def int_arg(name: str, default: int, low: int, high: int) -> int:
    value = single_arg(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ApiProblem(400, f"参数 {name} 应为整数") from None
    if not low <= number <= high:
        raise ApiProblem(400, f"参数 {name} 应在 {low} 到 {high} 之间")
    return number


def bool_arg(name: str) -> bool:
    value = single_arg(name)
    if value is None:
        return False
    value = value.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ApiProblem(400, f"参数 {name} 应为 true 或 false")


def date_arg(name: str) -> dt.date | None:
    value = single_arg(name)
    if value is None:
        return None
    value = value.strip()[:20]
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ApiProblem(400, f"参数 {name}（“{value}”）格式不正确，应为 YYYY-MM-DD") from None


def choice_arg(name: str, choices) -> str | None:
    value = single_arg(name)
    if value is None:
        return None
    value = value.strip()
    if value not in choices:
        raise ApiProblem(400, f"参数 {name}（“{value}”）无效，应为 {'/'.join(choices)}")
    return value


def query_args(params) -> dict:
    """Every query parameter of ``params`` (``webapp.api.registry.Param``: the operation's own
    declaration, which the OpenAPI description shows), read and checked against the limits declared
    there, so each limit is written once: integers within minimum..maximum (``default`` when absent),
    booleans, dates (``format="date"``), choices (``enum``) and texts (``maxLength``)."""
    values: dict = {}
    for param in params:
        if param.where != "query":
            continue
        if param.type == "integer":
            low = param.minimum if param.minimum is not None else -(2**63)
            high = param.maximum if param.maximum is not None else 2**63
            values[param.name] = int_arg(param.name, param.default, low, high)
        elif param.type == "boolean":
            values[param.name] = bool_arg(param.name)
        elif param.format == "date":
            values[param.name] = date_arg(param.name)
        elif param.enum is not None:
            values[param.name] = choice_arg(param.name, param.enum)
        else:
            values[param.name] = text_arg(param.name, param.maxLength or 500)
    return values


def json_body() -> dict:
    if not request.is_json:
        raise ApiProblem(415, "请求体应为 JSON（Content-Type: application/json）")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiProblem(400, "请求体应为 JSON 对象")
    return data


def body_text(data: dict, name: str, required: bool = False, max_length: int = 5000) -> str | None:
    value = data.get(name)
    if value is None:
        if required:
            raise ApiProblem(400, f"缺少字段 {name}")
        return None
    if not isinstance(value, str):
        raise ApiProblem(400, f"字段 {name} 应为字符串")
    if len(value) > max_length:
        raise ApiProblem(400, f"字段 {name} 过长（最多 {max_length} 个字符）")
    return value


def body_list(data: dict, name: str, max_items: int = 50) -> list[str] | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ApiProblem(400, f"字段 {name} 应为字符串数组")
    if len(value) > max_items:
        raise ApiProblem(400, f"字段 {name} 最多 {max_items} 项")
    return value


def body_int(data: dict, name: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise ApiProblem(400, f"字段 {name} 应为正整数")
    return value


def body_date(data: dict, name: str) -> dt.date | None:
    value = body_text(data, name, max_length=20)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ApiProblem(400, f"字段 {name}（“{value}”）格式不正确，应为 YYYY-MM-DD") from None
