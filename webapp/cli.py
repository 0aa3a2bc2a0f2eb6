"""Flask commands for operators and checks: thin wrappers around ``kb`` and ``indexer``."""
from __future__ import annotations

import json
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from kb.core.actors import SYSTEM
from kb.core.errors import KbError
from kb.library.export import export_units
from kb.library.importing import import_library_folder, import_paths, load_catalog
from kb.library.operations import is_empty
from webapp import recovery
from webapp.storage import storage


# Feature modules that contribute commands through their own ``register(app)``.
COMMAND_MODULES: tuple[str, ...] = ("webapp.accounts_cli", "webapp.serve_cli", "webapp.faq_cli", "webapp.routing_cli", "webapp.search_cli", "webapp.reminders_cli", "webapp.ops_cli", "webapp.reports_cli", "webapp.appraisal_cli", "webapp.migrate_cli", "webapp.vocabulary_cli", "webapp.ranker_cli", "webapp.voice_cli", "webapp.campaigns_cli")


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
        f"未变 {s['unchanged']}，并入法典 {s['joined']}），条文 {s['articles']} 条，单元 {s['units']} 个，警告 {s['warnings']} 条，失败 {s['failed']} 个"
    )


# Exit status of import-policies: every file imported; some files refused for what they hold (the
# others imported); the import itself failed (the database, the index, a defect).
EXIT_OK, EXIT_SOME_REFUSED, EXIT_FAILED = 0, 1, 2
# Above this many changed documents an import rebuilds the whole index (on every core) rather
# than update document by document: the full laws corpus, 3,400 documents, in a third of the time.
REBUILD_ABOVE = 500


@click.command("import-policies")
@with_appcontext
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--catalog", "catalog_path", type=click.Path(), help="catalog.csv giving metadata for the files")
@click.option("--workers", type=click.IntRange(1, 16), default=None,
              help="processes parsing files while one stores them (default: one per core, at most 4)")
def import_policies_command(paths, catalog_path, workers):
    """Import policy files or folders (Markdown, HTML, .docx, text) into the library.

    Exit status: 0 every file imported; 1 some files refused (named on stderr, the others
    imported); 2 the import itself failed (database or index)."""
    from kb.library.importing import collect_files
    from webapp.import_progress import ImportProgress

    try:
        catalog = load_catalog(catalog_path) if catalog_path else None
    except KbError as error:
        click.echo(f"错误 {error}", err=True)
        sys.exit(EXIT_SOME_REFUSED)
    files, _ = collect_files(paths)
    progress = ImportProgress(len(files))
    report = import_paths(storage().session_factory, paths, catalog, max_bytes=_max_bytes(), progress=progress.update,
                          workers=workers or _parsing_workers())
    progress.finish()
    indexed = _index_after_import(report.changed_document_ids)
    _print_report(report)
    if not indexed or report.import_failed:
        sys.exit(EXIT_FAILED)
    if not report.ok:
        sys.exit(EXIT_SOME_REFUSED)


def _parsing_workers() -> int:
    """Processes that parse files while this one stores them, by default: one per core (at most 4)."""
    import os

    return max(1, min(4, len(os.sched_getaffinity(0))))


def _index_after_import(document_ids: set[int]) -> bool:
    """Bring the index up to date with what the import stored; False (said on stderr) when it failed."""
    import os
    import time

    from webapp import search_index

    if not document_ids:
        return True
    started = time.monotonic()
    click.echo(f"正在更新检索索引（{len(document_ids)} 部文档）……", err=True)
    try:
        if len(document_ids) > REBUILD_ABOVE:
            search_index.rebuild(current_app, procs=min(4, os.cpu_count() or 1))
        else:
            search_index.index_documents(current_app, document_ids)
    except Exception as error:  # the documents are stored; the index can catch up later
        current_app.logger.exception("indexing after the import failed")
        click.echo(f"错误 检索索引更新失败（{type(error).__name__}）：文档已保存，"
                   "请运行 flask --app webapp check --repair 补齐索引", err=True)
        return False
    click.echo(f"检索索引已更新，用时 {time.monotonic() - started:.0f} 秒", err=True)
    return True


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

    from kb.core.db import transaction
    from kb.faq.import_export import import_faq, read_faq_file

    starter = Path(app.config["KB_POLICIES_DIR"]) / "faq" / "starter.json"
    if not starter.exists():
        return
    with transaction(storage().session_factory) as session:
        report = import_faq(session, SYSTEM, read_faq_file(starter))
    from webapp.search_index import index_faq

    index_faq(app, report.entry_ids)
    for problem in report.problems:
        click.echo(f"错误 {problem}", err=True)
    click.echo(f"FAQ：{report.summary()}", err=True)
