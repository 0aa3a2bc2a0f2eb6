"""The API's errors: ``{"error": {"code": "not_found", "message": "<中文说明>"}}`` with the right status.

``webapp.errors`` calls ``error_response`` for every error on an ``/api/`` path (unknown routes,
405, 413, CSRF, 500), and the blueprint turns ``kb`` errors into 400/403/404 here.
"""
from __future__ import annotations

from flask import Blueprint, jsonify

from kb.core.errors import KbError, NotFound
from kb.core.permissions import Forbidden

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


class ApiProblem(Exception):
    """Raise in an API view to answer with a JSON error."""

    def __init__(self, status: int, message: str, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or CODES.get(status, "error")


def error_response(status: int, message: str, code: str | None = None):
    response = jsonify({"error": {"code": code or CODES.get(status, "error"), "message": message}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="12366-kb"'
    return response


def init_blueprint(bp: Blueprint) -> None:
    bp.register_error_handler(ApiProblem, lambda e: error_response(e.status, e.message, e.code))
    bp.register_error_handler(NotFound, lambda e: error_response(404, str(e)))
    bp.register_error_handler(Forbidden, lambda e: error_response(403, str(e)))
    bp.register_error_handler(KbError, lambda e: error_response(400, str(e)))
