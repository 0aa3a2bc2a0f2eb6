"""The director's vocabulary files without Flask: checking input, atomic writes, the segmenter and
synonym table picking the change up, and the documents a dictionary word occurs in."""
from __future__ import annotations

import os

import pytest

from indexer import vocabulary
from indexer.analysis import TaxTokenizer
from indexer.segmenter import USER_DICT_NAME, load_segmenter
from indexer.synonyms import OVERRIDE_NAME, SynonymTable
from indexer.vocabulary import VocabularyError
from kb.library.vocabulary import documents_containing

# Appears in 发票管理办法 and 税收征收管理法; jieba cuts it into 税控 + 装置 by default.
COMPOUND = "税控装置"
TODAY = "2026-11-27"


def _entries_with(index, word: str) -> int:
    """Index entries (live ones: deleted entries still count in Whoosh's term statistics) with ``word``."""
    from whoosh.query import Term

    return len(index.searcher().search(Term("text", word), limit=None))


def _words(text: str) -> list[str]:
    return [word for word, _start, _end, is_sub in TaxTokenizer().words(text) if not is_sub]


@pytest.fixture
def data_dir(tmp_path):
    """A data folder whose dictionary the process's segmenter watches; emptied again afterwards
    (the segmenter is shared by the whole test process)."""
    folder = tmp_path / "data"
    folder.mkdir()
    load_segmenter(folder)
    yield folder
    (folder / USER_DICT_NAME).unlink(missing_ok=True)
    load_segmenter().refresh(force=True)


def test_an_added_word_is_cut_whole_and_removing_it_restores_the_cut(data_dir):
    assert _words(COMPOUND) == ["税控", "装置"]
    added = vocabulary.add_word(data_dir, f" {COMPOUND} ")
    assert (added.word, added.freq, added.shipped) == (COMPOUND, 2000, False)
    vocabulary.apply_now(data_dir)
    assert _words(f"{COMPOUND}如何安装")[0] == COMPOUND
    assert [w.word for w in vocabulary.director_words(data_dir)] == [COMPOUND]
    assert vocabulary.remove_word(data_dir, COMPOUND) == COMPOUND
    vocabulary.apply_now(data_dir)
    assert _words(COMPOUND) == ["税控", "装置"]
    assert vocabulary.director_words(data_dir) == []


def test_a_frequency_is_written_and_a_shipped_word_gets_its_frequency_back(data_dir):
    segmenter = load_segmenter(data_dir)
    shipped = segmenter.jieba.FREQ["纳税人"]
    with pytest.raises(VocabularyError, match="已是内置词语"):
        vocabulary.add_word(data_dir, "纳税人")
    vocabulary.add_word(data_dir, "纳税人", "5")
    vocabulary.add_word(data_dir, "跨境应税行为", 300)
    text = (data_dir / USER_DICT_NAME).read_text(encoding="utf-8")
    assert "纳税人 5\n" in text and "跨境应税行为 300\n" in text and text.startswith("#")
    vocabulary.apply_now(data_dir)
    assert segmenter.jieba.FREQ["纳税人"] == 5
    vocabulary.remove_word(data_dir, "纳税人")
    vocabulary.apply_now(data_dir)
    assert segmenter.jieba.FREQ["纳税人"] == shipped
    assert [w.word for w in vocabulary.director_words(data_dir)] == ["跨境应税行为"]


def test_hand_written_lines_and_comments_are_kept(data_dir):
    path = data_dir / USER_DICT_NAME
    path.write_text("# 运维手工添加\n留抵退税 800\n", encoding="utf-8")
    vocabulary.add_word(data_dir, COMPOUND)
    vocabulary.remove_word(data_dir, "留抵退税")
    assert path.read_text(encoding="utf-8") == f"# 运维手工添加\n{COMPOUND}\n"


@pytest.mark.parametrize("word,message", [
    ("", "请填写词语"),
    ("税", "2～20 个字"),
    ("税控装置" * 6, "2～20 个字"),
    ("税控 装置", "不能含空格"),
    ("税控\t装置", "不能含空格"),
    ("税控、装置", "只能由汉字组成"),
    ("abc", "须含汉字"),
    ("#税控", "只能由汉字组成"),
])
def test_bad_words_are_refused_in_chinese_and_nothing_is_written(data_dir, word, message):
    with pytest.raises(VocabularyError, match=message):
        vocabulary.add_word(data_dir, word)
    assert not (data_dir / USER_DICT_NAME).exists()


@pytest.mark.parametrize("freq", ["abc", "0", "-5", "1.5", "99999999"])
def test_bad_frequencies_are_refused(data_dir, freq):
    with pytest.raises(VocabularyError, match="词频须为"):
        vocabulary.add_word(data_dir, COMPOUND, freq)
    assert not (data_dir / USER_DICT_NAME).exists()


def test_removing_a_word_that_is_not_the_directors_is_refused(data_dir):
    with pytest.raises(VocabularyError, match="内置词语，不能删除"):
        vocabulary.remove_word(data_dir, "纳税人")
    with pytest.raises(VocabularyError, match="没有“税控装置”"):
        vocabulary.remove_word(data_dir, COMPOUND)
    vocabulary.add_word(data_dir, COMPOUND)
    with pytest.raises(VocabularyError, match="已在主任添加的词语中"):
        vocabulary.add_word(data_dir, COMPOUND)


def test_synonym_rows_are_added_changed_removed_and_restored(tmp_path):
    table = SynonymTable(tmp_path / OVERRIDE_NAME)
    row = vocabulary.save_synonym(tmp_path, "钱袋子", ["滞纳金"], "abbr")
    assert (row.term, row.expansions, row.status) == ("钱袋子", ("滞纳金",), "added")
    row = vocabulary.save_synonym(tmp_path, "个税", vocabulary.parse_expansions("个人所得税｜综合所得"), "abbr")
    assert row.status == "changed" and row.shipped_expansions == ("个人所得税",)
    removed = vocabulary.remove_synonym(tmp_path, "专票")
    assert removed.shipped_kind == "abbr"
    table.refresh(force=True)
    assert table.expansions("钱袋子") == ["滞纳金"]
    assert table.expansions("个税") == ["个人所得税", "综合所得"]
    assert table.expansions("专票") == []
    assert vocabulary.find_synonym(tmp_path, "专票").status == "removed"

    assert vocabulary.restore_synonym(tmp_path, "专票").status == "shipped"
    vocabulary.save_synonym(tmp_path, "个税", ["个人所得税"], "abbr")  # back to the shipped line: no override
    vocabulary.remove_synonym(tmp_path, "钱袋子")
    table.refresh(force=True)
    assert table.expansions("专票") == ["增值税专用发票"] and table.expansions("钱袋子") == []
    lines = [l for l in (tmp_path / OVERRIDE_NAME).read_text(encoding="utf-8").splitlines() if not l.startswith("#")]
    assert lines == ["term\texpansions\tkind"]


def test_synonym_groups_work_both_ways_from_the_override(tmp_path):
    vocabulary.save_synonym(tmp_path, "税控盘", ["税控装置", "金税盘"], "syn")
    table = SynonymTable(tmp_path / OVERRIDE_NAME)
    assert table.expansions("金税盘") == ["税控盘", "税控装置"]


@pytest.mark.parametrize("term,expansions,kind,message", [
    ("钱袋子", [], "abbr", "至少一个展开词"),
    ("钱 袋子", ["滞纳金"], "abbr", "不能含空格"),
    ("钱袋子\t", ["滞\t纳金"], "abbr", "不能含空格"),
    ("钱袋子", ["滞纳金"], "both", "类型须为"),
    ("钱袋子", ["钱袋子"], "abbr", "不能与词条"),
    ("钱袋子", ['"滞纳金"'], "abbr", "不能含"),
    ("", ["滞纳金"], "abbr", "请填写词条"),
])
def test_bad_synonyms_are_refused_and_nothing_is_written(tmp_path, term, expansions, kind, message):
    with pytest.raises(VocabularyError, match=message):
        vocabulary.save_synonym(tmp_path, term, expansions, kind)
    assert not (tmp_path / OVERRIDE_NAME).exists()


def test_removing_or_restoring_an_unknown_term_is_refused(tmp_path):
    with pytest.raises(VocabularyError, match="没有词条"):
        vocabulary.remove_synonym(tmp_path, "钱袋子")
    with pytest.raises(VocabularyError, match="不是内置词条"):
        vocabulary.restore_synonym(tmp_path, "钱袋子")
    with pytest.raises(VocabularyError, match="未修改"):
        vocabulary.restore_synonym(tmp_path, "个税")
    with pytest.raises(VocabularyError, match="已存在"):
        vocabulary.save_synonym(tmp_path, "个税", ["综合所得"], "abbr", replace=False)
    assert not (tmp_path / OVERRIDE_NAME).exists()


def test_files_are_replaced_atomically(tmp_path, monkeypatch):
    vocabulary.save_synonym(tmp_path, "钱袋子", ["滞纳金"], "abbr")
    path = tmp_path / OVERRIDE_NAME
    before = path.read_bytes()
    replaced = []
    real_replace = os.replace

    def spy(source, target):
        replaced.append((os.path.dirname(source), os.fspath(target)))
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", spy)
    vocabulary.save_synonym(tmp_path, "罚息", ["滞纳金"], "abbr")
    assert replaced == [(str(tmp_path), str(path))]  # a temporary file of the same folder renamed over it

    def crash(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        vocabulary.save_synonym(tmp_path, "小票票", ["发票"], "abbr")
    assert "小票票" not in path.read_text(encoding="utf-8") and "罚息" in path.read_text(encoding="utf-8")
    assert before != path.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".vocabulary.lock", OVERRIDE_NAME]  # no temporary left


def test_a_rewrite_always_moves_the_mtime_forward(tmp_path):
    vocabulary.save_synonym(tmp_path, "钱袋子", ["滞纳金"], "abbr")
    path = tmp_path / OVERRIDE_NAME
    future = path.stat().st_mtime_ns + 3_600 * 10**9  # another process wrote "later" (or a coarse clock)
    os.utime(path, ns=(future, future))
    vocabulary.remove_synonym(tmp_path, "钱袋子")
    assert path.stat().st_mtime_ns > future


def test_documents_containing_a_word(import_tax, session):
    import_tax("发票管理办法(2023-07-20).md", "税收征收管理法(2015-04-24).md", "契税法(2020-08-11).md")
    from kb.library.operations import find_document_by_name

    expected = sorted(find_document_by_name(session, name).id for name in ("发票管理办法", "税收征收管理法"))
    assert documents_containing(session, COMPOUND) == expected
    assert documents_containing(session, "钱袋子") == []
    assert documents_containing(session, "%") == []  # LIKE wildcards are matched literally
    assert documents_containing(session, "") == []


def test_reindexing_the_documents_puts_the_word_in_the_index(data_dir, make_search_index, session_factory):
    index = make_search_index("发票管理办法(2023-07-20).md", "税收征收管理法(2015-04-24).md", "契税法(2020-08-11).md")
    assert _entries_with(index, COMPOUND) == 0
    vocabulary.add_word(data_dir, COMPOUND)
    vocabulary.apply_now(data_dir)
    assert _entries_with(index, COMPOUND) == 0  # indexed text keeps its old cut
    with session_factory() as session:
        ids = documents_containing(session, COMPOUND)
        index.update_documents(session, ids)
    assert _entries_with(index, COMPOUND) == 4
    results = index.search(COMPOUND, today_override=TODAY).results
    assert results and all(COMPOUND in r.snippet.replace("<mark>", "").replace("</mark>", "") for r in results[:3])
    assert f"<mark>{COMPOUND}</mark>" in results[0].snippet

    vocabulary.remove_word(data_dir, COMPOUND)
    vocabulary.apply_now(data_dir)
    with session_factory() as session:
        index.update_documents(session, ids)
    assert _entries_with(index, COMPOUND) == 0


@pytest.mark.parametrize("role,allowed", [("agent", False), ("policy", False), ("department", False),
                                          ("director", True), ("admin", True)])
def test_who_may_edit_the_vocabulary(role, allowed):
    from types import SimpleNamespace

    from kb.library.vocabulary import can_edit_vocabulary

    assert can_edit_vocabulary(SimpleNamespace(role=role, is_authenticated=True)) is allowed
    assert not can_edit_vocabulary(SimpleNamespace(role=role, is_authenticated=False))
    assert not can_edit_vocabulary(None)
