"""The Whoosh internals the fast scorer reads, all here: the one place that goes past Whoosh's public API.

``indexer.scoring`` scores BM25F term at a time with numpy (10-20x Whoosh's own search on the full
corpus) and needs three things the public API gives only one document or one posting at a time:

- ``field_b``: the per-field B of ``BM25F(title_B=…)``, kept in the private ``_field_B``;
- ``length_codes``: every document's byte-encoded field length in one read, from the W3 codec's
  per-document column (``_perdoc``, ``_cached_reader``, and the column reader's ``_fixedlen``,
  ``_count``, ``_dbfile``, ``_basepos``);
- ``posting_blocks``: a posting list a block at a time, from the W3 block matcher (``_read_ids``,
  ``_read_weights``, ``_ids``, ``_weights``, ``_i``, ``_blocklength``, ``_next_block``).

Each returns ``None`` when the internals are not there (another codec, another Whoosh), and the caller
then uses the public API (``doc_field_length``, ``matcher.id()/weight()/next()``): slower, same result.
``tests/test_whoosh_internals.py`` checks each against the public API on a real index of several
segments with deletions, so a Whoosh upgrade that changes them fails there, not in the ranking.
Checked with whoosh3 3.54.0 (the 2.7 index format).
"""
from __future__ import annotations

from typing import Iterator

import numpy as np


def field_b(weighting, fieldname: str) -> float:
    """The B that ``weighting`` (a ``BM25F``) applies to ``fieldname``."""
    return getattr(weighting, "_field_B", {}).get(fieldname, getattr(weighting, "B", 0.75))


def length_codes(leaf, fieldname: str) -> np.ndarray | None:
    """One segment's field lengths as Whoosh stores them (a byte a document, ``byte_to_length`` decodes),
    or ``None`` when the segment is not of the W3 codec."""
    perdoc = getattr(leaf, "_perdoc", None)
    if perdoc is None or not hasattr(perdoc, "_cached_reader"):
        return None
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN

    column_reader = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    if column_reader is None or getattr(column_reader, "_fixedlen", None) != 1:
        return None
    count = leaf.doc_count_all()
    codes = np.zeros(count, dtype=np.uint8)
    stored = min(column_reader._count, count)
    codes[:stored] = np.frombuffer(column_reader._dbfile.get(column_reader._basepos, stored), dtype=np.uint8)
    return codes


_BLOCK_READER = ("_read_ids", "_read_weights", "_next_block", "_blocklength")


def posting_blocks(matcher) -> Iterator[tuple[np.ndarray, np.ndarray]] | None:
    """(ids, weights) of each remaining block of a W3 posting matcher, or ``None`` for any other matcher."""
    if not all(hasattr(matcher, name) for name in _BLOCK_READER):
        return None
    return _blocks(matcher)


def _blocks(matcher) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        yield (np.asarray(matcher._ids, dtype=np.int64)[matcher._i:matcher._blocklength],
               np.asarray(matcher._weights, dtype=np.float64)[matcher._i:matcher._blocklength])
        matcher._next_block()
