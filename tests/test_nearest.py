"""Candidates by meaning (``indexer.nearest``): the entries nearest the moved question, from a table of
projected vectors kept in line with the vector files, added to the first stage's candidates."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from indexer import nearest, question_adapter, semantic
from indexer.search import SearchIndex
from indexer.vectors import VectorStore

TODAY = "2026-11-27"
FILES = ("税收征收管理法(2015-04-24).md", "车辆购置税法(2018-12-29).md", "船舶吨税法(2018-10-26).md")


@pytest.fixture
def index(make_search_index):
    return make_search_index(*FILES)


def _table(index) -> np.ndarray:
    return np.load(nearest.table_path(index.vectors.folder, nearest.basis()))


def _moved(text: str) -> np.ndarray:
    return question_adapter.apply(semantic.encode([text])[0], question_adapter.adapter())


def test_the_shipped_directions_are_there_for_the_model_in_force():
    directions = nearest.basis()
    assert directions is not None and directions.shape[0] == semantic.DIMENSIONS
    assert 16 <= directions.shape[1] < semantic.DIMENSIONS
    # Orthonormal columns: a product over them approximates the cosine within their span.
    assert np.allclose(directions.T @ directions, np.eye(directions.shape[1]), atol=2e-2)


def test_the_build_writes_one_row_per_entry_vector_projected_on_the_directions(index):
    table = _table(index)
    store = VectorStore(index.index_dir)
    vectors = {}
    for document_id, path in store.files().items():
        rows = np.load(path)
        vectors.update({(document_id, str(k)): v for k, v in zip(rows["key"], rows["vector"])})
    assert len(table) == len(vectors) > 100
    directions = nearest.basis()
    for row in table[::25]:
        expected = vectors[(int(row["document"]), row["key"].decode())].astype(np.float32) @ directions
        assert np.allclose(row["vector"].astype(np.float32), expected, atol=2e-2)


def test_the_nearest_entries_by_the_table_are_those_by_the_full_vectors(index):
    """An everyday question (账本 / 账簿, 多少年 / 保管期限): its article is among the nearest by the projected
    table as by the full vectors."""
    question = _moved("账本要保存多少年")
    keys = index.nearest.top(question, 10)
    assert len(keys) == 10 and len(set(keys)) == 10
    citations = {f["key"]: f["meta"]["citation"] for f in index.searcher().reader().all_stored_fields()}
    assert "《中华人民共和国税收征收管理法》第二十四条" in [citations[k] for k in keys]
    store = VectorStore(index.index_dir)
    full = []
    for path in store.files().values():
        rows = np.load(path)
        full += [(float(v.astype(np.float32) @ question.astype(np.float32)), str(k)) for k, v in zip(rows["key"], rows["vector"])]
    best_full = [k for _, k in sorted(full, reverse=True)[:30]]
    assert len(set(keys) & set(best_full)) >= 7


def test_a_changed_document_has_its_rows_replaced_and_a_removed_one_loses_them(index):
    store = VectorStore(index.index_dir)
    files = store.files()
    changed, removed = sorted(files)[:2]
    keys = [str(k) for k in np.load(files[changed])["key"]]
    before = _table(index)
    texts = ["船舶吨税的税率"] * len(keys)
    assert store.sync([(changed, k, t) for k, t in zip(keys, texts)], [changed, removed]) == 1
    after = _table(index)
    assert removed not in set(after["document"]) and removed in set(before["document"])
    rows = after[after["document"] == changed]
    assert sorted(r.decode() for r in rows["key"]) == sorted(keys)
    expected = semantic.encode(["船舶吨税的税率"])[0].astype(np.float32) @ nearest.basis()
    assert np.allclose(rows["vector"].astype(np.float32), expected, atol=2e-2)
    untouched = before[~np.isin(before["document"], [changed, removed])]
    assert len(after) == len(untouched) + len(keys)
    # The search reads the replaced table: the entries nearest that very vector are the changed ones.
    top = index.nearest.top(semantic.encode(["船舶吨税的税率"])[0], len(keys))
    assert sorted(top) == sorted(keys)


def test_a_missing_table_is_written_whole_by_the_next_update(index):
    path = nearest.table_path(index.vectors.folder, nearest.basis())
    full = np.load(path)
    path.unlink()
    assert not index.nearest.available()
    store = VectorStore(index.index_dir)
    assert store.sync([], [max(store.files()) + 1]) == 0  # an update of a document that has no entries
    assert index.nearest.available() and len(np.load(path)) == len(full)


def test_a_search_adds_the_nearest_entries_its_words_match_within_its_filters(index, monkeypatch):
    """A first stage of three entries gains those of the three entries nearest the question by meaning that a
    word of it matches, each with its words' score; a filter holds for them as for the others."""
    from whoosh.query import Term

    question = "公司没按时报税会怎样"
    searcher = index.searcher()
    parsed = index.parse(question, searcher)
    scores = index.scorer(searcher).scores(parsed.query)
    top = index._top(searcher, parsed.query, 3, None, None)
    moved = _moved(question)
    with_meaning = index._with_nearest(searcher, parsed.query, top, moved, 3, None, None)
    nearest_keys = index.nearest.top(moved, 3)
    numbers = [searcher.document_number(key=k) for k in nearest_keys]
    expected = [(d, float(scores[d])) for d in numbers if d not in dict(top) and scores[d] > 0]
    assert with_meaning == top + expected and expected
    only_vehicle = Term("tax_types", "车辆购置税")
    filtered = index._with_nearest(searcher, parsed.query, [], moved, 50, only_vehicle, None)
    assert filtered and all("车辆购置税" in searcher.stored_fields(d)["tax_types"] for d, _ in filtered)
    monkeypatch.setattr(nearest, "CANDIDATES", 0)  # off: no table is read, nothing is added
    assert not index.nearest.available()
    assert index.search(question, today_override=TODAY).results
