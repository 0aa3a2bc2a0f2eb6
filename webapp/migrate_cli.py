"""Schema migrations from the command line: thin wrappers around ``kb.core.schema_migrations``.

    flask --app webapp db-current              the database's revision and the code's head
    flask --app webapp db-upgrade [REVISION]   to REVISION (default head)
    flask --app webapp db-downgrade REVISION   back to REVISION (-1 for one step, base for none)

Every start of the app already brings the database to head (``kb.core.db.create_schema``), so
``db-upgrade`` is for deploy scripts that want the step in their log; ``db-downgrade`` is run
with the new code before going back to the older one.
"""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from kb.core import schema_migrations
from webapp.storage import storage


def register(app: Flask) -> None:
    for command in (db_current_command, db_upgrade_command, db_downgrade_command):
        app.cli.add_command(command)


def _revision(connection) -> str:
    return schema_migrations.current_revision(connection) or "无（空库）"


@click.command("db-current")
@with_appcontext
def db_current_command():
    """Show the database's schema revision and the newest one this code knows."""
    with storage().engine.connect() as connection:
        current = _revision(connection)
    head = schema_migrations.head_revision()
    state = "已是最新" if current == head else "需要升级"
    click.echo(f"数据库结构版本：{current}；代码中的最新版本：{head}（{state}）")


def _migrate(step, revision: str, verb: str) -> None:
    """Run ``step`` (upgrade or downgrade) to ``revision`` and say which revision the database went from and to."""
    engine = storage().engine
    with engine.connect() as connection:
        before = _revision(connection)
    step(engine, revision)
    with engine.connect() as connection:
        after = _revision(connection)
    click.echo(f"数据库结构已{verb}：{before} → {after}")


@click.command("db-upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade_command(revision):
    """Upgrade the database schema to REVISION (default: head)."""
    _migrate(schema_migrations.upgrade, revision, "升级")


@click.command("db-downgrade")
@click.argument("revision")
@click.confirmation_option(prompt="降级会删除新版本加入的表和列及其中的数据，确定继续吗？")
@with_appcontext
def db_downgrade_command(revision):
    """Downgrade the database schema to REVISION (-1: one step back; base: drop every table)."""
    _migrate(schema_migrations.downgrade, revision, "降级")
