"""The API's route registry: each view is declared once, and the OpenAPI description is built from it.

``operation(bp, rule, method, ...)`` registers the view on the blueprint *and* records what
``webapp.openapi`` needs (summary, parameters, body schema, response schema, roles), so the
description cannot drift from the real routes (``tests/test_openapi.py`` checks both ways).
"""
from __future__ import annotations

from dataclasses import dataclass, field

PREFIX = "/api/v1"


@dataclass(frozen=True)
class Param:
    name: str
    where: str  # query | path
    type: str = "string"  # string | integer | boolean
    description: str = ""
    required: bool = False
    enum: tuple | None = None
    minimum: int | None = None
    maximum: int | None = None
    format: str | None = None
    minLength: int | None = None  # named as in JSON Schema
    maxLength: int | None = None
    pattern: str | None = None
    default: object = None  # the value when the parameter is absent (also in the description)


@dataclass
class Operation:
    rule: str  # Flask rule, relative to the prefix: /units/<int:unit_id>
    method: str
    endpoint: str
    summary: str
    tag: str
    response: str  # name of a schema in webapp.openapi.SCHEMAS
    params: list[Param] = field(default_factory=list)
    body: str | None = None  # name of a schema for the JSON body
    roles: str = ""  # who may call it, in Chinese, for the description
    status: int = 200
    public: bool = False  # needs no token
    errors: tuple[int, ...] = ()  # error statuses besides the usual ones (e.g. 404 for an id in the body)

    @property
    def path(self) -> str:
        """The OpenAPI path: ``/api/v1/units/{unit_id}``."""
        import re

        return PREFIX + re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", self.rule)


OPERATIONS: list[Operation] = []


def operation(bp, rule: str, method: str, *, summary: str, tag: str, response: str, params=(), body=None,
              roles: str = "", status: int = 200, public: bool = False, errors: tuple[int, ...] = ()):
    """Register the decorated view on ``bp`` for ``method rule`` and record it for the description."""

    def decorate(view):
        endpoint = view.__name__
        OPERATIONS.append(Operation(rule=rule, method=method.upper(), endpoint=f"{bp.name}.{endpoint}",
                                    summary=summary, tag=tag, response=response, params=list(params),
                                    body=body, roles=roles, status=status, public=public, errors=errors))
        bp.add_url_rule(rule, endpoint, view, methods=[method.upper()])
        return view

    return decorate
