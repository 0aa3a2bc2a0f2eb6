"""The reading table behind homophone typos (``indexer/data/pinyin_readings.tsv``) is pypinyin's, read
through its public API by ``scripts/make_pinyin_table.py``; the search does not import pypinyin."""
from __future__ import annotations

import subprocess
import sys

from pypinyin import Style, pinyin

from indexer.typos import READINGS_PATH, readings


def _public_readings(char: str) -> frozenset[str]:
    return frozenset(r for r in pinyin(char, style=Style.NORMAL, heteronym=True)[0] if r)


def test_the_shipped_table_is_what_pypinyin_says():
    chars = [chr(code) for code in range(0x4E00, 0xA000, 37)] + list("长行重乐还发票滞纳金复议汇算清缴绿女")
    for char in chars:
        if _public_readings(char) != frozenset({char}):
            assert readings(char) == _public_readings(char), char
    assert readings("长") == {"zhang", "chang"} and readings("斤") & readings("金")


def test_the_search_path_reads_the_table_and_never_imports_pypinyin():
    code = ("import sys; from indexer.typos import TypoFinder; "
            "f = TypoFinder({'滞纳金', '复议'}, lambda w: w in {'滞纳金', '复议'}); "
            "print([c.word for c in f.find('滞纳斤', [('滞纳', 0, 2), ('斤', 2, 3)])], 'pypinyin' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["['滞纳金']", "False"]
    assert READINGS_PATH.stat().st_size > 100_000
