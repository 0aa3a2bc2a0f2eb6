"""Refitting what the search learns (``flask train-ranker``): the low-confidence rule, the unit prior and the
question map (``indexer.map_training``).

Data: labelled questions (``bench/data/confidence-questions.jsonl``: ``query``, ``answerable``,
``split`` tune|test) and the pairs agents copied after a search or cited in a saved call (query, unit id, oldest first;
``kb.search.search_feedback.learning_pairs``), every one of them answerable.

Splits, fixed before anything is fitted: the questions by their own ``split``; the pairs by time, the
oldest 60 % counted for the prior, fitting the map and joining the rule's fit as answerable, the next 20 %
choosing the prior's weight and the map's ridge (then both refitted on them too, and joining the rule's fit),
the newest 20 % held out.

Held-out figures, for the model in force (``before``) and the new fit (``after``), on the test
questions plus the held-out pairs: the share of unanswerable questions flagged low, of answerable ones
flagged low, their difference ``J``, and MRR@10 of the copied unit for the held-out pairs. The new model
replaces the old only when neither ``J`` nor MRR@10 gets worse.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from indexer import map_training
from indexer.confidence import FEATURES, ConfidenceRule, fit_rule, flag_rates
from indexer.learned import LEARNED_NAME, LearnedModel
from indexer.unit_prior import WEIGHTS, UnitPrior, count_copies
from kb.core.timestamps import to_beijing, utc_now

MIN_PAIRS_FOR_PRIOR = 20  # fewer copied pairs than this: no prior is learned
TOLERANCE = map_training.TOLERANCE  # figures closer than this are level


@dataclass
class TrainingResult:
    model: LearnedModel  # the new fit
    before: dict  # held-out figures of the model in force
    after: dict  # held-out figures of the new fit
    better: bool  # the new fit is not worse on any figure: it replaces the old
    pairs: int


def split_pairs(pairs: list) -> tuple[list, list, list]:
    """(counted, choosing, held out): the oldest 60 %, the next 20 %, the newest 20 %."""
    first, second = int(len(pairs) * 0.6), int(len(pairs) * 0.8)
    return pairs[:first], pairs[first:second], pairs[second:]


def _search(index, query: str, learned: LearnedModel, today: str | None):
    return index.search(query, limit=10, learned=learned, today_override=today)


def mrr(index, pairs: list, learned: LearnedModel, today: str | None) -> float | None:
    """MRR@10 of each pair's unit among the results of its query (None without pairs)."""
    if not pairs:
        return None
    total = 0.0
    for query, unit_id, *_ in pairs:
        units = [r.unit_id for r in _search(index, query, learned, today).results if r.type != "faq"]
        total += 1.0 / (units.index(unit_id) + 1) if unit_id in units else 0.0
    return round(total / len(pairs), 4)


def _rows(index, questions: list[dict], pairs: list, learned: LearnedModel, today: str | None):
    rows = [(_search(index, q["query"], learned, today).signals, bool(q["answerable"])) for q in questions]
    rows += [(_search(index, query, learned, today).signals, True) for query, *_ in pairs]
    return rows


def evaluate(index, questions: list[dict], pairs: list, learned: LearnedModel, today: str | None) -> dict:
    """The held-out figures of ``learned`` on ``questions`` (labelled) and ``pairs`` (copied, answerable)."""
    rates = flag_rates(learned.confidence, _rows(index, questions, pairs, learned, today))
    rates["J"] = round(rates["unanswerable_flagged"] - rates["answerable_flagged"], 4)
    rates["MRR@10"] = mrr(index, pairs, learned, today)
    rates["pairs"] = len(pairs)
    return rates


def fit_prior(index, counted: list, choosing: list, rule: ConfidenceRule, today: str | None) -> UnitPrior:
    """The weight (of ``unit_prior.WEIGHTS``) with the best MRR@10 on ``choosing``, copies counted on
    ``counted``; then counted again over both. No prior with too few pairs."""
    if len(counted) + len(choosing) < MIN_PAIRS_FOR_PRIOR or not choosing:
        return UnitPrior()
    copies = count_copies(counted)
    best_weight, best_mrr = 0.0, -1.0
    for weight in WEIGHTS:
        score = mrr(index, choosing, LearnedModel(confidence=rule, prior=UnitPrior(weight, copies)), today)
        if score > best_mrr + TOLERANCE:
            best_weight, best_mrr = weight, score
    return UnitPrior(best_weight, count_copies(counted + choosing)) if best_weight else UnitPrior()


def train(index, questions: list[dict], pairs: list, current: LearnedModel, *, today: str | None = None,
          now: dt.datetime | None = None, anchors: list = ()) -> TrainingResult:
    """Fit a new model on the tune questions and the older pairs; compare it with ``current`` held out.
    ``anchors``: (question, unit id) pairs written down beforehand, which the map is fitted with too."""
    tune = [q for q in questions if q.get("split") != "test"]
    test = [q for q in questions if q.get("split") == "test"]
    counted, choosing, held = split_pairs(list(pairs))
    prior = fit_prior(index, counted, choosing, current.confidence, today)

    def with_map(matrix) -> float:  # MRR@10 of the choosing pairs with this map (None: the shipped one)
        return mrr(index, choosing, LearnedModel(confidence=current.confidence, prior=prior, adapter=matrix), today)

    adapter, ridge = map_training.choose(index.vectors, counted, choosing, with_map, anchors)
    fitting = LearnedModel(confidence=current.confidence, prior=prior, adapter=adapter)
    shape = current.confidence  # refitted with the inputs and penalties of the rule in force
    rule = fit_rule(_rows(index, tune, counted + choosing, fitting, today), names=shape.features or FEATURES,
                    l2=float(shape.fitted.get("l2", 1.0)), wording_c=shape.wording_c)
    new = LearnedModel(confidence=rule, prior=prior, adapter=adapter, adapter_ridge=ridge,
                       trained_at=f"{to_beijing(now or utc_now()):%Y-%m-%d %H:%M}")  # Beijing time
    before = evaluate(index, test, held, current, today)
    after = evaluate(index, test, held, new, today)
    before["question_map"] = current.adapter_ridge if current.adapter is not None else None  # None: the shipped map
    after["question_map"] = ridge
    new.scores = after
    better = after["J"] >= before["J"] - TOLERANCE and (
        after["MRR@10"] is None or before["MRR@10"] is None or after["MRR@10"] >= before["MRR@10"] - TOLERANCE)
    return TrainingResult(model=new, before=before, after=after, better=better, pairs=len(pairs))


# -- with the database: ``flask train-ranker`` ---------------------------------------------------------

def read_questions(text: str, source: str) -> list[dict]:
    """The labelled questions of a JSON-lines file; a bad line is named in the error (Chinese)."""
    from kb.core.json_lines import read_json_lines

    return read_json_lines(text, source, lambda row: isinstance(row.get("query"), str) and isinstance(
        row.get("answerable"), bool), "含 query（文字）和 answerable（true/false）")


def train_from_use(session, index, questions: list[dict], *, judged_sets: list[dict] = (), with_faq: bool = False,
                   dry_run: bool = False, today: str | None = None) -> TrainingResult:
    """Refit from ``questions`` plus every judgement from use in the database (copies, calls), the map also
    with the fitting rows of ``judged_sets`` and (``with_faq``) the published FAQ's pairs; when the new model
    is not worse (and not ``dry_run``), write it into the data folder and share it with the other hosts; record the
    training either way. The caller commits."""
    from indexer import vocabulary, vocabulary_sharing
    from kb.search.labelled_pairs import faq_pairs, judged_set_pairs
    from kb.search.search_feedback import learning_pairs, record_training
    from kb.core.timestamps import beijing_now

    pairs = learning_pairs(session)
    anchors = (faq_pairs(session) if with_faq else []) + judged_set_pairs(session, list(judged_sets))
    result = train(index, questions, pairs, index.learned.model(force=True), today=today, now=beijing_now(),
                   anchors=anchors)
    replace = result.better and not dry_run
    if replace:
        vocabulary.write_atomically(index.data_dir / LEARNED_NAME, result.model.to_json() + "\n")
        vocabulary_sharing.push(session, index.data_dir, LEARNED_NAME)
        index.learned.model(force=True)
    note = "试运行，未替换" if dry_run else (None if replace else "新模型留出集成绩不如旧模型，沿用旧模型")
    record_training(session, kept_new=replace, pairs=result.pairs, before=result.before, after=result.after,
                    note=note)
    return result
