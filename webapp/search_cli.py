"""Flask commands ``search`` and ``reindex``: thin wrappers around ``webapp.search_index``.

    flask --app webapp search [QUERY] [--limit N] [--json] [--include-old] [--as-of DATE]

With no QUERY, one query a line is read from standard input and one JSON object a line is
written: ``{"query": …, "results": […], "took_ms": …}`` (results as ``search_index.search``).
Every search is written to the query log (``indexer.searching.search_and_log``, as the page and the API).
"""
from __future__ import annotations

import datetime as dt
import json
import sys
import time

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from indexer.searching import SearchRequest, search_and_log
from indexer.snippets import plain_snippet
from kb.core.actors import SYSTEM
from kb.core.db import transaction
from webapp import search_index
from webapp.storage import storage

LOW_CONFIDENCE = "低置信度：政策库中可能没有答案，可考虑转办"
VALIDITY_LABELS = {"in_force": "", "pending": "【尚未施行】", "outdated": "【已失效/已修订】"}


def register(app: Flask) -> None:
    app.cli.add_command(search_command)
    app.cli.add_command(reindex_command)


def _as_of(_ctx, _param, value):
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期“{value}”格式不正确，应为 YYYY-MM-DD") from None


def _run(query: str, options: dict) -> dict:
    with transaction(storage().session_factory) as session:
        response = search_and_log(session, SYSTEM, SearchRequest(query=query, **options),
                                  search_index.searcher(current_app))
    return response.to_dict()


def _print_readable(record: dict) -> None:
    results = record["results"]
    click.echo(f"“{record['query']}”：{len(results)} 条结果（{record['took_ms']} 毫秒）")
    for notice in record.get("notices") or []:
        click.echo(notice)
    if record.get("confidence") == "low":
        click.echo(LOW_CONFIDENCE)
    if record.get("suggestion"):
        click.echo(f"您是不是要找：{record['suggestion']}")
    for i, r in enumerate(results, 1):
        label = VALIDITY_LABELS.get(r["validity"], "")
        click.echo(f"{i:>2}. {r['citation']}{label}  [{r['score']:.2f}]")
        if r.get("superseded_by") and r["outdated"]:
            click.echo(f"    已被《{r['superseded_by']}》取代")
        click.echo(f"    {plain_snippet(r['snippet'])}")


@click.command("search")
@click.argument("query", required=False)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 200), help="number of results")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per query")
@click.option("--include-old", is_flag=True, help="also show repealed and superseded versions")
@click.option("--as-of", callback=_as_of, help="rank the versions in force on this date (YYYY-MM-DD)")
@click.option("--tax-type", help="only documents of this tax type (e.g. 增值税)")
@click.option("--level", help="only documents of this level (e.g. 法律)")
@click.option("--status", help="only documents with this status (有效/失效/已修订/部分失效)")
@with_appcontext
def search_command(query, limit, as_json, include_old, as_of, tax_type, level, status):
    """Search the policy library; without QUERY, read one query a line from stdin (JSON lines out)."""
    options = {"limit": limit, "include_old": include_old, "as_of": as_of,
               "tax_type": tax_type, "level": level, "status": status}
    if query is not None:
        record = _run(query, options)
        if as_json:
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            _print_readable(record)
        return
    for line in sys.stdin:
        line = line.strip()
        if line:
            click.echo(json.dumps(_run(line, options), ensure_ascii=False))


class VectorProgress:
    """A progress bar on standard error for the documents whose sentence vectors are encoded."""

    def __init__(self):
        self.bar = None

    def __enter__(self):
        return self

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None and total:
            self.bar = click.progressbar(length=total, label="编码语义向量", file=sys.stderr)
            self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(done - self.bar.pos)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)


@click.command("reindex")
@click.option("--procs", default=1, show_default=True, type=click.IntRange(1, 16), help="indexing processes")
@with_appcontext
def reindex_command(procs):
    """Rebuild the search index from the database, then the sentence vectors of changed documents."""
    started = time.perf_counter()
    with VectorProgress() as progress:
        count = search_index.rebuild(current_app, procs=procs, progress=progress)
    click.echo(f"索引重建完成：{count} 个条文单元，用时 {time.perf_counter() - started:.1f} 秒")
