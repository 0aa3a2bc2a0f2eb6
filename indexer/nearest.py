"""Candidates by meaning: the entries whose sentence vectors lie nearest the (moved) question.

The first stage finds the entries that score best by the question's words; on a large library an
article that shares only a word or two with a caller's question (公司没按时报税 → 未按照规定的期限办理纳税
申报) falls below its cut. ``NearestEntries.top`` names the entries nearest the question by meaning (the
question moved by ``indexer.question_adapter``), three times as many as the search shows (at most
``CANDIDATES``: 30 on the page, 300 at ``--limit 100``); the search adds those a word of the question
matches to the first stage's candidates, each with its words' score, and the second stage weighs them
with all the others (``SearchIndex._with_nearest``). The number was chosen by cross-validation on the STARD fitting half,
with the adapter and the directions fitted out of fold (bench/README.md).

A scan of every entry's 512-dimensional vector would take 300 MB and ~200 ms on the full laws corpus.
Questions, though, lie in a narrow part of that space: the principal directions of the moved tune
questions (``basis()``, 512 × 48 today, fitted by ``bench/adapter.py --write`` on the adapter's own fitting
questions) keep what a question can ask. Each entry's vector is projected on them once, when it is
indexed: ``update_table`` keeps ``vectors/nearest/<digest of the directions>.npy`` (document, key, one
float16 per direction) in line with the vector files, a changed document's rows replaced, a removed document's
dropped, the whole table rewritten on a full build or when the directions change. A search reads it
(28.5 MB as float32 on the full corpus at 48 directions, read again when it is replaced) and takes one product: ~3 ms.
"""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import numpy as np

from indexer import semantic
from indexer.question_adapter import shipped_matrix

CANDIDATES = 300  # entries added by meaning (0: none)
FOLDER = Path(__file__).parent / "data"
TABLE = "nearest"
KEY_TYPE = "S48"  # an entry's key: article:<unit id> / faq:<entry id>


def basis_path(folder: Path | None = None) -> Path:
    return (folder or FOLDER) / f"question-basis.{semantic.MODEL}.npy"


def basis() -> np.ndarray | None:
    """The shipped directions (512 × k), or None (candidates by meaning off, or none for this model)."""
    return shipped_matrix(basis_path()) if CANDIDATES else None


def fit_basis(questions: np.ndarray, dimensions: int) -> np.ndarray:
    """The ``dimensions`` principal directions of ``questions`` (rows, moved unit vectors), as columns:
    uncentred, because a cosine is a product about the origin."""
    _, _, directions = np.linalg.svd(np.asarray(questions, dtype=np.float64), full_matrices=False)
    return directions[:dimensions].T.astype(np.float32)


_digests: dict[int, tuple[np.ndarray, str]] = {}  # id(directions) -> (directions, digest): hashed once


def table_path(folder: Path, directions: np.ndarray) -> Path:
    """The table of the vector folder ``folder`` for ``directions``: ``nearest/<their digest>.npy``."""
    known = _digests.get(id(directions))
    if known is None or known[0] is not directions:
        known = (directions, hashlib.blake2b(np.ascontiguousarray(directions).tobytes(), digest_size=8).hexdigest())
        _digests.clear()  # one basis in force at a time
        _digests[id(directions)] = known
    return folder / TABLE / f"{known[1]}.npy"


def _row_type(directions: np.ndarray) -> np.dtype:
    return np.dtype([("document", np.int32), ("key", KEY_TYPE), ("vector", np.float16, (directions.shape[1],))])


def _rows(document_id: int, file: Path, directions: np.ndarray) -> np.ndarray:
    vectors = np.load(file)
    rows = np.empty(len(vectors), dtype=_row_type(directions))
    rows["document"] = document_id
    rows["key"] = np.char.encode(vectors["key"].astype(str), "ascii")
    rows["vector"] = vectors["vector"].astype(np.float32) @ directions
    return rows


def update_table(folder: Path, files: dict[int, Path], changed: set[int] | None) -> None:
    """Bring the folder's table in line with ``files`` (each document's vector file): the rows of the
    ``changed`` documents read again and those of documents without a file dropped; None, or no table
    of the basis in force, reads every file. Written whole and renamed into place. The caller holds the
    vector folder's lock."""
    directions = basis()
    if directions is None:
        return
    path = table_path(folder, directions)
    parts, todo = [], dict(files)
    if changed is not None and path.exists():
        try:
            old = np.load(path)
        except (OSError, ValueError):
            old = None
        if old is not None:
            parts.append(old[np.isin(old["document"], list(set(files) - set(changed)))])
            todo = {d: files[d] for d in changed if d in files}
    for document_id, file in sorted(todo.items()):
        try:
            parts.append(_rows(document_id, file, directions))
        except (OSError, ValueError, KeyError):
            continue  # a file replaced meanwhile: its document is read again at the next update
    table = np.concatenate(parts) if parts else np.empty(0, dtype=_row_type(directions))
    path.parent.mkdir(exist_ok=True)
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    with open(part, "wb") as out:
        np.save(out, table)
    os.replace(part, path)
    for stale in path.parent.glob("*.npy"):
        if stale != path:
            stale.unlink(missing_ok=True)


def differing(folder: Path, keys_by_document: dict[int, set[str]]) -> set[int]:
    """The documents of ``keys_by_document`` (each with its indexed entries' keys) whose rows in the table
    are not those keys, and the table's documents not among them (``flask check``); none without a basis."""
    directions = basis()
    if directions is None:
        return set()
    try:
        table = np.load(table_path(folder, directions))
    except (OSError, ValueError):
        return set(keys_by_document)
    rows: dict[int, set[str]] = {}
    for document_id, key in zip(table["document"].tolist(), table["key"].tolist()):
        rows.setdefault(document_id, set()).add(key.decode("ascii"))
    return {d for d in set(rows) | set(keys_by_document) if rows.get(d, set()) != keys_by_document.get(d, set())}


class NearestEntries:
    """The table of one index's vector folder, read again when it is replaced."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._lock = threading.Lock()
        self._table: tuple[tuple, np.ndarray, np.ndarray] | None = None  # (file, mtime), keys, matrix
        self._docnums: tuple[tuple, dict[str, int | None]] | None = None  # key -> docnum, per searcher

    def _read(self, directions: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        path = table_path(self.folder, directions)
        try:
            stamp = (path, path.stat().st_mtime_ns)
        except OSError:
            return None
        with self._lock:
            if self._table is None or self._table[0] != stamp:
                try:
                    rows = np.load(path)
                except (OSError, ValueError):
                    return None
                if rows.dtype.names is None or rows["vector"].shape[1:] != (directions.shape[1],):
                    return None
                # Copies: the file's rows (float16) are let go once converted.
                self._table = (stamp, rows["key"].copy(), np.ascontiguousarray(rows["vector"], dtype=np.float32))
            return self._table[1], self._table[2]

    def available(self) -> bool:
        """A table of the basis in force is there (so a search encodes its question for it)."""
        directions = basis()
        return directions is not None and self._read(directions) is not None

    def top(self, question: np.ndarray, count: int) -> list[str]:
        """The keys of the ``count`` entries nearest ``question`` (a moved unit vector), best first."""
        directions = basis()
        table = self._read(directions) if directions is not None and count > 0 else None
        if table is None or not len(table[0]):
            return []
        keys, matrix = table
        products = matrix @ (np.asarray(question, dtype=np.float32) @ directions)
        if count < len(products):
            best = np.argpartition(-products, count)[:count]
            best = best[np.argsort(-products[best])]
        else:
            best = np.argsort(-products)
        return [key.decode("ascii") for key in keys[best]]

    def added(self, searcher, question: np.ndarray, count: int, scores: np.ndarray,
              keep: np.ndarray) -> list[tuple[int, float]]:
        """(docnum, words' score) of the ``count`` entries nearest ``question`` that are in ``keep`` (the
        search's filters) and that a word of the question matches (``scores``, the words' score of every
        entry, above 0). An entry no word matches is left out: on a short question (个税, 专票) the meaning
        alone put articles without the word first."""
        added = []
        for key in self.top(question, count):
            docnum = self._docnum(searcher, key)
            if docnum is not None and keep[docnum] and scores[docnum] > 0:
                added.append((docnum, float(scores[docnum])))
        return added

    def _docnum(self, searcher, key: str) -> int | None:
        """The docnum of the entry ``key`` in ``searcher`` (~15 µs by Whoosh's term lookup; remembered)."""
        stamp = (id(searcher), searcher.reader().generation())
        if self._docnums is None or self._docnums[0] != stamp:
            self._docnums = (stamp, {})
        numbers = self._docnums[1]
        if key not in numbers:
            numbers[key] = searcher.document_number(key=key)
        return numbers[key]
