"""Learning from use: every referral whose department was changed is a labelled example.

A referral's ``suggested_department`` is what the router proposed; its ``department`` is where it
went in the end: the agent's or the director's choice, or the department chosen after another
returned it (退回). When the two differ and the referral has been sent, the question and the final
department are a correction (``corrections``): a labelled example the router got wrong.

``train_router`` refits the classifier on the shipped training split plus three quarters of the
corrections, and measures the model in force and the new one on the same held-out set: the shipped
test split plus the remaining quarter of the corrections (a referral's id decides its side, so
the split is fixed). The new model is kept only when it is not worse; otherwise the old one stays.
A kept model is stored as the corrections it was fitted on (``RouterModelRecord``), never as a
pickle: any process rebuilds the same model from them (``active_model``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.core.actors import allowed
from kb.core.departments import group_of
from kb.core.permissions import Forbidden, role_of
from kb.hotline.routing_model import (
    Example, Figures, RouterModel, evaluate, load_examples, shipped_model, held_out_examples, train, training_examples,
)
from kb.accounts.roles import ADMIN, DIRECTOR
from kb.hotline.models import RouterModelRecord
from kb.core.timestamps import beijing_now

HELD_OUT_EVERY = 4  # a correction whose referral id % 4 == 2 is held out, like every 4th shipped example


def can_train_router(actor) -> bool:
    """The director (or the admin); ``SYSTEM`` is the command line, run by whoever runs the server."""
    return allowed(actor, lambda user: role_of(user) in (DIRECTOR, ADMIN))


def corrections(session: Session) -> list[Example]:
    """A labelled example for every sent referral whose final department differs from the one
    the router suggested (changed by the agent, the director, or after a department's 退回)."""
    from kb.hotline.models import DRAFT, RETURNED, Referral

    rows = session.scalars(
        select(Referral).where(Referral.state.not_in((DRAFT, RETURNED)), Referral.department.is_not(None),
                               Referral.suggested_department.is_not(None),
                               Referral.department != Referral.suggested_department)
        .order_by(Referral.id)
    )
    return [
        Example(text=row.question, office=row.department, id=f"referral-{row.id}", source="correction",
                split="test" if row.id % HELD_OUT_EVERY == 2 else "train")
        for row in rows if group_of(row.department)
    ]


_CACHE: dict[tuple, RouterModel] = {}


def _key(record: RouterModelRecord) -> tuple:
    """What identifies a stored model's content (ids restart in a fresh database)."""
    return (record.id, record.created_at, json.dumps(record.examples, ensure_ascii=False, sort_keys=True))


def active_model(session: Session) -> RouterModel:
    """The newest stored model (rebuilt once per process), or the shipped one when none is stored."""
    record = session.scalars(select(RouterModelRecord).order_by(RouterModelRecord.id.desc()).limit(1)).first()
    if record is None:
        return shipped_model()
    key = _key(record)
    if key not in _CACHE:
        stored = [Example(text=e["text"], office=e["office"], id=e.get("id", ""), source="correction")
                  for e in record.examples]
        _CACHE.clear()
        _CACHE[key] = train(training_examples() + stored, threshold=record.threshold, temperature=record.temperature)
    return _CACHE[key]


@dataclass
class TrainingReport:
    corrections: int          # all corrections found
    trained_on: int           # examples the new model was fitted on
    held_out: int             # examples both models were measured on
    before: Figures           # the model in force, on the held-out set
    after: Figures            # the new model, on the same set
    kept_old: bool
    record: Optional[RouterModelRecord] = None


def train_router(session: Session, actor) -> TrainingReport:
    """Refit from the shipped examples plus the corrections; keep the new model unless it does
    worse than the one in force on the held-out set (see the module docstring)."""
    if not can_train_router(actor):
        raise Forbidden("只有中心主任可以重新训练转办模型")
    found = corrections(session)
    shipped = load_examples()
    fit_on = training_examples(shipped) + [e for e in found if e.split == "train"]
    held = held_out_examples(shipped) + [e for e in found if e.split == "test"]
    before = evaluate(active_model(session), held)
    candidate = train(fit_on)
    after = evaluate(candidate, held)
    kept_old = after.accuracy < before.accuracy
    report = TrainingReport(len(found), len(fit_on), len(held), before, after, kept_old)
    if not kept_old:
        report.record = RouterModelRecord(
            created_at=beijing_now(), created_by_id=getattr(actor, "id", None),
            examples=[{"id": e.id, "text": e.text, "office": e.office} for e in found if e.split == "train"],
            temperature=candidate.temperature, threshold=candidate.threshold, held_out=len(held),
            accuracy_before=before.accuracy, accuracy_after=after.accuracy,
        )
        session.add(report.record)
        session.flush()
        _CACHE.clear()
        _CACHE[_key(report.record)] = candidate
    return report
