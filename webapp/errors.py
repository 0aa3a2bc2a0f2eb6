"""Error pages in Chinese for 400/403/404/405/413/429/500; JSON errors for the JSON endpoints.

No stack trace reaches a user: unexpected errors are logged and answered with the 500 page.
"""
from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from kb.core.errors import NotFound
from kb.core.permissions import Forbidden

MESSAGES = {
    400: ("请求有误", "提交的内容无法处理，请检查后重试。"),
    403: ("没有权限", "您的账号没有访问此页面的权限。如需开通，请联系管理员。"),
    404: ("页面不存在", "您要找的页面或文件不存在，可能已被删除或链接有误。"),
    405: ("操作不允许", "此页面不支持这种操作。"),
    413: ("文件过大", "上传的文件超过了大小上限（{limit} MB）。请压缩或拆分后再上传。"),
    429: ("操作过于频繁", "请稍后再试。"),
    500: ("系统出错", "系统处理请求时出错，已记录。请稍后重试；如果问题持续，请联系管理员。"),
}


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(NotFound, lambda error: _render(404, str(error)))
    app.register_error_handler(Forbidden, lambda error: _render(403, str(error)))
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def _wants_json() -> bool:
    return request.path.endswith(".json") or request.accept_mimetypes.best == "application/json" \
        or request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _render(code: int, detail: str | None = None):
    from flask import current_app

    title, message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    message = message.format(limit=current_app.config.get("KB_MAX_UPLOAD_MB", "20"))
    if request.path.startswith("/api/"):
        from webapp.api.errors import error_response

        return error_response(code, detail or message)
    if _wants_json():
        return jsonify({"error": title, "message": detail or message}), code
    return render_template("errors/error.html", code=code, title=title, message=message, detail=detail), code


def _csrf_error(error: CSRFError):
    return _render(400, "页面已过期或表单校验失败（CSRF），请刷新页面后重新提交。")


# Headers of an HTTP error that a client needs whatever the body: which methods a 405 allows,
# when to come back after a 429.
KEPT_HEADERS = ("allow", "retry-after")


def _http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    response = make_response(_render(error.code))
    for name, value in error.get_headers():
        if name.lower() in KEPT_HEADERS:
            response.headers[name] = value
    return response


def _unexpected(error: Exception):
    from flask import current_app

    if isinstance(error, HTTPException):
        return _http_error(error)
    current_app.logger.exception("Unhandled error on %s", request.path)
    return _render(InternalServerError.code)
