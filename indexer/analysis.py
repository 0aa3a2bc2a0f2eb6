"""The text analyzer: a regex step for 文号 and article numbers, then jieba, then stop words.

``TaxTokenizer`` is a Whoosh tokenizer that honours the ``positions``/``chars``/``mode`` flags:
positions are ordinal (one per word, so phrase queries work), ``chars`` gives offsets into the
original text. The same analyzer, hence the same segmentation, serves the index and the query.

Before jieba, a regex step pulls out
- 文号 (财税〔2019〕13号, 财税[2019]13号, 财税(2019)13号 …) as one token in the normalised
  form ``财税〔2019〕13号``;
- article numbers (第3条, 第三十二条, 第十七条之一) as one token ``第32条`` / ``第17条之1``;
the same values go to exact-match fields (see ``schema``). Digits are kept.

Segmentation mode (measured on the dev set with ``bench/relevance.py``): precise mode with HMM
off, plus jieba's search-mode sub-words of long words at the same position (so 增值税专用发票
also matches 专用发票), was best; see ``DEFAULT_CUT``.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from whoosh.analysis import LowercaseFilter, StopFilter, Token, Tokenizer

from kb.library.doc_numbers import DOC_NUMBER_RE
from kb.core.numerals import ARTICLE_NUMBER, parse_number
from indexer.segmenter import DATA_DIR, load_segmenter

STOPWORDS_FILE = DATA_DIR / "stopwords.txt"

# cut: "search" = precise words plus their dictionary sub-words; "precise" = precise words only.
DEFAULT_CUT = "search"
DEFAULT_HMM = False

ARTICLE_RE = re.compile(ARTICLE_NUMBER)
_WIDTH = str.maketrans(
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ",
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
)
# Words that often run into an issuer code (依照财税〔2019〕13号): cut the prefix after them.
_ISSUER_LEAD = re.compile(r"^.*(?:依照|根据|按照|参照|执行|适用|关于|和|及|与|或|见|的|于|按|自|在|将|对|由|经)")
_WORD_RE = re.compile(r"\w", re.UNICODE)
SHORT_TEXT = 64  # texts up to this length are cut once (see ``TaxTokenizer.words``)
SHORT_CACHE = 20_000
_SHORT_WORDS: dict[tuple, list] = {}


def normalise_text(text: str) -> str:
    """Full-width digits and letters to half-width, lower case; keeps every offset."""
    return text.translate(_WIDTH).lower()


def article_token(number: int, sub_number: int | None = None) -> str:
    return f"第{number}条" + (f"之{sub_number}" if sub_number else "")


def find_exact_spans(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, token, kind) for every 文号 and article number in ``text``; kind doc_number|article."""
    spans = []
    for match in DOC_NUMBER_RE.finditer(text):
        prefix = match.group(1)
        # The regex's prefix is greedy over Chinese characters: keep the issuer's short code only.
        short = _ISSUER_LEAD.sub("", prefix)[-6:] or prefix[-6:]
        start = match.end(1) - len(short)
        spans.append((start, match.end(), f"{short}〔{match.group(2)}〕{match.group(3)}号", "doc_number"))
    for match in ARTICLE_RE.finditer(text):
        if any(s <= match.start() < e for s, e, _, _ in spans):
            continue
        number = parse_number(match.group(1))
        sub = parse_number(match.group(2)) if match.group(2) else None
        if number is not None:
            spans.append((match.start(), match.end(), article_token(number, sub), "article"))
    return sorted(spans)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    words = [w.strip() for w in Path(STOPWORDS_FILE).read_text(encoding="utf-8").splitlines()]
    return frozenset(w for w in words if w and not w.startswith("#"))


class TaxTokenizer(Tokenizer):
    """jieba with a regex pre-step; ordinal positions; picklable (the schema stores it)."""

    def __init__(self, cut: str = DEFAULT_CUT, hmm: bool = DEFAULT_HMM):
        self.cut = cut
        self.hmm = hmm

    def __eq__(self, other):
        return type(other) is type(self) and (self.cut, self.hmm) == (other.cut, other.hmm)

    def words(self, text: str) -> list[tuple[str, int, int, bool]]:
        """(word, start, end, is_sub_word) for ``text``; sub-words share the next word's position.

        Short texts are cut once (``SHORT_TEXT``): a document's title and chapter headings are
        indexed with each of its units, and agents repeat queries.
        """
        if len(text) > SHORT_TEXT:
            return self._words(text)
        segmenter = load_segmenter()
        segmenter.refresh()
        key = (text, self.cut, self.hmm, segmenter.version)
        found = _SHORT_WORDS.get(key)
        if found is None:
            if len(_SHORT_WORDS) >= SHORT_CACHE:
                _SHORT_WORDS.clear()
            found = _SHORT_WORDS[key] = self._words(text)
        return found

    def _words(self, text: str) -> list[tuple[str, int, int, bool]]:
        text = normalise_text(text)
        segmenter = load_segmenter()
        out: list[tuple[str, int, int, bool]] = []
        cursor = 0
        for start, end, token, _kind in find_exact_spans(text) + [(len(text), len(text), None, None)]:
            if start < cursor:
                continue
            offset = cursor
            for word in segmenter.cut(text[cursor:start], hmm=self.hmm):
                if _WORD_RE.search(word):
                    if self.cut == "search":
                        for sub, at in segmenter.sub_words(word):
                            out.append((sub, offset + at, offset + at + len(sub), True))
                    out.append((word, offset, offset + len(word), False))
                offset += len(word)
            if token is not None:
                out.append((token, start, end, False))
            cursor = end
        return out

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        pos = start_pos
        for word, start, end, is_sub in self.words(value):
            token.text = word
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token
            if not is_sub:
                pos += 1


def TaxAnalyzer(cut: str = DEFAULT_CUT, hmm: bool = DEFAULT_HMM):
    """Tokenizer -> lower case -> stop words (positions of the remaining words are kept)."""
    return TaxTokenizer(cut, hmm) | LowercaseFilter() | StopFilter(stoplist=stopwords(), minsize=1, renumber=False)
