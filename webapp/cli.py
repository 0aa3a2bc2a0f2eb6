"""Flask commands for operators and checks: thin wrappers around ``kb`` and ``indexer``."""
from __future__ import annotations

import json
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from kb.errors import KbError
from kb.export import export_units
from kb.importing import import_library_folder, import_paths, load_catalog
from kb.library import is_empty
from webapp import recovery
from webapp.storage import storage


# Feature modules that contribute commands through their own ``register(app)``.
COMMAND_MODULES: tuple[str, ...] = ("webapp.accounts_cli", "webapp.serve_cli", "webapp.faq_cli", "webapp.routing_cli", "webapp.search_cli", "webapp.reminders_cli", "webapp.ops_cli", "webapp.reports_cli", "webapp.migrate_cli", "webapp.vocabulary_cli", "webapp.ranker_cli")


def init_app(app: Flask) -> None:
    import importlib

    for command in (import_policies_command, export_command, init_command):
        app.cli.add_command(command)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)


def _max_bytes() -> int:
    return int(current_app.config["KB_MAX_UPLOAD_MB"]) * 1024 * 1024


def _print_report(report) -> None:
    for result in report.files:
        for warning in result.warnings:
            click.echo(f"警告 {result.name}：{warning}", err=True)
        if result.error:
            click.echo(f"错误 {result.error}", err=True)
    for problem in report.errors:
        click.echo(f"错误 {problem}", err=True)
    s = report.summary()
    click.echo(
        f"导入完成：文件 {s['files']} 个，文档 {s['documents']} 部（新增 {s['created']}，更新 {s['replaced'] + s['updated']}，"
        f"未变 {s['unchanged']}），条文 {s['articles']} 条，单元 {s['units']} 个，警告 {s['warnings']} 条，失败 {s['failed']} 个"
    )


@click.command("import-policies")
@with_appcontext
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--catalog", "catalog_path", type=click.Path(), help="catalog.csv giving metadata for the files")
def import_policies_command(paths, catalog_path):
    """Import policy files or folders (Markdown, HTML, .docx, text) into the library."""
    from kb.importing import collect_files
    from webapp.search_index import index_documents

    try:
        catalog = load_catalog(catalog_path) if catalog_path else None
    except KbError as error:
        raise click.ClickException(str(error))
    files, _ = collect_files(paths)
    with click.progressbar(length=len(files), label="导入中", file=sys.stderr) as bar:
        report = import_paths(storage().session_factory, paths, catalog, max_bytes=_max_bytes(),
                              progress=lambda _result: bar.update(1))
    index_documents(current_app, report.changed_document_ids)
    _print_report(report)
    if not report.ok:
        sys.exit(1)


@click.command("export")
@with_appcontext
@click.option("--json", "as_json", is_flag=True, required=True, help="one JSON object per unit per line")
def export_command(as_json):
    """Export every unit of the library as JSON lines."""
    session = storage().session_factory()
    try:
        for record in export_units(session):
            click.echo(json.dumps(record, ensure_ascii=False))
    finally:
        session.close()


@click.command("init")
@with_appcontext
def init_command():
    """Create the database, load the sample library when the library is empty, build the index."""
    ensure_ready(current_app)


def ensure_ready(app: Flask) -> None:
    """First start: the sample policy library (when empty and enabled) and the search index."""
    from webapp.search_index import index_documents

    factory = storage().session_factory
    with factory() as session:
        empty = is_empty(session)
    if empty and app.config["KB_LOAD_SAMPLE"] not in ("0", "false", "False", ""):
        click.echo("首次启动：正在载入示例政策库……", err=True)
        report = import_library_folder(factory, app.config["KB_POLICIES_DIR"], max_bytes=_max_bytes())
        index_documents(app, report.changed_document_ids)
        _print_report(report)
        _load_starter_faq(app)
    for difference in recovery.repair_index_on_start(app):  # after a crash: the index catches up
        click.echo(f"启动时发现并已修复索引不一致：{difference}", err=True)


def _load_starter_faq(app: Flask) -> None:
    """The shipped FAQ starter set, once the library it cites is in place."""
    from pathlib import Path

    from kb.db import transaction
    from kb.faq_io import import_faq, read_faq_file

    starter = Path(app.config["KB_POLICIES_DIR"]) / "faq" / "starter.json"
    if not starter.exists():
        return
    with transaction(storage().session_factory) as session:
        report = import_faq(session, None, read_faq_file(starter))
    from webapp.search_index import index_faq

    index_faq(app, report.entry_ids)
    for problem in report.problems:
        click.echo(f"错误 {problem}", err=True)
    click.echo(f"FAQ：{report.summary()}", err=True)
