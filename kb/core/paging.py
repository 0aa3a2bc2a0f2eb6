"""One page of a filtered list (what the JSON API and tools page through): ``Page`` and its limits."""
from __future__ import annotations

from dataclasses import dataclass

from kb.core.errors import KbError

MAX_LIMIT = 200


class ListError(KbError):
    pass


@dataclass
class Page:
    total: int
    items: list
    limit: int
    offset: int


def check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise ListError(f"limit 应在 1 到 {MAX_LIMIT} 之间")
    if offset < 0:
        raise ListError("offset 不能为负数")
