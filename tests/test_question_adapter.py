"""The question adapter (``indexer.question_adapter``): a linear map fitted on question→article pairs
that moves a question's sentence vector towards the articles answering such questions."""
from __future__ import annotations

import numpy as np
import pytest

from indexer import question_adapter, semantic


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True)


def test_the_shipped_map_is_there_for_the_model_in_force_and_keeps_questions_unit_vectors():
    matrix = question_adapter.adapter()
    assert matrix is not None and matrix.shape == (semantic.DIMENSIONS, semantic.DIMENSIONS)
    assert np.isfinite(matrix).all()
    plain = semantic.encode(["公司的账本要保存多少年"])[0]
    moved = question_adapter.apply(plain, matrix)
    assert moved.dtype == plain.dtype == np.float16
    assert abs(float(np.linalg.norm(moved.astype(np.float32))) - 1.0) < 0.01
    # Moved, not replaced: still nearer its own sentence than an unrelated one.
    other = semantic.encode(["船舶吨税的税率"])[0].astype(np.float32)
    assert 0.3 < float(moved.astype(np.float32) @ plain.astype(np.float32)) < 0.999
    assert float(moved.astype(np.float32) @ plain.astype(np.float32)) > float(moved.astype(np.float32) @ other)


def test_switched_off_a_question_keeps_the_encoders_vector(monkeypatch):
    monkeypatch.setattr(question_adapter, "USE", False)
    assert question_adapter.adapter() is None
    plain = semantic.encode(["增值税的税率"])[0]
    assert question_adapter.apply(plain, question_adapter.adapter()) is plain


def test_a_missing_map_or_one_of_another_shape_is_not_used(monkeypatch, tmp_path):
    (tmp_path / "none").mkdir()
    monkeypatch.setattr(question_adapter, "FOLDER", tmp_path / "none")
    assert question_adapter.adapter() is None  # no file for this model in that folder
    (tmp_path / "other").mkdir()
    np.save(tmp_path / "other" / f"question-adapter.{semantic.MODEL}.npy", np.eye(3))
    monkeypatch.setattr(question_adapter, "FOLDER", tmp_path / "other")
    assert question_adapter.adapter() is None  # the wrong shape: not this encoder's


def test_fit_moves_questions_to_their_articles_and_a_strong_ridge_keeps_the_identity():
    rng = np.random.default_rng(0)
    dimensions = 16
    shift = rng.normal(size=(dimensions, dimensions)) * 0.5  # how questions are written apart from articles
    articles = _unit(rng.normal(size=(200, dimensions)))
    questions = _unit(articles @ (np.eye(dimensions) + shift))
    fitted = question_adapter.fit(questions[:150], articles[:150], ridge=0.1)
    # Held-out pairs: each moved question lies nearer its own article than the question did.
    before = np.sum(questions[150:] * articles[150:], axis=1)
    after = np.sum(question_adapter.apply(questions[150:], fitted) * articles[150:], axis=1)
    assert after.mean() > before.mean() + 0.1 and (after > before).mean() > 0.9
    stiff = question_adapter.fit(questions, articles, ridge=1e9)
    assert np.allclose(stiff, np.eye(dimensions), atol=1e-5)


def test_weights_count_a_pair_as_often_as_its_weight():
    rng = np.random.default_rng(1)
    questions, articles = _unit(rng.normal(size=(30, 8))), _unit(rng.normal(size=(30, 8)))
    doubled = question_adapter.fit(np.vstack([questions, questions[:10]]), np.vstack([articles, articles[:10]]), 1.0)
    weighted = question_adapter.fit(questions, articles, 1.0, weights=np.r_[np.full(10, 2.0), np.ones(20)])
    assert np.allclose(doubled, weighted, atol=1e-5)


def test_apply_without_a_map_changes_nothing():
    vectors = _unit(np.random.default_rng(2).normal(size=(4, 8))).astype(np.float16)
    assert question_adapter.apply(vectors, None) is vectors


@pytest.fixture
def index(make_search_index):
    return make_search_index("税收征收管理法(2015-04-24).md")


def test_a_search_weighs_its_candidates_with_the_moved_question(index, monkeypatch):
    """The factor is the moved question's cosine to the power; ``meaning`` (what the confidence rule reads)
    stays the encoder's own cosine."""
    question = "还有税款没缴完，可以出国吗"
    moved = index.search(question, today_override="2026-11-27").results
    plain = semantic.encode([question])[0].astype(np.float32)
    adapted = question_adapter.apply(plain, question_adapter.adapter())
    for r, v in zip(moved[:5], index.vectors.vectors_of(moved[:5])):
        v = v.astype(np.float32)
        assert r.meaning == pytest.approx(float(v @ plain), abs=2e-3)
        assert r.meaning_factor == pytest.approx(max(float(v @ adapted), semantic.MEANING_FLOOR) ** semantic.MEANING_POWER,
                                                 rel=2e-2)
    monkeypatch.setattr(question_adapter, "USE", False)
    unmoved = index.search(question, today_override="2026-11-27").results  # switched off: the encoder's own
    for r, v in zip(unmoved[:5], index.vectors.vectors_of(unmoved[:5])):
        cosine = float(v.astype(np.float32) @ plain)
        assert r.meaning == pytest.approx(cosine, abs=2e-3)
        assert r.meaning_factor == pytest.approx(max(cosine, semantic.MEANING_FLOOR) ** semantic.MEANING_POWER, rel=2e-2)


def _mean_reciprocal_rank(questions: np.ndarray, entries: np.ndarray, answers: np.ndarray) -> float:
    cosines = questions @ entries.T
    ranks = (cosines > cosines[np.arange(len(questions)), answers][:, None]).sum(axis=1)
    return float(np.mean(1.0 / (ranks + 1)))


def _shifted_questions(rng, dimensions: int = 16):
    """400 entries and 300 questions, each its answer's vector through one fixed random map, plus noise."""
    shift = rng.normal(size=(dimensions, dimensions)) * 0.6
    entries = _unit(rng.normal(size=(400, dimensions))).astype(np.float32)
    answers = rng.permutation(400)[:300]
    questions = _unit(entries[answers] @ (np.eye(dimensions) + shift)
                      + rng.normal(size=(300, dimensions)) * 0.1).astype(np.float32)
    return entries, answers, questions


def test_fit_contrastive_ranks_held_out_questions_answers_higher_and_a_strong_ridge_keeps_the_identity():
    rng = np.random.default_rng(1)
    dimensions = 16
    entries, answers, questions = _shifted_questions(rng, dimensions)
    judged = question_adapter.Judged(questions[:200], entries, [[int(a)] for a in answers[:200]])
    fitted = question_adapter.fit_contrastive([judged], ridge=0.01, depth=20, steps=150, rate=0.01)
    before = _mean_reciprocal_rank(questions[200:], entries, answers[200:])
    after = _mean_reciprocal_rank(question_adapter.apply(questions[200:], fitted), entries, answers[200:])
    assert after > before + 0.1
    stiff = question_adapter.fit_contrastive([judged], ridge=1e6, depth=20, steps=20)
    assert np.allclose(stiff, np.eye(dimensions), atol=1e-3)


def test_fit_contrastive_from_a_start_is_held_to_it_and_still_learns():
    """A refit from use (``indexer.map_training``) starts from the shipped map and is held to it, not to the identity."""
    rng = np.random.default_rng(2)
    dimensions = 16
    entries, answers, questions = _shifted_questions(rng, dimensions)
    start = (np.eye(dimensions) + rng.normal(size=(dimensions, dimensions)) * 0.3).astype(np.float32)
    judged = question_adapter.Judged(questions[:200], entries, [[int(a)] for a in answers[:200]])
    stiff = question_adapter.fit_contrastive([judged], ridge=1e6, depth=20, steps=20, start=start)
    assert np.allclose(stiff, start, atol=1e-3) and not np.allclose(stiff, np.eye(dimensions), atol=0.1)
    loose = question_adapter.fit_contrastive([judged], ridge=0.01, depth=20, steps=150, rate=0.01, start=start)
    before = _mean_reciprocal_rank(question_adapter.apply(questions[200:], start), entries, answers[200:])
    after = _mean_reciprocal_rank(question_adapter.apply(questions[200:], loose), entries, answers[200:])
    assert after > before + 0.1


def test_a_learned_map_round_trips_and_another_encoders_or_a_damaged_one_is_ignored():
    import json

    from indexer.learned import LearnedModel, shipped_model

    matrix = (np.eye(semantic.DIMENSIONS) * 0.5).astype(np.float32)
    model = LearnedModel(confidence=shipped_model().confidence, adapter=matrix, adapter_ridge=0.3)
    again = LearnedModel.from_json(model.to_json())
    assert np.array_equal(again.adapter, matrix) and again.adapter_ridge == 0.3
    assert LearnedModel.from_json(shipped_model().to_json()).adapter is None
    data = json.loads(model.to_json())
    for damaged in ({**data["adapter"], "model": "another-encoder"}, {**data["adapter"], "float16": "not base64!"},
                    {**data["adapter"], "float16": data["adapter"]["float16"][:400]}):
        kept = LearnedModel.from_json(json.dumps({**data, "adapter": damaged}))
        assert kept.adapter is None and kept.confidence == model.confidence


def test_a_question_is_moved_by_a_learned_map_before_the_shipped_one():
    matrix = np.roll(np.eye(semantic.DIMENSIONS, dtype=np.float32), 1, axis=1)
    question = question_adapter.Question("增值税税率是多少", matrix)
    assert np.allclose(question.moved(), np.roll(question.plain().astype(np.float32), 1), atol=1e-3)
    assert not np.allclose(question_adapter.Question("增值税税率是多少").moved(), question.moved(), atol=1e-2)
