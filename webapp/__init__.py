"""The Flask application: pages for agents, the policy office and the director, the CLI and the JSON API.

``create_app`` is the application factory (see Flask's tutorial): defaults in code, then the
instance config, then ``KB_*`` environment variables, then the test mapping. Views and CLI
commands are thin: they parse input, call one ``kb`` or ``indexer`` operation and render.
"""
from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from flask import Flask

from kb.core.settings import defaults, read_settings


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(defaults())  # kb.core.settings: every KB_* setting declared once
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(read_settings())
    if test_config:
        app.config.update(test_config)

    data_dir = Path(app.config["KB_DATA_DIR"] or app.instance_path)
    data_dir.mkdir(parents=True, exist_ok=True)
    app.config["KB_DATA_DIR"] = str(data_dir)
    app.config["KB_INDEX_DIR"] = app.config["KB_INDEX_DIR"] or str(data_dir / "index")
    app.config["KB_DATABASE_URL"] = app.config["KB_DATABASE_URL"] or f"sqlite:///{data_dir / 'kb.sqlite3'}"
    app.config["SECRET_KEY"] = app.config["KB_SECRET_KEY"] or _stored_secret(data_dir)
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["KB_MAX_UPLOAD_MB"]) * 1024 * 1024 + 64 * 1024

    from webapp import search_index, storage

    storage.init_app(app)
    search_index.init_app(app)

    from webapp import admin, auth, calls, errors, faq, library, present, referrals, reports, routing_admin, search, upload
    from webapp import appraisal, calendar_admin, campaigns, coaching, portal, vocabulary, voice

    from webapp import api, health, logging_setup, security

    logging_setup.init_app(app)
    auth.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    present.init_app(app)
    for blueprint in (search.bp, library.bp, upload.bp, admin.bp, calls.bp, referrals.bp, routing_admin.bp, reports.bp,
                      appraisal.bp, faq.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(vocabulary.bp)
    app.register_blueprint(voice.bp)
    app.register_blueprint(coaching.bp)
    app.register_blueprint(campaigns.bp)
    portal.init_app(app)
    app.register_blueprint(calendar_admin.bp)
    calendar_admin.init_app(app)
    app.register_blueprint(health.bp)
    api.init_app(app)

    from webapp import cli

    cli.init_app(app)
    if app.config["KB_PRELOAD_INDEX"] == "1" and not app.testing:
        from webapp.search_index import preload

        preload(app)
    if not app.testing and "gunicorn" in sys.modules:
        # Served by gunicorn (no ``serve`` command): make sure someone can log in.
        from webapp.accounts_cli import create_first_admin

        with app.app_context():
            create_first_admin(app)
    return app


def _stored_secret(data_dir: Path) -> str:
    path = data_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        os.chmod(path, 0o600)
    return path.read_text().strip()
