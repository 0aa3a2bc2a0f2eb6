"""Document titles and the short names people use for them.

Short names come from rules applied to every title, so a newly imported document is citable by
the names agents use (征管法第32条) without anyone listing them:

1. the comparable form: no 《》 and no 中华人民共和国 (``normalise_title``);
2. 暂行 dropped: 增值税暂行条例 -> 增值税条例;
3. 实施细则 -> 细则 (征管法细则); X法实施条例 -> X条例, X实施条例 (个人所得税条例); 管理办法 -> 办法
   (发票办法);
4. the abbreviation vocabulary (``data/title_abbreviations.tsv``: 税收征收管理 -> 征管,
   车辆购置税 -> 车购税, …) applied to each of these forms, every combination.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

COUNTRY_PREFIX = "中华人民共和国"
ABBREVIATIONS_PATH = Path(__file__).with_name("data") / "title_abbreviations.tsv"
# Structural rewrites of a title's ending (pattern, replacement), each adding a form.
_ENDING_RULES = (
    (re.compile(r"暂行"), ""),
    (re.compile(r"实施细则$"), "细则"),
    (re.compile(r"法实施条例$"), "条例"),
    (re.compile(r"法实施条例$"), "实施条例"),
    (re.compile(r"管理办法$"), "办法"),
)
MAX_NAMES = 40  # a title naming many abbreviated terms stays bounded


def normalise_title(title: str) -> str:
    """Comparable form of a title: no 《》, quotes, spaces or 中华人民共和国 prefix."""
    title = re.sub(r"[《》〈〉<>\s\u3000“”\"'‘’]", "", title or "")
    title = re.sub(r"[（(]\d{4}-\d{2}-\d{2}[)）]$", "", title)
    title = re.sub(r"\.(md|markdown|html?|docx|txt)$", "", title)
    if title.startswith(COUNTRY_PREFIX):
        title = title[len(COUNTRY_PREFIX):]
    return title


@functools.lru_cache(maxsize=1)
def abbreviations() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(full form, its short forms) from ``data/title_abbreviations.tsv``, longest full form first."""
    pairs = []
    for line in ABBREVIATIONS_PATH.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        full, _, shorts = line.partition("\t")
        forms = tuple(s.strip() for s in shorts.split(",") if s.strip())
        if full.strip() and forms:
            pairs.append((full.strip(), forms))
    return tuple(sorted(pairs, key=lambda p: len(p[0]), reverse=True))


def _structural_forms(base: str) -> list[str]:
    forms = [base]
    for pattern, replacement in _ENDING_RULES:
        forms += [pattern.sub(replacement, f) for f in forms if pattern.search(f)]
    return list(dict.fromkeys(forms))


def _abbreviated(forms: list[str]) -> list[str]:
    names = list(forms)
    for full, shorts in abbreviations():
        names += [n.replace(full, short) for n in names if full in n for short in shorts]
        if len(names) > MAX_NAMES:
            break
    return list(dict.fromkeys(names))[:MAX_NAMES]


def abbreviated_titles(title: str) -> list[str]:
    """The comparable title with the abbreviation vocabulary applied (个税法实施条例), no other rule."""
    base = normalise_title(title)
    return [n for n in _abbreviated([base])[1:] if n != title] if base else []


def short_names_for(title: str) -> list[str]:
    """Every name derived from ``title`` by the rules above (the title itself excluded)."""
    base = normalise_title(title)
    if not base:
        return []
    names = _abbreviated(_structural_forms(base))
    return [n for n in names if len(n) >= 2 and n != title]
