"""The director's vocabulary files shared with every host: kept in the database (``kb.core.shared_files``)
and announced in the index outbox, so that each host writes the same files and cuts again the text a
changed word occurs in. ``edit`` is the one vocabulary update the page and the command line call."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from kb.core.shared_files import save_shared_file, shared_files
from kb.search.index_outbox import DOCUMENT, FAQ, FILES, record_changes
from kb.search.vocabulary import documents_containing, faq_entries_containing
from indexer.learned import LEARNED_NAME
from indexer.segmenter import USER_DICT_NAME
from indexer.synonyms import OVERRIDE_NAME
from indexer.vocabulary import _locked, apply_now, write_atomically

SHARED_NAMES = (USER_DICT_NAME, OVERRIDE_NAME, LEARNED_NAME)  # and what train-ranker learned (indexer.learned)


def pull(session, data_dir, *, for_update: bool = False) -> bool:
    """Write into ``data_dir`` the director's files as the database holds them (``kb.core.shared_files``),
    where they differ; return True when one changed (this process then uses it at once). An editor
    pulls first (``for_update``: two editors take turns on PostgreSQL), so that an edit made on
    another host is not lost."""
    changed = False
    stored = shared_files(session, for_update=for_update)
    with _locked(data_dir):
        for name in SHARED_NAMES:
            if name not in stored:
                continue  # never saved: this host's own file (if any) stands
            path = Path(data_dir) / name
            try:
                current = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                current = None
            if current != stored[name]:
                Path(data_dir).mkdir(parents=True, exist_ok=True)
                write_atomically(path, stored[name])
                changed = True
    if changed:
        apply_now(data_dir)
    return changed


def push(session, data_dir, name: str, *, documents: Iterable[int] = (), faq_entries: Iterable[int] = ()) -> None:
    """After an edit of ``name``: save the file's text in the database and record the change in the
    index outbox, with the documents and FAQ entries whose text must be cut again, in the session's
    transaction. Every other host writes the file and re-indexes them when it follows the outbox."""
    save_shared_file(session, name, (Path(data_dir) / name).read_text(encoding="utf-8"))
    record_changes(session, [(FILES, 0)] + [(DOCUMENT, int(i)) for i in documents] +
                   [(FAQ, int(i)) for i in faq_entries])



@dataclass
class Edit:
    """What ``edit`` did: ``result`` (what the change returned) and the documents and FAQ entries
    containing the word, recorded in the outbox to be indexed again."""

    result: object
    documents: list[int]
    faq_entries: list[int]


def edit(session, data_dir, name: str, change, word=None) -> Edit:
    """The vocabulary update, written once for the page and the command line: pull the director's
    files from the database (taking turns with other editors), ``change(data_dir)`` (raises
    ``VocabularyError`` with nothing written), use the new file here at once, find the documents and
    FAQ entries containing ``word`` (``word(result)`` when callable: the word as the change
    normalised it; a dictionary word cuts their text anew), and push the file and those ids to the
    database and the index outbox. The index applies them after the caller commits (the web app's
    after-commit hook; the CLI's ``index_documents``)."""
    pull(session, data_dir, for_update=True)
    result = change(data_dir)
    apply_now(data_dir)
    word = word(result) if callable(word) else word
    documents = documents_containing(session, word) if word else []
    entries = faq_entries_containing(session, word) if word else []
    push(session, data_dir, name, documents=documents, faq_entries=entries)
    return Edit(result, documents, entries)
