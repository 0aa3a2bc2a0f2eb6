"""jieba, loaded once per process, with the tax dictionary and the director's additions.

- The shipped dictionary is ``indexer/data/tax_dict.txt``; the director extends it with
  ``user_dict.txt`` in the data folder (same jieba format: ``word [freq] [tag]``). That file's
  mtime is checked at most once a second: added words take effect without a restart, removed
  ones are taken out again (a removed word that was shipped, or in jieba's own dictionary, gets
  its former frequency back). ``indexer.vocabulary`` edits the file for the director's page.
- jieba's stock dictionary is replaced by ``data/base_dict.txt``, the same words pruned to those
  that occur in the laws corpus and the policy library or are common (``scripts/prune_jieba_dict.py``):
  that text cuts exactly as before, and loading takes 0.06 s instead of 0.4 s. The stock total
  frequency is kept (``STOCK_TOTAL``), since it weighs every word of a cut.
- jieba's own dictionary cache lives in the data folder (``jieba.<digest>.cache``), not in /tmp.
- Call ``load_segmenter(data_dir)`` before workers fork (the app factory and the CLI do), so the
  dictionary is loaded once and shared copy-on-write.
"""
from __future__ import annotations

import hashlib
import logging
import os
import sys
import threading
import time
from pathlib import Path


def _import_jieba():
    """``import jieba``, without the ``pkg_resources`` it imports only to open its own data files
    (deprecated, and 60 ms of every start): when it is missing, jieba opens them by path."""
    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba
        return jieba
    sys.modules["pkg_resources"] = None  # makes ``import pkg_resources`` raise ImportError
    try:
        import jieba
    finally:
        del sys.modules["pkg_resources"]
    return jieba


jieba = _import_jieba()

DATA_DIR = Path(__file__).resolve().parent / "data"
BASE_DICT = DATA_DIR / "base_dict.txt"
STOCK_TOTAL = 60101967  # the sum of the frequencies in jieba 0.42.1's dict.txt
SHIPPED_DICT = DATA_DIR / "tax_dict.txt"
USER_DICT_NAME = "user_dict.txt"
DEFAULT_FREQ = 2000
CHECK_INTERVAL = 1.0  # seconds between mtime checks of the director's dictionary

jieba.setLogLevel(logging.WARNING)


def file_mtime(path: Path) -> float:
    """``path``'s modification time; 0.0 when it does not exist or cannot be read."""
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


class Throttle:
    """Says when a check is due: at most once every ``interval`` seconds, unless forced."""

    def __init__(self, interval: float = CHECK_INTERVAL):
        self.interval = interval
        self._at = float("-inf")

    def due(self, force: bool = False) -> bool:
        now = time.monotonic()
        if not force and now - self._at < self.interval:
            return False
        self._at = now
        return True


def read_dictionary(path: Path) -> dict[str, tuple[int, str | None]]:
    """Words of a jieba-format dictionary file: {word: (freq, tag)}; comments start with #."""
    words: dict[str, tuple[int, str | None]] = {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return words
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split()
        if not parts:
            continue
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else DEFAULT_FREQ
        tag = parts[2] if len(parts) > 2 else None
        words[parts[0]] = (freq, tag)
    return words


def cache_name() -> str:
    """jieba's cache file for ``BASE_DICT``, named for its content: jieba trusts a cache that is
    newer than the dictionary, so a cache of another dictionary must never have this name."""
    digest = hashlib.sha1(BASE_DICT.read_bytes()).hexdigest()[:12]
    return f"jieba.{digest}.cache"


class Segmenter:
    """One jieba ``Tokenizer`` plus the dictionaries layered on it."""

    def __init__(self, cache_dir: Path):
        cache_dir.mkdir(parents=True, exist_ok=True)
        self.jieba = jieba.Tokenizer(str(BASE_DICT))
        self.jieba.tmp_dir = str(cache_dir)
        self.jieba.cache_file = cache_name()
        self.jieba.initialize()
        self.jieba.total = STOCK_TOTAL
        self.shipped = read_dictionary(SHIPPED_DICT)
        for word, (freq, tag) in self.shipped.items():
            self.jieba.add_word(word, freq, tag)
        self._lock = threading.Lock()
        self._base: dict[str, int] = {}  # a director's word -> its frequency before the director's file
        self._user_files: dict[Path, tuple[float, set[str]]] = {}  # path -> (mtime, words added)
        self._throttle = Throttle()
        self.version = 0  # bumped whenever the director's words change

    # -- the director's dictionary ------------------------------------------------------------

    def watch(self, path: Path) -> None:
        """Layer the dictionary file ``path`` on top (it may not exist yet)."""
        with self._lock:
            self._user_files.setdefault(Path(path), (-1.0, set()))
        self.refresh(force=True)

    def refresh(self, force: bool = False) -> None:
        if not self._throttle.due(force):
            return
        with self._lock:
            for path, (seen_mtime, added) in list(self._user_files.items()):
                mtime = file_mtime(path)
                if mtime == seen_mtime:
                    continue
                words = read_dictionary(path) if mtime else {}
                for word in added - set(words):
                    self._restore(word)
                for word, (freq, tag) in words.items():
                    self._base.setdefault(word, self.jieba.FREQ.get(word) or 0)
                    self.jieba.add_word(word, freq, tag)
                self._user_files[path] = (mtime, set(words))
                self.version += 1

    def _restore(self, word: str) -> None:
        """Undo a director's word: back to the shipped (or jieba's own) frequency, or gone."""
        base = self._base.pop(word, 0)
        if base:
            self.jieba.add_word(word, base)
        else:
            self.jieba.del_word(word)

    def user_words(self) -> set[str]:
        return set(self.shipped).union(*(words for _, words in self._user_files.values()))

    # -- cutting ------------------------------------------------------------------------------

    def cut(self, text: str, hmm: bool = False) -> list[str]:
        self.refresh()
        return self.jieba.lcut(text, HMM=hmm)

    def sub_words(self, word: str) -> list[tuple[str, int]]:
        """Dictionary words of 2 to 4 characters inside ``word``, with offsets (like jieba's search mode)."""
        freq = self.jieba.FREQ
        found = []
        if len(word) > 2:
            for n in (2, 3, 4):
                if len(word) <= n:
                    continue
                for i in range(len(word) - n + 1):
                    gram = word[i:i + n]
                    if freq.get(gram):
                        found.append((gram, i))
        return found


_segmenter: Segmenter | None = None
_init_lock = threading.Lock()


def load_segmenter(data_dir: str | Path | None = None) -> Segmenter:
    """The process's segmenter; the first call loads jieba (cache in ``data_dir``)."""
    global _segmenter
    with _init_lock:
        if _segmenter is None:
            _segmenter = Segmenter(Path(data_dir) if data_dir else DATA_DIR / "cache")
    if data_dir is not None:
        path = Path(data_dir) / USER_DICT_NAME
        if path not in _segmenter._user_files:
            _segmenter.watch(path)
    return _segmenter
