"""A small per-unit prior learned from use: articles agents copy often rank a little higher.

``factor(unit_id) = 1 + weight * log(1 + copies)``, multiplied into a text match's score.
``copies`` counts the (query, unit) pairs agents copied (``kb.library.search_feedback``); ``weight`` is chosen
on pairs not counted (``indexer.training``), 0 when nothing is learned.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

WEIGHTS = (0.0, 0.02, 0.05, 0.1, 0.2, 0.4)  # tried by ``indexer.training``


@dataclass
class UnitPrior:
    weight: float = 0.0
    copies: dict[int, int] = field(default_factory=dict)

    def factor(self, unit_id: int | None) -> float:
        if not self.weight or unit_id is None:
            return 1.0
        return 1.0 + self.weight * math.log1p(self.copies.get(unit_id, 0))

    def to_dict(self) -> dict:
        return {"weight": self.weight, "copies": {str(k): v for k, v in sorted(self.copies.items())}}

    @classmethod
    def from_dict(cls, data: dict | None) -> "UnitPrior":
        data = data or {}
        return cls(weight=float(data.get("weight") or 0.0),
                   copies={int(k): int(v) for k, v in (data.get("copies") or {}).items()})


def count_copies(pairs) -> dict[int, int]:
    counts: dict[int, int] = {}
    for _query, unit_id, *_ in pairs:
        counts[unit_id] = counts.get(unit_id, 0) + 1
    return counts
