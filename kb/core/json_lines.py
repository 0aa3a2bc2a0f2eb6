"""Reading a JSON-lines file an operator hands a command (labelled questions, judged sets): each line one object;
the first bad line is named in the error, in Chinese."""
from __future__ import annotations

import json
from typing import Callable

from kb.core.errors import KbError


def read_json_lines(text: str, source: str, valid: Callable[[dict], bool], expected: str) -> list[dict]:
    """The objects of ``text`` (blank lines skipped); a line that is not JSON, not an object, or not ``valid``
    raises ``KbError`` naming ``source``, its number and ``expected`` (what a line should hold)."""
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row, dict) or not valid(row):
                raise ValueError
        except (ValueError, AttributeError, TypeError):
            raise KbError(f"{source} 第 {number} 行格式不正确：应为{expected}的 JSON") from None
        rows.append(row)
    return rows
