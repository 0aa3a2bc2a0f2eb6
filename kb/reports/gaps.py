"""The gaps queue: searches that found nothing or were marked 未解决, grouped and ranked, each ready
to become an FAQ draft.

Grouping uses a key function: by default the query with spaces and punctuation removed; the web layer
passes the indexer's "tokens after synonyms" key so that 发票丢了 and 发票 丢失 fall together (``kb``
does not import the indexer). Queries already answered by an FAQ question or phrasing are left out.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.faq.operations import FaqData
from kb.faq.models import RETIRED, FaqEntry
from kb.reports.querylog import QueryLog

_NOISE = re.compile(r"[\s\W_]+")


def default_key(query: str) -> str:
    return _NOISE.sub("", query or "").lower()


@dataclass
class Gap:
    key: str
    count: int
    last_at: dt.datetime | None
    queries: list[str] = field(default_factory=list)  # distinct wordings, most frequent first

    def draft(self) -> FaqData:
        """The "起草FAQ" prefill: the commonest wording as the question, the others as phrasings."""
        return FaqData(question=self.queries[0], phrasings=self.queries[1:], answer="", citations=[])


def gap_queue(session: Session, since: dt.datetime | None = None,
              key: Callable[[str], str] = default_key, limit: int = 100) -> list[Gap]:
    """Groups of queries that found nothing or were marked 未解决, most frequent first."""
    query = select(QueryLog.query, QueryLog.created_at).where(
        (QueryLog.result_count == 0) | QueryLog.unresolved.is_(True))
    if since is not None:
        query = query.where(QueryLog.created_at >= since)
    answered = {key(text) for text in _faq_wordings(session)}
    wordings: dict[str, Counter] = {}
    last: dict[str, dt.datetime | None] = {}
    for text, created_at in session.execute(query):
        group = key(text)
        if not group or group in answered:
            continue
        wordings.setdefault(group, Counter())[text.strip()] += 1
        if created_at is not None and (last.get(group) is None or created_at > last[group]):
            last[group] = created_at
    gaps = [Gap(key=group, count=sum(counts.values()), last_at=last.get(group),
                queries=[text for text, _n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))])
            for group, counts in wordings.items()]
    gaps.sort(key=lambda gap: (-gap.count, gap.key))
    return gaps[:limit]


def _faq_wordings(session: Session) -> list[str]:
    texts = []
    for question, phrasings in session.execute(
            select(FaqEntry.question, FaqEntry.phrasings).where(FaqEntry.status != RETIRED)):
        texts.append(question)
        texts.extend(phrasings or [])
    return texts
