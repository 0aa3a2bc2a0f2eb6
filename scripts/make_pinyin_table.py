"""Make ``indexer/data/pinyin_readings.tsv``: every reading of each common CJK character, without tones.

    python scripts/make_pinyin_table.py

``indexer.typos`` compares what a caller typed with the library's words by sound (滞纳斤 → 滞纳金). It
needs each character's readings and nothing else of pypinyin, whose import loads its phrase dictionary
too (0.13 s and 56 MB resident). The table is made here through pypinyin's public API
(``pinyin(char, style=Style.NORMAL, heteronym=True)``) for the range ``indexer.typos`` reads (U+4E00 to
U+9FFF); ``tests/test_typos.py`` checks a sample of it against pypinyin when pypinyin is installed.
"""
from __future__ import annotations

from pathlib import Path

from pypinyin import Style, pinyin

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "indexer" / "data" / "pinyin_readings.tsv"
FIRST, LAST = 0x4E00, 0x9FFF


def readings(char: str) -> list[str]:
    """The character's readings, toneless, in pypinyin's order; [] when pypinyin has none."""
    found = pinyin(char, style=Style.NORMAL, heteronym=True, errors=lambda _: [[]])
    out: list[str] = []
    for reading in (found[0] if found else []):
        if reading and reading not in out:
            out.append(reading)
    return out


def main() -> None:
    lines = ["# character<TAB>readings without tones, comma-separated (scripts/make_pinyin_table.py)"]
    for code in range(FIRST, LAST + 1):
        values = readings(chr(code))
        if values:
            lines.append(f"{chr(code)}\t{','.join(values)}")
    OUTPUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines) - 1} characters -> {OUTPUT}")


if __name__ == "__main__":
    main()
