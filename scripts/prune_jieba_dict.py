"""Make ``indexer/data/base_dict.txt``: jieba's stock dictionary pruned to what legal text and callers use.

    python scripts/prune_jieba_dict.py ../shared/corpus/laws-full.tar.xz

jieba 0.42.1 loads its 349,046-word dictionary in about 0.4 s per process, two thirds of the
issue's 0.6 s budget for a first answer. A word of the dictionary can change how a text is cut only
if the word occurs in that text, so the pruned dictionary keeps:

- every word that occurs somewhere in the 3,475 laws of the corpus or in the shipped policy library
  (``policies/``, FAQ included): their text is cut exactly as by the stock dictionary;
- every word of frequency ``MIN_FREQ`` or more, for callers' everyday words that laws do not use.

``indexer.segmenter`` keeps the stock dictionary's total frequency (``STOCK_TOTAL``), which weighs
each word of a cut; ``tests/test_tokenizer.py`` checks that the shipped library cuts the same with
either dictionary. Newly imported text cuts the same at index and at query time either way.
"""
from __future__ import annotations

import re
import sys
import tarfile
from pathlib import Path

import jieba

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "indexer" / "data" / "base_dict.txt"
MIN_FREQ = 20
# The characters jieba's default cut treats as one block (jieba.re_han_default).
BLOCK = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+")


def candidates(text: str, freq: dict[str, int], found: set[str]) -> None:
    """Add to ``found`` every dictionary word occurring in ``text`` (what jieba's DAG considers)."""
    for block in BLOCK.findall(text):
        size = len(block)
        for start in range(size):
            end = start + 1
            fragment = block[start]
            while end <= size and fragment in freq:
                if freq[fragment]:
                    found.add(fragment)
                end += 1
                fragment = block[start:end]


def corpus_texts(archive: Path):
    with tarfile.open(archive) as tar:
        for member in tar:
            if member.isfile() and member.name.endswith(".md"):
                yield tar.extractfile(member).read().decode("utf-8", errors="ignore")
    for path in sorted((ROOT / "policies").rglob("*")):
        if path.suffix in (".md", ".txt", ".json", ".csv"):
            yield path.read_text(encoding="utf-8", errors="ignore")


def main(archive: Path) -> None:
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    found: set[str] = set()
    for text in corpus_texts(archive):
        candidates(text, tokenizer.FREQ, found)
    stock = Path(jieba.__file__).with_name("dict.txt").read_text(encoding="utf-8").splitlines()
    kept = [line for line in stock if line.split()[0] in found or int(line.split()[1]) >= MIN_FREQ]
    OUTPUT.write_text("\n".join(kept) + "\n", encoding="utf-8")
    print(f"{len(kept)} of {len(stock)} words kept ({len(found)} occur in the texts); "
          f"stock total frequency {tokenizer.total}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus" / "laws-full.tar.xz")
