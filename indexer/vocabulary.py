"""The director's vocabulary in the data folder: dictionary words and synonym lines.

Two files, each layered over a shipped one and reloaded when its mtime changes:

- ``user_dict.txt`` (``indexer.segmenter``): words added to the shipped tax dictionary, in jieba's
  format ``word [freq]``;
- ``synonyms.tsv`` (``indexer.synonyms``): lines ``term<TAB>expansions<TAB>kind`` that add a term,
  or replace the shipped line of the same term; a line with no expansions removes that term.

Each operation takes the data folder and plain values, checks them (``VocabularyError``, a Chinese
message, nothing written) and rewrites the file under an exclusive ``flock``: the other lines and
comments are kept, the new text goes to a temporary file in the same folder, is flushed to disk
and renamed over the old one (``os.replace``), so a reader sees the old file or the new one, never
half of one. The new file's mtime is later than the old one's, so two edits within one clock tick
are still noticed. Re-indexing the text a new word occurs in is the caller's job
(``kb.library.vocabulary.documents_containing``).
"""
from __future__ import annotations

import os
import re
import tempfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from kb.core.errors import KbError
from kb.library.vocabulary import documents_containing, faq_entries_containing
from kb.library.index_outbox import DOCUMENT, FAQ, FILES, record_changes
from kb.core.shared_files import save_shared_file, shared_files
from indexer.segmenter import DEFAULT_FREQ, SHIPPED_DICT, USER_DICT_NAME, load_segmenter, read_dictionary
from indexer.learned import LEARNED_NAME
from indexer.synonyms import OVERRIDE_NAME, SHIPPED_TABLE, read_rows
from indexer.writing import file_lock

LOCK_NAME = ".vocabulary.lock"
WORD_MIN, WORD_MAX = 2, 20
TERM_MIN, TERM_MAX = 1, 20  # the shipped table has one-character terms (买, 交)
EXPANSION_MAX = 30
MAX_EXPANSIONS = 10
FREQ_MIN, FREQ_MAX = 1, 1_000_000
KINDS = ("abbr", "syn")

USER_DICT_HEADER = (
    "# The director's additions to the tax dictionary (jieba format: word [freq]).\n"
    "# Maintained on the 词典与同义词 page and by `flask dictionary`; edits apply without a restart.\n"
)
OVERRIDE_HEADER = (
    "# The director's synonym lines: they add terms, or replace the shipped line of the same term;\n"
    "# a line with an empty expansion column removes the term. Maintained on the 词典与同义词 page.\n"
    "term\texpansions\tkind\n"
)

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff"
_WORD = re.compile(rf"[{_HAN}A-Za-z0-9]+")
_HAS_HAN = re.compile(rf"[{_HAN}]")
_SPACE = re.compile(r"\s")
_EXPANSION_FORBIDDEN = re.compile(r"[|｜\"#]")
_SEPARATORS = re.compile(r"[|｜\n\r]+")


class VocabularyError(KbError):
    """Input the vocabulary files cannot take; the message says why, in Chinese."""


@dataclass(frozen=True)
class DictionaryWord:
    word: str
    freq: int
    shipped: bool  # in the shipped dictionary (a director's line then overrides its frequency)


@dataclass(frozen=True)
class SynonymRow:
    term: str
    expansions: tuple[str, ...]  # empty when the director removed a shipped term
    kind: str
    status: str  # "shipped" | "changed" (a shipped term the director overrides) | "removed" | "added"
    shipped_expansions: tuple[str, ...] = ()
    shipped_kind: str | None = None


# -- checking input ------------------------------------------------------------------------------

def _check_term(text: str | None, what: str, low: int, high: int) -> str:
    term = (text or "").strip()
    if not term:
        raise VocabularyError(f"请填写{what}")
    if _SPACE.search(term):
        raise VocabularyError(f"{what}“{term}”不能含空格、制表符或换行")
    if not _WORD.fullmatch(term):
        raise VocabularyError(f"{what}“{term}”只能由汉字组成（可夹带字母、数字），不能含标点或符号")
    if not _HAS_HAN.search(term):
        raise VocabularyError(f"{what}“{term}”须含汉字")
    if not low <= len(term) <= high:
        raise VocabularyError(f"{what}须为 {low}～{high} 个字，“{term}”有 {len(term)} 个字")
    return term


def check_word(text: str | None) -> str:
    """A dictionary word: 2 to 20 characters, Chinese (letters and digits may appear), no spaces."""
    return _check_term(text, "词语", WORD_MIN, WORD_MAX)


def check_freq(value) -> int | None:
    """The optional frequency: empty for jieba's default, else a whole number in range."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if not text.isdigit() or not FREQ_MIN <= int(text) <= FREQ_MAX:
        raise VocabularyError(f"词频须为 {FREQ_MIN}～{FREQ_MAX} 之间的整数，或留空用默认值")
    return int(text)


def check_kind(value: str | None) -> str:
    kind = (value or "abbr").strip()
    if kind not in KINDS:
        raise VocabularyError("类型须为“缩写/口语”（abbr，单向展开）或“同义”（syn，互相展开）")
    return kind


def parse_expansions(text: str | None) -> list[str]:
    """Expansions typed as ``a|b`` or one per line (full-width ｜ too)."""
    return [part.strip() for part in _SEPARATORS.split(text or "") if part.strip()]


def check_expansions(term: str, expansions: Iterable[str]) -> list[str]:
    found = list(dict.fromkeys(e.strip() for e in expansions if e and e.strip()))
    if not found:
        raise VocabularyError(f"请为“{term}”填写至少一个展开词（多个用 | 分隔）")
    if len(found) > MAX_EXPANSIONS:
        raise VocabularyError(f"展开词最多 {MAX_EXPANSIONS} 个")
    for expansion in found:
        if _SPACE.search(expansion):
            raise VocabularyError(f"展开词“{expansion}”不能含空格、制表符或换行")
        if _EXPANSION_FORBIDDEN.search(expansion):
            raise VocabularyError(f"展开词“{expansion}”不能含 |、\"、# 等符号")
        if len(expansion) > EXPANSION_MAX:
            raise VocabularyError(f"展开词须不超过 {EXPANSION_MAX} 个字：“{expansion}”")
        if expansion == term:
            raise VocabularyError(f"展开词不能与词条“{term}”相同")
    return found


# -- reading -------------------------------------------------------------------------------------

def user_dict_path(data_dir) -> Path:
    return Path(data_dir) / USER_DICT_NAME


def override_path(data_dir) -> Path:
    return Path(data_dir) / OVERRIDE_NAME


def shipped_words() -> list[DictionaryWord]:
    return [DictionaryWord(word, freq, True) for word, (freq, _tag) in read_dictionary(SHIPPED_DICT).items()]


def director_words(data_dir) -> list[DictionaryWord]:
    shipped = read_dictionary(SHIPPED_DICT)
    return [DictionaryWord(word, freq, word in shipped)
            for word, (freq, _tag) in read_dictionary(user_dict_path(data_dir)).items()]


def _merged(rows) -> dict[str, tuple[list[str], str]]:
    """{term: (expansions, kind)}; several lines of one term are read as one."""
    merged: dict[str, tuple[list[str], str]] = {}
    for term, expansions, kind in rows:
        before = merged.get(term, ([], kind))[0]
        merged[term] = (list(dict.fromkeys(before + expansions)) if expansions else [], kind)
    return merged


def synonym_rows(data_dir) -> list[SynonymRow]:
    """The shipped lines (as the director left them) in file order, then the director's new terms."""
    shipped = _merged(read_rows(SHIPPED_TABLE))
    override = _merged(read_rows(override_path(data_dir)))
    rows = []
    for term, (expansions, kind) in shipped.items():
        if term not in override:
            rows.append(SynonymRow(term, tuple(expansions), kind, "shipped", tuple(expansions), kind))
            continue
        mine, my_kind = override[term]
        rows.append(SynonymRow(term, tuple(mine), my_kind, "changed" if mine else "removed", tuple(expansions), kind))
    for term, (expansions, kind) in override.items():
        if term not in shipped and expansions:
            rows.append(SynonymRow(term, tuple(expansions), kind, "added"))
    return rows


def find_synonym(data_dir, term: str) -> SynonymRow | None:
    return next((row for row in synonym_rows(data_dir) if row.term == term), None)


# -- writing -------------------------------------------------------------------------------------

def _locked(data_dir):
    """One editor of the vocabulary files at a time, across processes."""
    return file_lock(Path(data_dir) / LOCK_NAME)


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text``: a temporary file in the same folder, fsync, ``os.replace``."""
    try:
        old = os.stat(path)
    except FileNotFoundError:
        old = None
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, (old.st_mode & 0o777) if old else 0o644)
        if old is not None and os.stat(temporary).st_mtime_ns <= old.st_mtime_ns:
            later = old.st_mtime_ns + 1_000_000  # readers compare mtimes: make the change visible
            os.utime(temporary, ns=(later, later))
        os.replace(temporary, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    with suppress(OSError):  # the rename itself survives a crash once the folder is synced
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _rewrite(path: Path, header: str, key, term: str, line: str | None) -> None:
    """Rewrite ``path`` without the lines whose ``key(line)`` is ``term``, plus ``line`` when given.

    Comments and the other lines are kept; a new file starts with ``header``.
    """
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        lines = header.splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise VocabularyError(f"无法读取数据目录中的 {path.name}（{error}），请运维人员检查该文件") from error
    lines = [existing for existing in lines if key(existing) != term]
    if line is not None:
        lines.append(line)
    write_atomically(path, "\n".join(lines) + "\n")


def _dict_key(line: str) -> str | None:
    parts = line.split("#", 1)[0].split()
    return parts[0] if parts else None


def _table_key(line: str) -> str | None:
    if line.startswith("#") or not line.strip():
        return None
    return line.split("\t", 1)[0].strip() or None


def add_word(data_dir, word: str | None, freq=None) -> DictionaryWord:
    """Add ``word`` to the director's dictionary (or change its frequency); return it."""
    word, freq = check_word(word), check_freq(freq)
    with _locked(data_dir):
        mine = read_dictionary(user_dict_path(data_dir))
        shipped = read_dictionary(SHIPPED_DICT)
        if word in mine and (freq is None or mine[word][0] == freq):
            raise VocabularyError(f"“{word}”已在主任添加的词语中")
        if word in shipped and word not in mine and (freq is None or shipped[word][0] == freq):
            raise VocabularyError(f"“{word}”已是内置词语；如需调整，请填写不同的词频")
        line = word if freq is None else f"{word} {freq}"
        _rewrite(user_dict_path(data_dir), USER_DICT_HEADER, _dict_key, word, line)
    return DictionaryWord(word, DEFAULT_FREQ if freq is None else freq, word in shipped)


def remove_word(data_dir, word: str | None) -> str:
    """Take ``word`` out of the director's dictionary; return it."""
    word = (word or "").strip()
    if not word:
        raise VocabularyError("请填写要删除的词语")
    with _locked(data_dir):
        if word not in read_dictionary(user_dict_path(data_dir)):
            if word in read_dictionary(SHIPPED_DICT):
                raise VocabularyError(f"“{word}”是内置词语，不能删除")
            raise VocabularyError(f"主任添加的词语中没有“{word}”")
        _rewrite(user_dict_path(data_dir), USER_DICT_HEADER, _dict_key, word, None)
    return word


def save_synonym(data_dir, term: str | None, expansions: Iterable[str], kind: str | None = "abbr",
                 replace: bool = True) -> SynonymRow:
    """Add a term, or change one (a shipped term is overridden; set back to the shipped line, the
    override is dropped); return the row as it now stands. With ``replace`` false, a term in force
    is refused (the add form must not overwrite a line by accident)."""
    term = _check_term(term, "词条", TERM_MIN, TERM_MAX)
    expansions, kind = check_expansions(term, expansions), check_kind(kind)
    with _locked(data_dir):
        existing = find_synonym(data_dir, term)
        if not replace and existing is not None and existing.status != "removed":
            raise VocabularyError(f"词条“{term}”已存在；要修改，请在同义词表中点该词条的“修改”")
        shipped = _merged(read_rows(SHIPPED_TABLE)).get(term)
        same_as_shipped = shipped is not None and shipped == (expansions, kind)
        line = None if same_as_shipped else f"{term}\t{'|'.join(expansions)}\t{kind}"
        _rewrite(override_path(data_dir), OVERRIDE_HEADER, _table_key, term, line)
    return find_synonym(data_dir, term)


def remove_synonym(data_dir, term: str | None) -> SynonymRow:
    """Remove a term: the director's own is dropped, a shipped one is switched off; return the row as it was."""
    term = (term or "").strip()
    with _locked(data_dir):
        row = find_synonym(data_dir, term)
        if row is None or row.status == "removed":
            raise VocabularyError(f"同义词表中没有词条“{term}”" if row is None else f"词条“{term}”已删除")
        line = f"{term}\t\t{row.shipped_kind}" if row.shipped_kind else None
        _rewrite(override_path(data_dir), OVERRIDE_HEADER, _table_key, term, line)
    return row


def restore_synonym(data_dir, term: str | None) -> SynonymRow:
    """Set a shipped term back to its shipped line; return the row as it now stands."""
    term = (term or "").strip()
    with _locked(data_dir):
        row = find_synonym(data_dir, term)
        if row is None or row.shipped_kind is None:
            raise VocabularyError(f"“{term}”不是内置词条，无可恢复")
        if row.status == "shipped":
            raise VocabularyError(f"词条“{term}”未修改，无需恢复")
        _rewrite(override_path(data_dir), OVERRIDE_HEADER, _table_key, term, None)
    return find_synonym(data_dir, term)


def apply_now(data_dir) -> None:
    """This process cuts text with the new dictionary at once (others notice the mtime within a second)."""
    load_segmenter(data_dir).refresh(force=True)


# -- sharing with the other hosts ------------------------------------------------------------------

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
