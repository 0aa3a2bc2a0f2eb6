"""Operations commands: ``backup``, ``restore``, ``check`` and API tokens. Thin wrappers.

    flask --app webapp backup -o FILE.tar.gz      database dump + data files + manifest (kb.core.backup)
    flask --app webapp restore FILE.tar.gz        into an empty database; then the index is rebuilt
    flask --app webapp check [--repair]           index against database (webapp.index_check); prunes
                                                  the index outbox (kb.search.index_outbox); names documents
                                                  that look lost or duplicated (kb.library.findings)
    flask --app webapp create-token USER [--name] a token for the JSON API, shown once
    flask --app webapp revoke-token ID / tokens [USER]
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from indexer.segmenter import USER_DICT_NAME
from indexer.synonyms import OVERRIDE_NAME
from kb.core.actors import SYSTEM
from kb.accounts.api_tokens import NewToken, create_token, list_tokens, revoke_token
from kb.core.backup import BackupError, restore_backup, write_backup
from kb.core.db import transaction
from kb.core.errors import KbError
from kb.library.findings import suspected_losses
from kb.core.timestamps import to_beijing
from webapp import index_check, search_index
from webapp.storage import storage

# Data files kept beside the database that a restore needs: the director's dictionary and synonyms.
# (Imported policy files are stored in the database as parsed units; the source bytes are not kept.)
DATA_FILES = (USER_DICT_NAME, OVERRIDE_NAME)


def register(app: Flask) -> None:
    for command in (backup_command, restore_command, check_command, create_token_command, revoke_token_command,
                    tokens_command):
        app.cli.add_command(command)


@click.command("backup")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="the .tar.gz to write")
@with_appcontext
def backup_command(output):
    """Back up the database and the data files into one .tar.gz."""
    data_dir = Path(current_app.config["KB_DATA_DIR"])
    files = [(name, data_dir / name) for name in DATA_FILES]
    started = time.perf_counter()
    manifest = write_backup(storage().engine, output, files)
    rows = sum(manifest["database"]["tables"].values())
    click.echo(f"备份完成：{output}（{manifest['database']['dialect']}，{len(manifest['database']['tables'])} 张表，"
               f"{rows} 行，数据文件 {len(manifest['files'])} 个，用时 {time.perf_counter() - started:.1f} 秒）")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore_command(archive):
    """Restore a backup into an empty database, then rebuild the search index."""
    started = time.perf_counter()
    try:
        counts = restore_backup(storage().engine, archive, current_app.config["KB_DATA_DIR"])
    except BackupError as error:
        raise click.ClickException(str(error))
    entries = search_index.rebuild(current_app)
    click.echo(f"恢复完成：{sum(counts.values())} 行（文件 {counts.get('documents', 0)} 部，条文单元 "
               f"{counts.get('units', 0)} 个，问答 {counts.get('faq_entries', 0)} 条），索引重建 {entries} 条，"
               f"用时 {time.perf_counter() - started:.1f} 秒")


@click.command("check")
@click.option("--repair", is_flag=True, help="re-index what differs")
@with_appcontext
def check_command(repair):
    """Check that the search index matches the database (exit status 1 when it does not); prune
    the index outbox's rows older than its keeping period."""
    pruned = search_index.prune(current_app)
    if pruned:
        click.echo(f"已清理 {pruned} 条过期的索引变更记录", err=True)
    with storage().session_factory() as session:
        for finding in suspected_losses(session):
            click.echo(f"提醒：{finding.message}")
    report = index_check.inspect_index(current_app)
    if report.ok:
        click.echo(f"索引与数据库一致：条文单元 {report.units} 个，索引条目 {report.entries} 条")
        return
    for line in report.lines():
        click.echo(f"不一致：{line}", err=True)
    if not repair:
        click.echo("索引与数据库不一致；运行 flask --app webapp check --repair 修复", err=True)
        sys.exit(1)
    written = index_check.repair_index(current_app, report)
    after = index_check.inspect_index(current_app)
    if not after.ok:
        for line in after.lines():
            click.echo(f"修复后仍不一致：{line}", err=True)
        sys.exit(1)
    table = "，重写了按含义补充候选的向量表" if report.stale_nearest else ""
    click.echo(f"已修复：重新索引 {len(report.documents_to_refresh)} 部文件（写入 {written} 条）{table}，索引与数据库一致")


@click.command("create-token")
@click.argument("username")
@click.option("--name", default="API", show_default=True, help="what the token is for, e.g. 电话系统")
@with_appcontext
def create_token_command(username, name):
    """Create an API token for USERNAME; it is printed once and only its hash is kept."""
    try:
        with transaction(storage().session_factory) as session:
            token, secret = create_token(session, SYSTEM, NewToken(username=username, name=name))
            token_id = token.id
    except KbError as error:
        raise click.ClickException(str(error))
    click.echo(f"已为 {username} 创建 API 令牌 {token_id}（{name}）。令牌只显示这一次，请妥善保存：", err=True)
    click.echo(secret)


@click.command("revoke-token")
@click.argument("token_id", type=int)
@with_appcontext
def revoke_token_command(token_id):
    """Revoke an API token by its number (see ``tokens``)."""
    try:
        with transaction(storage().session_factory) as session:
            revoke_token(session, SYSTEM, token_id)
    except KbError as error:
        raise click.ClickException(str(error))
    click.echo(f"API 令牌 {token_id} 已吊销")


@click.command("tokens")
@click.argument("username", required=False)
@with_appcontext
def tokens_command(username):
    """List API tokens (of USERNAME, or everyone's)."""
    try:
        with storage().session_factory() as session:
            for token in list_tokens(session, SYSTEM, username):
                state = f"已吊销 {to_beijing(token.revoked_at):%Y-%m-%d %H:%M}" if token.revoked_at else "有效"
                used = f"{to_beijing(token.last_used_at):%Y-%m-%d %H:%M}" if token.last_used_at else "未使用"
                click.echo(f"{token.id}\t{token.user.username}\t{token.name}\t{token.hint}…\t{state}\t最近使用 {used}")
    except KbError as error:
        raise click.ClickException(str(error))
