"""Synonyms, abbreviations and colloquial phrasing, applied at query time.

The shipped table is ``indexer/data/synonyms.tsv`` (columns ``term``, ``expansions`` separated by
``|``, ``kind``: ``abbr`` one way, ``syn`` every word for every other; ``group``: abbreviation,
statute or everyday, what the line is, so that each group's effect can be measured). The director overrides or
extends it with ``synonyms.tsv`` in the data folder: its lines replace the shipped lines of the
same term, and a line with an empty expansion column removes the term. The override's mtime is
checked at most once a second, so edits apply without a restart; ``indexer.vocabulary`` edits the
override for the director's page.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from indexer.segmenter import DATA_DIR, Throttle, file_mtime

SHIPPED_TABLE = DATA_DIR / "synonyms.tsv"
OVERRIDE_NAME = "synonyms.tsv"
MAX_SPAN = 4  # a term may span up to this many consecutive query words


def read_rows(path: Path) -> list[tuple[str, list[str], str]]:
    """The lines of a table file as (term, expansions, kind), in file order; no expansions marks a removal."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    rows = []
    for row in csv.reader(io.StringIO("\n".join(lines)), delimiter="\t"):
        if not row or row[0].strip() in ("", "term"):
            continue
        expansions = [e.strip() for e in (row[1] if len(row) > 1 else "").split("|") if e.strip()]
        rows.append((row[0].strip(), expansions, row[2].strip() if len(row) > 2 else "abbr"))
    return rows


def read_groups(path: Path) -> dict[str, str]:
    """{term: group} of a table file's lines (the optional fourth column; "" when absent)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return {}
    groups = {}
    for line in text.splitlines():
        cells = line.split("\t")
        if line.startswith("#") or not cells[0].strip() or cells[0].strip() == "term":
            continue
        groups[cells[0].strip()] = cells[3].strip() if len(cells) > 3 else ""
    return groups


def build_table(rows) -> dict[str, list[str]]:
    """{term: expansions} from (term, expansions, kind) rows; rows without expansions are skipped."""
    table: dict[str, list[str]] = {}
    for term, expansions, kind in rows:
        if not expansions:
            continue
        table[term] = list(dict.fromkeys(table.get(term, []) + expansions))
        if kind == "syn":
            group = [term] + expansions
            for word in expansions:
                others = [w for w in group if w != word]
                table[word] = list(dict.fromkeys(table.get(word, []) + others))
    return table


def merge_rows(shipped, override) -> tuple[list, set[str]]:
    """(rows in force, removed terms): each override line replaces the shipped lines of its term;
    a term whose override lines are all empty is removed (also as another line's expansion)."""
    overridden = {term for term, _, _ in override}
    kept = {term for term, expansions, _ in override if expansions}
    rows = [row for row in shipped if row[0] not in overridden] + [row for row in override if row[1]]
    return rows, overridden - kept


def read_table(path: Path) -> dict[str, list[str] | None]:
    """{term: expansions} from a table file; None marks a removed term."""
    rows, removed = merge_rows([], read_rows(path))
    return {**build_table(rows), **dict.fromkeys(removed)}


class SynonymTable:
    def __init__(self, override: Path | None = None, groups: set[str] | None = None):
        """``groups``: keep only the shipped lines of these groups (None: all); for measuring them."""
        self.override = Path(override) if override else None
        self._shipped = read_rows(SHIPPED_TABLE)
        if groups is not None:
            group_of = read_groups(SHIPPED_TABLE)
            self._shipped = [row for row in self._shipped if group_of.get(row[0]) in groups]
        self._mtime: float | None = None
        self._throttle = Throttle()
        self.table: dict[str, list[str]] = {}
        self.refresh(force=True)

    def refresh(self, force: bool = False) -> None:
        if not self._throttle.due(force):
            return
        mtime = file_mtime(self.override) if self.override is not None else 0.0
        if mtime == self._mtime and not force:
            return
        self._mtime = mtime
        rows, removed = merge_rows(self._shipped, read_rows(self.override) if mtime else [])
        table = build_table(rows)
        for term in removed:
            table.pop(term, None)
        self.table = table

    def expansions(self, term: str) -> list[str]:
        self.refresh()
        return self.table.get(term, [])

    def terms(self) -> set[str]:
        self.refresh()
        return set(self.table) | {e for exp in self.table.values() for e in exp}

    def find(self, words: list[str]) -> list[tuple[int, int, list[str]]]:
        """(first, last + 1, expansions) for each run of consecutive ``words`` that is a term."""
        self.refresh()
        found = []
        i = 0
        while i < len(words):
            for j in range(min(len(words), i + MAX_SPAN), i, -1):
                expansions = self.table.get("".join(words[i:j]))
                if expansions:
                    found.append((i, j, expansions))
                    i = j - 1
                    break
            i += 1
        return found
