"""Synonyms, abbreviations and colloquial phrasing, applied at query time.

The shipped table is ``indexer/data/synonyms.tsv`` (columns ``term``, ``expansions`` separated by
``|``, ``kind``: ``abbr`` one way, ``syn`` every word for every other). The director overrides or
extends it with ``synonyms.tsv`` in the data folder: its lines replace the shipped lines of the
same term, and a line with an empty expansion column removes the term. The override's mtime is
checked at most once a second, so edits apply without a restart.
"""
from __future__ import annotations

import csv
import io
import os
import time
from pathlib import Path

from indexer.segmenter import DATA_DIR

SHIPPED_TABLE = DATA_DIR / "synonyms.tsv"
OVERRIDE_NAME = "synonyms.tsv"
MAX_SPAN = 4  # a term may span up to this many consecutive query words
CHECK_INTERVAL = 1.0


def read_table(path: Path) -> dict[str, list[str] | None]:
    """{term: expansions} from a table file; None marks a removed term."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return {}
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    table: dict[str, list[str] | None] = {}
    for row in csv.reader(io.StringIO("\n".join(lines)), delimiter="\t"):
        if not row or row[0].strip() in ("", "term"):
            continue
        term = row[0].strip()
        expansions = [e.strip() for e in (row[1] if len(row) > 1 else "").split("|") if e.strip()]
        kind = row[2].strip() if len(row) > 2 else "abbr"
        if not expansions:
            table[term] = None
            continue
        table.setdefault(term, [])
        table[term] = list(dict.fromkeys((table[term] or []) + expansions))
        if kind == "syn":
            group = [term] + expansions
            for word in expansions:
                others = [w for w in group if w != word]
                table[word] = list(dict.fromkeys((table.get(word) or []) + others))
    return table


class SynonymTable:
    def __init__(self, override: Path | None = None):
        self.override = Path(override) if override else None
        self._shipped = read_table(SHIPPED_TABLE)
        self._mtime: float | None = None
        self._checked_at = 0.0
        self.table: dict[str, list[str]] = {}
        self.refresh(force=True)

    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._checked_at < CHECK_INTERVAL:
            return
        self._checked_at = now
        mtime = 0.0
        if self.override is not None:
            try:
                mtime = os.stat(self.override).st_mtime
            except OSError:
                mtime = 0.0
        if mtime == self._mtime and not force:
            return
        self._mtime = mtime
        merged = dict(self._shipped)
        if mtime:
            merged.update(read_table(self.override))
        self.table = {term: exp for term, exp in merged.items() if exp}

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
