"""文号 (document numbers) such as 财税〔2019〕13号, written with 〔〕, [], ［］ or () around the year."""
from __future__ import annotations

import re

DOC_NUMBER_RE = re.compile(
    r"([\u4e00-\u9fa5]{1,12})\s*[〔\[［(（【]\s*(\d{4})\s*[〕\]］)）】]\s*(?:第\s*)?(\d{1,5})\s*号"
)
ORDER_NUMBER_RE = re.compile(r"([\u4e00-\u9fa5]{2,20}(?:令|公告))\s*(\d{4}年)?第\s*(\d{1,5})\s*号")


def normalise_doc_number(text: str) -> str | None:
    """财税[2019]13号 -> 财税〔2019〕13号; None if ``text`` holds no 文号."""
    match = DOC_NUMBER_RE.search(text)
    if match:
        return f"{match.group(1)}〔{match.group(2)}〕{match.group(3)}号"
    match = ORDER_NUMBER_RE.search(text)
    if match:
        return f"{match.group(1)}{match.group(2) or ''}第{match.group(3)}号"
    return None


def find_doc_numbers(text: str) -> list[str]:
    found = [f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号" for m in DOC_NUMBER_RE.finditer(text)]
    found += [f"{m.group(1)}{m.group(2) or ''}第{m.group(3)}号" for m in ORDER_NUMBER_RE.finditer(text)]
    return list(dict.fromkeys(found))
