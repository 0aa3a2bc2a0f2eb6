"""The entries' sentence vectors (``indexer.semantic``), kept beside the index one file per document.

``vectors/<document id>.npz`` in the index folder holds a document's entry keys, their unit vectors
(float16, 1 KB each) and a digest of the texts they were encoded from. ``sync`` brings the files in
line with the entries written to the index, a document at a time: a document whose texts have not
changed keeps its file (a rebuild of an unchanged library encodes nothing), a changed one is encoded
again, a document no longer indexed loses its file. Each file is replaced atomically, so a search
reads a document's old vectors or its new ones; an entry with no vector (a document still being
encoded, an index written before vectors existed) keeps its score (``semantic.weigh_meaning``).

``VectorStore.vectors_of`` reads the files of the documents a search found (a few ms for a new file, then
from a small cache of the files last read); nothing is held for documents no search has reached.
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

from indexer import semantic
from indexer.writing import file_lock

FOLDER = "vectors"
LOCK_NAME = "WRITING"
CACHED_FILES = 512  # documents' vector files kept in memory by a searching process
Progress = Callable[[int, int], None]  # (documents done, documents in all)


def _digest(texts: list[str]) -> str:
    hashed = hashlib.blake2b(digest_size=16)
    hashed.update(f"{semantic.MODEL}\0{semantic.TEXT_CHARS}\0".encode())
    for text in texts:
        hashed.update(text.encode("utf-8"))
        hashed.update(b"\0")
    return hashed.hexdigest()


def entry_of(fields: dict) -> tuple[int, str, str]:
    """(document id, key, text to encode) of an index entry (``unit_entries.unit_fields``)."""
    meta = fields["meta"]
    return int(fields["document_id"]), fields["key"], semantic.entry_text(meta.get("doc_title", ""),
                                                                           fields.get("text", ""))


def _encode_document(job: tuple[str, list[str], list[str], str]) -> str:
    path, keys, texts, digest = job
    vectors = semantic.encode(texts)
    part = f"{path}.{os.getpid()}.part"
    with open(part, "wb") as out:
        np.savez(out, keys=np.array(keys), vectors=vectors, digest=np.array([digest]))
    os.replace(part, path)
    return path


class VectorStore:
    def __init__(self, index_dir: str | Path):
        self.folder = Path(index_dir) / FOLDER
        self._cache: OrderedDict[int, tuple[int, dict[str, int], np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    def path(self, document_id: int) -> Path:
        return self.folder / f"{document_id}.npz"

    def _stored_digest(self, document_id: int) -> str | None:
        try:
            with np.load(self.path(document_id)) as data:
                return str(data["digest"][0])
        except (OSError, KeyError, ValueError):
            return None

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
        on_file = {int(p.stem) for p in self.folder.glob("*.npz") if p.stem.isdigit()}
        for document_id in (on_file if documents is None else set(documents) & on_file) - set(grouped):
            self.path(document_id).unlink(missing_ok=True)
        jobs = []
        for document_id, (keys, texts) in sorted(grouped.items()):
            digest = _digest(texts)
            if self._stored_digest(document_id) != digest:
                jobs.append((str(self.path(document_id)), keys, texts, digest))
        total = len(jobs)
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
        return total

    def _document(self, document_id: int) -> tuple[dict[str, int], np.ndarray] | None:
        path = self.path(document_id)
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            return None
        with self._lock:
            cached = self._cache.get(document_id)
            if cached is not None and cached[0] == stamp:
                self._cache.move_to_end(document_id)
                return cached[1], cached[2]
        try:
            with np.load(path) as data:
                keys, vectors = [str(k) for k in data["keys"]], data["vectors"]
        except (OSError, KeyError, ValueError):
            return None
        rows = {key: i for i, key in enumerate(keys)}
        with self._lock:
            self._cache[document_id] = (stamp, rows, vectors)
            while len(self._cache) > CACHED_FILES:
                self._cache.popitem(last=False)
        return rows, vectors

    def vectors_of(self, results) -> list[np.ndarray | None]:
        """Each result's vector (by ``document_id`` and ``key``), or None where there is none."""
        found: list[np.ndarray | None] = []
        for r in results:
            document = self._document(r.document_id)
            row = document[0].get(r.key) if document else None
            found.append(document[1][row] if row is not None else None)
        return found
