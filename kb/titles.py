"""Document titles and the short names people use for them."""
from __future__ import annotations

import re

COUNTRY_PREFIX = "中华人民共和国"

# Abbreviations callers and agents use that cannot be derived from the title by rule.
KNOWN_SHORT_NAMES: dict[str, tuple[str, ...]] = {
    "税收征收管理法": ("征管法", "税收征管法"),
    "税收征收管理法实施细则": ("征管法实施细则", "征管法细则", "税收征管法实施细则"),
    "个人所得税法": ("个税法",),
    "个人所得税法实施条例": ("个税法实施条例", "个税条例"),
    "企业所得税法": ("企税法",),
    "企业所得税法实施条例": ("企税法实施条例", "企业所得税条例"),
    "增值税暂行条例": ("增值税条例",),
    "行政复议法": ("复议法",),
    "行政处罚法": ("处罚法",),
    "发票管理办法": ("发票办法",),
    "个人信息保护法": ("个保法",),
    "政府信息公开条例": ("政府信息公开条例", "信息公开条例"),
}


def normalise_title(title: str) -> str:
    """Comparable form of a title: no 《》, quotes, spaces or 中华人民共和国 prefix."""
    title = re.sub(r"[《》〈〉<>\s\u3000“”\"'‘’]", "", title or "")
    title = re.sub(r"[（(]\d{4}-\d{2}-\d{2}[)）]$", "", title)
    title = re.sub(r"\.(md|markdown|html?|docx|txt)$", "", title)
    if title.startswith(COUNTRY_PREFIX):
        title = title[len(COUNTRY_PREFIX):]
    return title


def short_names_for(title: str) -> list[str]:
    base = normalise_title(title)
    names = [base] if base != title else []
    names.extend(KNOWN_SHORT_NAMES.get(base, ()))
    return list(dict.fromkeys(n for n in names if n and n != title))
