"""``flask --app webapp serve``: first-start set-up, then Werkzeug's server (gunicorn in production)."""
from __future__ import annotations

import socket

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from webapp.accounts_cli import create_first_admin
from webapp.cli import ensure_ready


@click.command("serve")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", default=5000, show_default=True, type=int, help="port to listen on")
def serve_command(host, port):
    """Load the sample library when empty, index it, create the first admin, then serve."""
    port_problem = _port_in_use(host, port)  # before the minute of first-start work, not after it
    if port_problem:
        raise click.ClickException(port_problem)
    app = current_app._get_current_object()
    ensure_ready(app)
    create_first_admin(app)
    click.echo(f"12366 知识库已启动：http://{host}:{port}/", err=True)
    # app.run() refuses to run inside a ``flask`` command, so start Werkzeug's server directly.
    run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True)


def _port_in_use(host: str, port: int) -> str | None:
    """A Chinese message when ``host:port`` cannot be listened on, else None."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server itself will
        try:
            probe.bind((host, port))
        except OSError as error:
            return (f"无法在 {host}:{port} 上启动：端口已被占用或地址不可用（{error.strerror}）。"
                    f"请关闭占用该端口的程序，或用 --port 指定其他端口。")
    return None


def register(app: Flask) -> None:
    app.cli.add_command(serve_command)
