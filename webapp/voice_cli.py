"""``voice-menu [--json] [--date YYYY-MM-DD]``: every announcement of the voice menu, a thin wrapper
around ``kb.channels.voice_menu.menu_lines``."""
from __future__ import annotations

import datetime as dt
import json

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from indexer.validity import today
from kb.channels.voice_menu import menu_lines
from webapp.storage import storage


@click.command("voice-menu")
@with_appcontext
@click.option("--json", "as_json", is_flag=True,
              help="one JSON object a line: keys, title, text, faq_ids, status (current or 需复核), and more")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="which announcements play on this day (default: today)")
def voice_menu_command(as_json, day):
    """List the voice menu's announcements in key order, with their status."""
    day = day.date() if isinstance(day, dt.datetime) else today(current_app.config.get("KB_TODAY") or None)
    with storage().session_factory() as session:
        for line in menu_lines(session, day):
            if as_json:
                click.echo(json.dumps(line.as_json(), ensure_ascii=False))
            else:
                plays = "▶" if line.plays_today else " "
                click.echo(f"{plays} {line.keys}\t{line.status}\t{line.announcement.title}\t{line.announcement.text}")


def register(app: Flask) -> None:
    app.cli.add_command(voice_menu_command)
