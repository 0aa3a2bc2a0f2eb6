"""Data files every host must hold alike, kept in the database: the director's vocabulary and what
``flask train-ranker`` learned.

The director's dictionary (``user_dict.txt``) and synonym table (``synonyms.tsv``) are files in a
host's data folder, read by the search of that host (``indexer.segmenter``, ``indexer.synonyms``).
With several hosts, the database holds the current text of each (``shared_files``): an edit saves it
here and leaves a ``files`` row in the index outbox (``kb.library.index_outbox``) in the same transaction;
each host, following the outbox, writes the text into its data folder before re-indexing the
documents the edit changed (``indexer.following``).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.core.db import Base
from kb.core.timestamps import UtcDateTime, utc_now

# = indexer.segmenter.USER_DICT_NAME, indexer.synonyms.OVERRIDE_NAME, indexer.learned.LEARNED_NAME
NAMES = ("user_dict.txt", "synonyms.tsv", "ranker.json")


class SharedFile(Base):
    __tablename__ = "shared_files"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)


def shared_files(session: Session, *, for_update: bool = False) -> dict[str, str]:
    """{file name: text} of the files saved so far (``for_update``: locked until the transaction ends,
    on PostgreSQL, so that two editors take turns)."""
    query = select(SharedFile.name, SharedFile.text).order_by(SharedFile.name)
    if for_update:
        query = query.with_for_update()
    return dict(session.execute(query).all())


def save_shared_file(session: Session, name: str, text: str) -> None:
    """Store the current ``text`` of the data file ``name`` (one of ``NAMES``), in the session's transaction."""
    if name not in NAMES:
        raise ValueError(f"not a shared data file: {name}")
    row = session.get(SharedFile, name)
    if row is None:
        session.add(SharedFile(name=name, text=text))
    elif row.text != text:
        row.text = text
