"""``flask train-ranker``: refit what the search learns from use (``indexer.training``).

    flask --app webapp train-ranker [--questions FILE ...] [--pairs FILE ...] [--with-faq] [--dry-run]

Refits the low-confidence rule, the per-unit prior and the question map from the labelled question sets
plus the pairs agents copied after a search or cited in saved calls (the map, on request, also with the fitting
rows of judged question sets, ``--pairs``, and the published FAQ's pairs, ``--with-faq``: in the simulation of
bench/README.md, eleventh pass, such pairs the shipped map was already fitted on added nothing, and pairs of
another domain than the log's made the refit worse); prints the held-out figures of the model in force and of the new
fit; keeps the old model when the new one is worse. Each run is recorded (the director's 缺口清单
shows the latest).
"""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from indexer.training import read_questions, train_from_use
from kb.search.labelled_pairs import read_judged_set
from kb.core.db import transaction
from kb.core.errors import KbError
from webapp import search_index
from webapp.storage import storage

DATA = Path(__file__).resolve().parent.parent / "bench" / "data"
QUESTIONS = DATA / "confidence-questions.jsonl"


def register(app: Flask) -> None:
    app.cli.add_command(train_ranker_command)


def _cell(value) -> str:
    if value is None:
        return "—"
    return f"{value:.1%}" if isinstance(value, float) else str(value)


def _print_figures(result) -> None:
    click.echo(f"{'留出集指标':<14}{'旧模型':>10}{'新模型':>10}")
    for key, label in (("unanswerable_flagged", "无答案问题标出率"), ("answerable_flagged", "有答案问题误标率"),
                       ("J", "两者之差 J"), ("MRR@10", "使用记录条文 MRR@10"), ("unanswerable", "无答案问题数"),
                       ("answerable", "有答案问题数"), ("pairs", "留出的使用记录")):
        before, after = result.before.get(key), result.after.get(key)
        if key in ("J", "MRR@10"):
            before, after = [f"{v:.3f}" if v is not None else None for v in (before, after)]
        click.echo(f"{label:<14}{_cell(before):>10}{_cell(after):>10}")


def _read_all(paths, read, what: str) -> list[dict]:
    """The rows of every file in ``paths`` read by ``read(text, name)``; an unreadable file or a bad line stops
    the command with a message in Chinese."""
    rows = []
    for path in paths:
        try:
            rows += read(path.read_text(encoding="utf-8"), path.name)
        except OSError:
            raise click.ClickException(f"无法读取{what} {path}") from None
        except KbError as problem:
            raise click.ClickException(str(problem)) from None
    return rows


@click.command("train-ranker")
@click.option("--questions", "paths", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="labelled question set (JSON lines: query, answerable, split); default: the shipped set")
@click.option("--pairs", "pair_paths", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="judged question set the map is also fitted with (JSON lines: query, relevant, split; "
                   "its fitting rows), e.g. bench/data/tax-questions.jsonl")
@click.option("--with-faq", is_flag=True, help="fit the map with the published FAQ's questions and phrasings too")
@click.option("--dry-run", is_flag=True, help="measure only; keep the model in force")
@with_appcontext
def train_ranker_command(paths, pair_paths, with_faq, dry_run):
    """Refit the low-confidence rule, the unit prior and the question map from the labelled sets and the copy log."""
    questions = _read_all(paths or (QUESTIONS,), read_questions, "标注问题集")
    judged_sets = _read_all(pair_paths, read_judged_set, "标注条文的问题集")
    index = search_index.get_index(current_app)
    search_index.catch_up(current_app)
    with transaction(storage().session_factory) as session:
        result = train_from_use(session, index, questions, judged_sets=judged_sets, with_faq=with_faq,
                                dry_run=dry_run, today=current_app.config.get("KB_TODAY") or None)
    click.echo(f"标注问题 {len(questions)} 条，使用记录 {result.pairs} 条（检索后复制的依据、来电记录引用的条文）")
    _print_figures(result)
    ridge = result.model.adapter_ridge
    click.echo(f"问句映射：按使用记录重新拟合（岭系数 {ridge:g}）" if result.model.adapter is not None
               else "问句映射：使用记录不足或重新拟合无改进，沿用随产品提供的映射")
    if dry_run:
        click.echo("试运行：模型未替换")
    elif result.better:
        click.echo(f"已启用新模型（训练于 {result.model.trained_at}）")
    else:
        click.echo("新模型在留出集上不如旧模型：沿用旧模型")
