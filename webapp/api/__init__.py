"""The JSON API under ``/api/v1/`` for the phone system and other tools.

The same ``kb`` and ``indexer`` functions as the pages and the CLI (Datasette's habit), with the
same role rules: a bearer token acts as its user (``auth``). Every route is declared once through
``registry.operation``, from which ``webapp.openapi`` builds the description served at
``/api/v1/openapi.json``. The blueprint is in ``blueprint``. Errors are JSON (``errors``); bodies and results are shaped in ``shapes``.
"""
from __future__ import annotations

from webapp.api.blueprint import bp
from webapp.api import faq, library, referrals  # noqa: F401  (views register themselves)
from webapp import openapi  # noqa: F401  (/api/v1/openapi.json)


def init_app(app) -> None:
    """Register the blueprint, exempt from the form CSRF check (``auth`` applies it to cookie calls)."""
    from webapp.auth import csrf

    csrf.exempt(bp)
    app.register_blueprint(bp)
