"""Chinese numerals as used in article numbers: 三十二 <-> 32, 一百零五 <-> 105; and the one pattern
of an article number, 第N条之M, that the parser, the cross-references, the FAQ citations, the
tokenizer and the citation look-up all build on.

``ARTICLE_NUMBER`` matches 第三十二条, 第32条, 第３２条, 第三十二条之一, 第32条之1 and the same with spaces
between the parts (第 32 条 之 1, as callers type); group 1 is the number, group 2 the number after
之 (or None). ``NUMBER`` is one number (Arabic, half or full width, or Chinese), ``GAP`` the spaces
allowed between the parts (never a line break), ``SUB_NUMBER`` the optional 之M. Read the groups with
``parse_number``; ``article_label`` writes the canonical label (第三十二条之一).
"""
from __future__ import annotations

import re

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
          "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERAL_CHARS = "".join(DIGITS) + "".join(UNITS)
_DIGIT_NAMES = "零一二三四五六七八九"

NUMBER = rf"(?:[0-9０-９]+|[{NUMERAL_CHARS}]+)"
GAP = r"[ \t\u3000\xa0]*"
SUB_NUMBER = rf"(?:{GAP}之{GAP}({NUMBER}))?"
ARTICLE_NUMBER = rf"第{GAP}({NUMBER}){GAP}条{SUB_NUMBER}"


def parse_chinese_number(text: str) -> int | None:
    """Return the value of a Chinese numeral (一百二十, 三十二, 十) or None if it is not one."""
    if not text or any(ch not in DIGITS and ch not in UNITS for ch in text):
        return None
    if all(ch in DIGITS for ch in text) and len(text) > 1:
        # Digit-by-digit form: 二〇一九
        return int("".join(str(DIGITS[ch]) for ch in text))
    total, digit = 0, None
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * UNITS[ch]
            digit = None
    if digit is not None:
        total += digit
    return total


def parse_number(text: str) -> int | None:
    """Arabic (32, ３２) or Chinese (三十二) numeral to int."""
    text = text.strip()
    if not text:
        return None
    normalised = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if normalised.isdigit():
        return int(normalised)
    return parse_chinese_number(text)


def to_chinese_number(value: int) -> str:
    """32 -> 三十二, 10 -> 十, 105 -> 一百零五, 110 -> 一百一十 (the style of statute numbering)."""
    if value < 0:
        raise ValueError("negative numeral")
    if value < 10:
        return _DIGIT_NAMES[value]
    if value < 20:
        return "十" + (_DIGIT_NAMES[value - 10] if value > 10 else "")
    parts: list[str] = []
    zero_pending = False
    for unit_value, unit_name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, value = divmod(value, unit_value)
        if digit:
            if zero_pending:
                parts.append("零")
                zero_pending = False
            parts.append(_DIGIT_NAMES[digit] + unit_name)
        elif parts:
            zero_pending = True
    return "".join(parts)


def article_label(number: int, sub_number: int | None = None) -> str:
    label = f"第{to_chinese_number(number)}条"
    if sub_number:
        label += f"之{to_chinese_number(sub_number)}"
    return label


_ARTICLE = re.compile(ARTICLE_NUMBER)


def canonical_articles(text: str) -> str:
    """Every article number in ``text`` written as its canonical label: 第32条之1 → 第三十二条之一."""
    def label(match: re.Match) -> str:
        number = parse_number(match.group(1))
        sub = parse_number(match.group(2)) if match.group(2) else None
        return article_label(number, sub) if number else match.group(0)

    return _ARTICLE.sub(label, text)
