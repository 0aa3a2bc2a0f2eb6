"""Learning from use: what agents copied after a search, and when the ranker was last trained.

An agent who copies a result's legal basis (复制依据) after a search has judged that article
relevant to the query: ``record_copy`` keeps the pair (query, unit, agent, time); a saved call
record whose answer cites articles is the same judgement for the caller's question (``call_pairs``;
calls of the confidential categories excepted). ``flask
train-ranker`` refits what the search learns (``indexer.training``) from the labelled question sets
plus these pairs, and ``record_training`` keeps what it scored; the director sees ``latest_training``.
Domain operations: they never commit.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Optional

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.core.timestamps import UtcDateTime, utc_now
from kb.hotline.calls import CONFIDENTIAL_CATEGORIES, Call
from kb.core.db import Base
from kb.core.errors import KbError
from kb.library.operations import find_article, find_document_by_name
from kb.library.models import Unit

MAX_QUERY = 500
# 《title》（2019年版，已修订）第三十二条第二款: the document and the article a call record cites.
CITED_ARTICLE = re.compile(r"《([^》]+)》(?:（[^）]*）)?(第[零〇一二两三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?)")


class FeedbackError(KbError):
    pass


class CitationCopy(Base):
    __tablename__ = "citation_copies"

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(String(MAX_QUERY))
    unit_id: Mapped[Optional[int]] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)  # the agent
    copied_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now, index=True)


class RankerTraining(Base):
    __tablename__ = "ranker_trainings"

    id: Mapped[int] = mapped_column(primary_key=True)
    trained_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now, index=True)
    kept_new: Mapped[bool] = mapped_column(Boolean, default=False)  # False: the old model stayed in force
    pairs: Mapped[int] = mapped_column(Integer, default=0)  # copied pairs used
    before: Mapped[dict] = mapped_column(JSON, default=dict)  # held-out figures of the model in force before
    after: Mapped[dict] = mapped_column(JSON, default=dict)  # held-out figures of the new fit
    note: Mapped[Optional[str]] = mapped_column(String(500))


def record_copy(session: Session, user_id: int | None, *, query: str, unit_id: int) -> CitationCopy:
    """Keep the judgement "``unit_id`` answers ``query``"; the caller commits."""
    query = (query or "").strip()
    if not query:
        raise FeedbackError("缺少检索内容，无法记录复制的依据")
    if session.get(Unit, unit_id) is None:
        raise FeedbackError("复制的条文不存在，可能已被删除")
    copy = CitationCopy(query=query[:MAX_QUERY], unit_id=unit_id, user_id=user_id)
    session.add(copy)
    session.flush()
    return copy


def copied_pairs(session: Session) -> list[tuple[str, int, dt.datetime]]:
    """(query, unit id, copied at) of every copy whose unit still exists, oldest first; a query
    copied twice for the same unit counts once (the first time)."""
    rows = session.execute(select(CitationCopy.query, CitationCopy.unit_id, CitationCopy.copied_at)
                           .where(CitationCopy.unit_id.is_not(None))
                           .order_by(CitationCopy.copied_at, CitationCopy.id)).all()
    seen: set[tuple[str, int]] = set()
    pairs = []
    for query, unit_id, at in rows:
        if (query, unit_id) not in seen:
            seen.add((query, unit_id))
            pairs.append((query, unit_id, at))
    return pairs


def call_pairs(session: Session) -> list[tuple[str, int, dt.datetime]]:
    """(question, unit id, call time) for each article a saved call's answer cites, oldest first;
    calls of confidential categories (举报, 投诉) are left out."""
    units: dict[str, int | None] = {}
    pairs = []
    calls = session.scalars(select(Call).where(Call.category.not_in(CONFIDENTIAL_CATEGORIES))
                            .order_by(Call.created_at, Call.id))
    for call in calls:
        question = (call.question or "").strip()[:MAX_QUERY]
        for citation in call.citations or []:
            if citation not in units:
                units[citation] = _cited_unit(session, citation)
            if question and units[citation] is not None:
                pairs.append((question, units[citation], call.created_at))
    return pairs


def _cited_unit(session: Session, citation: str) -> int | None:
    match = CITED_ARTICLE.search(citation or "")
    document = find_document_by_name(session, match.group(1)) if match else None
    unit = find_article(session, document, match.group(2)) if document is not None else None
    return unit.id if unit is not None else None


def learning_pairs(session: Session) -> list[tuple[str, int, dt.datetime]]:
    """Every (query, unit id, time) judgement from use: copies after a search and cited articles of
    saved calls, oldest first, each (query, unit) once."""
    merged = sorted(copied_pairs(session) + call_pairs(session), key=lambda p: p[2])
    seen: set[tuple[str, int]] = set()
    pairs = []
    for query, unit_id, at in merged:
        if (query, unit_id) not in seen:
            seen.add((query, unit_id))
            pairs.append((query, unit_id, at))
    return pairs


def record_training(session: Session, *, kept_new: bool, pairs: int, before: dict, after: dict,
                    note: str | None = None) -> RankerTraining:
    training = RankerTraining(kept_new=kept_new, pairs=pairs, before=before, after=after,
                              note=(note or None) and note[:500])
    session.add(training)
    session.flush()
    return training


def latest_training(session: Session) -> RankerTraining | None:
    return session.scalars(select(RankerTraining).order_by(RankerTraining.trained_at.desc(),
                                                           RankerTraining.id.desc()).limit(1)).first()
