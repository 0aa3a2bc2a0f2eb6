"""The entries' sentence vectors (``indexer.semantic``), kept beside the index one file per document.

``vectors/<document id>.<digest>.npy`` in the index folder holds a document's entry keys and their unit
vectors (float16, 1 KB each); the digest is of the texts they were encoded from (and of the model).
``sync`` brings the files in line with the entries written to the index, a document at a time: a
document whose texts have not changed keeps its file (a rebuild of an unchanged library encodes
nothing), a changed one is encoded again into a new file before its old one goes, a document no longer
indexed loses its file. Each file is written whole and renamed into place, so a search reads a
document's old vectors or its new ones; an entry with no vector (a document still being encoded, an
index written before vectors existed) keeps its score (``semantic.weigh_meaning``). Each sync then brings
the table of candidates by meaning in line (``indexer.nearest``): a full build reads it whole again.

``VectorStore.vectors_of`` reads the files of the documents a search found (0.1 ms for a file not read
before, then from a cache of the files last read; a file's name changes with its content, so the cache
is never stale); nothing is held for documents no search has reached.
"""
from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from indexer import nearest, semantic
from indexer.writing import file_lock

FOLDER = "vectors"
LOCK_NAME = "WRITING"
CACHED_FILES = 1024  # documents' vector files kept in memory by a searching process (~40 KB each)
Progress = Callable[[int, int], None]  # (documents done, documents in all)


def _digest(texts: list[str]) -> str:
    hashed = hashlib.blake2b(digest_size=12)
    hashed.update(f"{semantic.MODEL}\0{semantic.TEXT_CHARS}\0".encode())
    for text in texts:
        hashed.update(text.encode("utf-8"))
        hashed.update(b"\0")
    return hashed.hexdigest()


def _modified(path: Path) -> int:
    """When ``path`` was written; 0 when a writer removed it since the folder was listed (a former file)."""
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def entry_of(fields: dict) -> tuple[int, str, str]:
    """(document id, key, text to encode) of an index entry (``unit_entries.unit_fields``)."""
    meta = fields["meta"]
    return int(fields["document_id"]), fields["key"], semantic.entry_text(meta.get("doc_title", ""),
                                                                           fields.get("text", ""))


def _encode_document(job: tuple[Path, str, list[str], list[str], list[Path]]) -> None:
    path, key_type, keys, texts, old = job
    rows = np.empty(len(keys), dtype=np.dtype([("key", key_type), ("vector", np.float16, (semantic.DIMENSIONS,))]))
    rows["key"], rows["vector"] = keys, semantic.encode(texts, remember=True)
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    with open(part, "wb") as out:
        np.save(out, rows)
    os.replace(part, path)
    for stale in old:  # the document's file of its former texts
        if stale != path:
            stale.unlink(missing_ok=True)


class VectorStore:
    def __init__(self, index_dir: str | Path):
        self.folder = Path(index_dir) / FOLDER
        self._files: tuple[int, dict[int, Path]] | None = None  # (folder mtime, document id -> file)
        self._cache: OrderedDict[Path, tuple[dict[str, int], np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    def _listed(self) -> dict[int, list[Path]]:
        """The folder's vector files (``<document id>.<digest>.npy``) by document, oldest first."""
        listed: dict[int, list[Path]] = {}
        for path in sorted(self.folder.glob("*.npy"), key=_modified):
            document, _, _ = path.name.partition(".")
            if document.isdigit():
                listed.setdefault(int(document), []).append(path)
        return listed

    def _newest(self) -> dict[int, Path]:
        """Each document's newest vector file, as the folder holds them now."""
        return {document: paths[-1] for document, paths in self._listed().items()}

    def files(self) -> dict[int, Path]:
        """Each document's vector file, listed again when the folder changes (two files of one document
        for a moment: the newer)."""
        try:
            stamp = self.folder.stat().st_mtime_ns
        except OSError:
            return {}
        if self._files is None or self._files[0] != stamp:
            self._files = (stamp, self._newest())
        return self._files[1]

    def sync(self, entries: Iterable[tuple[int, str, str]], documents: Iterable[int] | None = None, *,
             procs: int = 1, progress: Progress | None = None) -> int:
        """Encode the documents of ``entries`` whose texts changed; remove the files of ``documents``
        (all documents on file when None: a full build) that have no entries. Returns documents encoded.
        One process at a time (``LOCK_NAME``), so that an older text never overwrites a newer one."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with file_lock(self.folder / LOCK_NAME):
            return self._sync(entries, documents, procs, progress)

    def _sync(self, entries, documents, procs: int, progress: Progress | None) -> int:
        grouped: dict[int, tuple[list[str], list[str]]] = {}
        for document_id, key, text in entries:
            keys, texts = grouped.setdefault(document_id, ([], []))
            keys.append(key)
            texts.append(text)
        on_file = self._listed()
        gone = (set(on_file) if documents is None else set(documents) & set(on_file)) - set(grouped)
        for document_id in gone:
            for path in on_file[document_id]:
                path.unlink(missing_ok=True)
        jobs, encoded = [], set()  # encoded: the documents whose texts changed
        for document_id, (keys, texts) in sorted(grouped.items()):
            path = self.folder / f"{document_id}.{_digest(texts)}.npy"
            old = on_file.get(document_id, [])
            if path not in old or len(old) > 1:
                jobs.append((path, f"U{max(map(len, keys))}", keys, texts, old))
                encoded.add(document_id)
        total = len(jobs)
        if jobs:
            semantic.encoder(self.folder)  # loaded (and saved there for searching processes) before any fork
        if progress:
            progress(0, total)
        if procs > 1 and total > 1:
            with ProcessPoolExecutor(procs) as pool:
                for done, _ in enumerate(pool.map(_encode_document, jobs, chunksize=8), 1):
                    if progress:
                        progress(done, total)
        else:
            for done, job in enumerate(jobs, 1):
                _encode_document(job)
                if progress:
                    progress(done, total)
        nearest.update_table(self.folder, self._newest(), None if documents is None else gone | encoded)
        return total

    def _document(self, path: Path) -> tuple[dict[str, int], np.ndarray] | None:
        with self._lock:
            cached = self._cache.get(path)
            if cached is not None:
                self._cache.move_to_end(path)
                return cached
        try:
            rows = np.load(path)
        except (OSError, ValueError):
            return None  # replaced by a newer file since the folder was listed
        document = ({str(key): i for i, key in enumerate(rows["key"])}, rows["vector"])
        with self._lock:
            self._cache[path] = document
            while len(self._cache) > CACHED_FILES:
                self._cache.popitem(last=False)
        return document

    def lacking(self, keys_by_document: dict[int, set[str]]) -> set[int]:
        """The documents of ``keys_by_document`` (each with its indexed entries' keys) whose vector file is
        missing or lacks some of those keys: a build or an update stopped before it encoded them (their
        entries search by their words alone). ``flask check`` reports them; re-indexing them encodes them."""
        files = self.files()
        lacking = set()
        for document_id, keys in keys_by_document.items():
            path = files.get(document_id)
            try:  # read, not cached: a check reads every file once, a search reads few
                kept = {str(key) for key in np.load(path)["key"]} if path is not None else set()
            except (OSError, ValueError):
                kept = set()
            if not keys <= kept:
                lacking.add(document_id)
        return lacking

    def rewrite_table(self) -> None:
        """Write the table of candidates by meaning again from every vector file (``flask check --repair``)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with file_lock(self.folder / LOCK_NAME):
            nearest.update_table(self.folder, self._newest(), None)

    def every_vector(self) -> tuple[list[str], np.ndarray]:
        """Every entry's key and vector (rows, float16), read from the files, not cached: for refitting the
        question map (``indexer.map_training``), which reads them all once."""
        keys, blocks = [], []
        for path in self.files().values():
            try:
                rows = np.load(path)
            except (OSError, ValueError):
                continue  # replaced by a newer file since the folder was listed
            keys += [str(key) for key in rows["key"]]
            blocks.append(rows["vector"])
        matrix = np.concatenate(blocks) if blocks else np.zeros((0, semantic.DIMENSIONS), dtype=np.float16)
        return keys, matrix

    def vectors_of(self, results) -> list[np.ndarray | None]:
        """Each result's vector (by ``document_id`` and ``key``), or None where there is none."""
        files = self.files()  # one look at the folder per search
        found: list[np.ndarray | None] = []
        for r in results:
            path = files.get(r.document_id)
            document = self._document(path) if path is not None else None
            row = document[0].get(r.key) if document else None
            found.append(document[1][row] if row is not None else None)
        return found
