"""``flask dictionary add|remove|list``: the tax dictionary's words for operators.

The same operations as the 词典与同义词 page (``indexer.vocabulary``); adding or removing a word
indexes the documents and FAQ entries containing it again, as the page does.
"""
from __future__ import annotations

import json

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from indexer import vocabulary
from kb.core.db import transaction
from webapp import search_index
from webapp.storage import storage
from webapp.vocabulary import log_change


def register(app: Flask) -> None:
    app.cli.add_command(dictionary_group)


@click.group("dictionary")
def dictionary_group():
    """The director's additions to the tax dictionary (user_dict.txt in the data folder)."""


def _edit(change, word) -> tuple[int, int, object]:
    """``indexer.vocabulary.edit`` in its own transaction, then index here the documents and FAQ
    entries containing the word: (documents, entries, what ``change`` returned)."""
    with transaction(storage().session_factory) as session:
        done = vocabulary.edit(session, current_app.config["KB_DATA_DIR"], vocabulary.USER_DICT_NAME, change, word)
    search_index.index_documents(current_app, done.documents)  # applies the outbox: these and the FAQ entries
    return len(done.documents), len(done.faq_entries), done.result


def _report(word: str, documents: int, entries: int) -> None:
    faq = f"、问答 {entries} 条" if entries else ""
    click.echo(f"已重新索引含“{word}”的文件 {documents} 篇{faq}" if documents or entries else
               f"库中没有含“{word}”的文件，无需重新索引")


@dictionary_group.command("add")
@click.argument("word")
@click.option("--freq", default=None, help="词频（整数，可省略，默认 2000）")
@with_appcontext
def add_command(word, freq):
    """Add WORD to the dictionary and re-index the documents containing it."""
    try:
        documents, entries, added = _edit(lambda data_dir: vocabulary.add_word(data_dir, word, freq),
                                          vocabulary.check_word(word))
    except vocabulary.VocabularyError as problem:
        raise click.ClickException(str(problem))
    click.echo(f"已加入词语“{added.word}”（词频 {added.freq}）")
    _report(added.word, documents, entries)
    log_change("add_word", None, word=added.word, freq=added.freq, documents=documents, via="cli")


@dictionary_group.command("remove")
@click.argument("word")
@with_appcontext
def remove_command(word):
    """Remove WORD from the director's words and re-index the documents containing it."""
    try:
        documents, entries, removed = _edit(lambda data_dir: vocabulary.remove_word(data_dir, word),
                                            (word or "").strip())
    except vocabulary.VocabularyError as problem:
        raise click.ClickException(str(problem))
    click.echo(f"已删除词语“{removed}”")
    _report(removed, documents, entries)
    log_change("remove_word", None, word=removed, documents=documents, via="cli")


@dictionary_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="also list the shipped words")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per word")
@with_appcontext
def list_command(show_all, as_json):
    """List the director's words (with --all, the shipped ones after them)."""
    mine = vocabulary.director_words(current_app.config["KB_DATA_DIR"])
    rows = [(w, "director") for w in mine]
    if show_all:
        taken = {w.word for w in mine}
        rows += [(w, "shipped") for w in vocabulary.shipped_words() if w.word not in taken]
    for w, source in rows:
        if as_json:
            click.echo(json.dumps({"word": w.word, "freq": w.freq, "source": source, "shipped": w.shipped},
                                  ensure_ascii=False))
        else:
            label = "内置" if source == "shipped" else ("主任调整词频" if w.shipped else "主任添加")
            click.echo(f"{w.word}\t{w.freq}\t{label}")
