"""The API's blueprint, on its own so that the views (``faq``, ``library``, ``referrals``) and
``webapp.openapi`` register on it without importing the package that imports them."""
from __future__ import annotations

from flask import Blueprint

from webapp.api import auth, errors

bp = Blueprint("api", __name__, url_prefix="/api/v1")
errors.init_blueprint(bp)
bp.before_request(auth.authenticate)
