"""Security headers on every response and the session cookie's flags.

- Content-Security-Policy: scripts, styles, images and connections from this origin only; no
  inline script (the templates load ``static/*.js``), no plugins, no framing (``frame-ancestors``).
- X-Content-Type-Options, Referrer-Policy, X-Frame-Options (for old browsers).
- Session cookie: HttpOnly, SameSite=Lax, and Secure when ``KB_COOKIE_SECURE`` is set (behind
  HTTPS), which also turns on Strict-Transport-Security.
- API responses are not cached (they can carry a caller's identity), nor are the pages that show
  one (a view calls ``no_store()``): no copy stays in the browser's cache or back/forward cache.
"""
from __future__ import annotations

from flask import Flask, g, request

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
HSTS = "max-age=31536000"


def no_store() -> None:
    """Mark the response being made as not to be cached (it shows a caller's identity)."""
    g.no_store = True


def is_on(value) -> bool:
    return str(value or "").strip().lower() in ("1", "true", "yes", "on")


def init_app(app: Flask) -> None:
    secure = is_on(app.config.get("KB_COOKIE_SECURE"))
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
    )

    @app.after_request
    def _security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if request.path.startswith("/api/") or g.get("no_store"):
            response.headers["Cache-Control"] = "no-store"
        return response
