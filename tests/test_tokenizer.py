"""The tax tokenizer: ordinal positions, the regex step, digits, the shipped and the director's dictionary."""
from __future__ import annotations

import os
import time

from indexer.analysis import TaxAnalyzer, TaxTokenizer, find_exact_spans
from indexer.segmenter import BASE_DICT, STOCK_TOTAL, cache_name, jieba, load_segmenter
from tests.conftest import ROOT


def _words(text):
    return [w for w, *_rest, sub in TaxTokenizer().words(text) if not sub]


def test_positions_are_ordinal_and_chars_are_offsets():
    text = "小规模纳税人发生应税销售行为"
    tokens = [(t.text, t.pos, t.startchar, t.endchar)
              for t in TaxAnalyzer()(text, positions=True, chars=True, mode="index")]
    main = {}
    for word, pos, start, end in tokens:
        assert text[start:end] == word
        main[pos] = word  # the last token at a position is the word, the others its sub-words
    assert sorted(main) == list(range(len(main)))
    assert main[0] == "小规模纳税人"


def test_flags_off_give_no_positions():
    token = next(iter(TaxTokenizer()("增值税专用发票", positions=False, chars=False)))
    assert not hasattr(token, "pos") and not hasattr(token, "startchar")


def test_shipped_dictionary_keeps_tax_terms_whole():
    for term in ("小规模纳税人", "增值税专用发票", "专项附加扣除", "汇算清缴", "滞纳金", "一般纳税人", "应纳税所得额"):
        assert term in _words(f"关于{term}的规定")


def test_search_mode_adds_sub_words_at_the_same_position():
    tokens = [(t.text, t.pos) for t in TaxAnalyzer()("增值税专用发票", positions=True)]
    assert ("专用发票", 0) in tokens and ("增值税专用发票", 0) in tokens


def test_regex_step_pulls_doc_numbers_and_article_numbers():
    spans = find_exact_spans("依照财税[2019]13号和财税（2019）13号，按本法第3条、第三十二条、第十七条之一")
    tokens = [(token, kind) for *_span, token, kind in spans]
    assert tokens == [("财税〔2019〕13号", "doc_number"), ("财税〔2019〕13号", "doc_number"),
                      ("第3条", "article"), ("第32条", "article"), ("第17条之1", "article")]
    assert "第3条" in _words("税收征管法第3条") and "第32条" in _words("征管法第三十二条")


def test_digits_are_kept():
    words = _words("年销售额480万 还算小规模纳税人吗")
    assert "480" in words


def test_director_dictionary_applies_without_restart(tmp_path):
    segmenter = load_segmenter(tmp_path)
    assert "留抵退税额度" not in segmenter.cut("申请留抵退税额度")
    user_dict = tmp_path / "user_dict.txt"
    user_dict.write_text("留抵退税额度 3000 n\n", encoding="utf-8")
    segmenter.refresh(force=True)
    try:
        assert "留抵退税额度" in segmenter.cut("申请留抵退税额度")
    finally:
        user_dict.write_text("", encoding="utf-8")
        os.utime(user_dict, (time.time() + 5, time.time() + 5))
        segmenter.refresh(force=True)
    assert "留抵退税额度" not in segmenter.cut("申请留抵退税额度")


def test_jieba_cache_lives_in_the_data_folder(tmp_path):
    segmenter = load_segmenter(tmp_path)
    assert segmenter.jieba.cache_file == cache_name() and cache_name().startswith("jieba.")
    assert not segmenter.jieba.tmp_dir.startswith("/tmp/jieba")


def test_the_pruned_dictionary_cuts_the_library_as_the_stock_one_does(tmp_path):
    """``base_dict.txt`` keeps every stock word occurring in the shipped texts, and the stock total:
    every line of the policy library cuts exactly as with jieba's own 349,046-word dictionary."""
    stock = jieba.Tokenizer()
    stock.initialize()
    pruned = jieba.Tokenizer(str(BASE_DICT))
    pruned.tmp_dir = str(tmp_path)
    pruned.initialize()
    pruned.total = STOCK_TOTAL
    assert stock.total == STOCK_TOTAL
    assert len(pruned.FREQ) < len(stock.FREQ) / 3
    lines = [line for path in sorted((ROOT / "policies").rglob("*.md")) + sorted((ROOT / "policies").rglob("*.txt"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) > 5_000
    differing = [line for line in lines if stock.lcut(line, HMM=False) != pruned.lcut(line, HMM=False)]
    assert differing == []
    # Everyday words of callers that laws do not use are kept when common.
    for question in ("老板不给我开发票怎么办", "房子卖了要交什么税", "我想问一下工资怎么扣税"):
        assert pruned.lcut(question, HMM=False) == stock.lcut(question, HMM=False)
