"""FAQ commands: ``import-faq FILE`` and ``export-faq [--format csv|json]``, thin wrappers around kb.faq.import_export."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from kb.core.actors import SYSTEM
from kb.core.db import transaction
from kb.core.errors import KbError
from kb.faq.import_export import FORMATS, export_text, import_faq, read_faq_file
from kb.accounts.users import find_user
from webapp.search_index import index_faq
from webapp.storage import storage


@click.command("import-faq")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--user", "username", help="record the changes under this user (default: 系统)")
def import_faq_command(path, username):
    """Load FAQ entries from a CSV or JSON file; bad rows are reported, good rows load."""
    try:
        rows = read_faq_file(path)
        with transaction(storage().session_factory) as session:
            actor = SYSTEM
            if username:
                actor = find_user(session, username)
                if actor is None:
                    raise click.ClickException(f"用户“{username}”不存在")
            report = import_faq(session, actor, rows)
    except KbError as error:
        raise click.ClickException(str(error))
    index_faq(current_app, report.entry_ids)
    for problem in report.problems:
        click.echo(f"错误 {problem}", err=True)
    click.echo(report.summary())
    if not report.ok:
        sys.exit(1)


@click.command("export-faq")
@with_appcontext
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
def export_faq_command(fmt):
    """Write every FAQ entry to standard output as CSV or JSON."""
    with storage().session_factory() as session:
        click.echo(export_text(session, fmt), nl=False)


def register(app: Flask) -> None:
    app.cli.add_command(import_faq_command)
    app.cli.add_command(export_faq_command)
