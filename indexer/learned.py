"""What the search has learned from use, as one file: ``<data folder>/ranker.json``.

``flask train-ranker`` (``indexer.training``) writes it: the low-confidence rule
(``indexer.confidence``), the per-unit prior (``indexer.unit_prior``), when it was trained and what
it scored. With several hosts it travels like the director's vocabulary (``kb.core.shared_files``).
Without it, the shipped rule (``data/confidence.json``) and no prior apply.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from indexer.confidence import ConfidenceRule, shipped_rule
from indexer.segmenter import Throttle, file_mtime
from indexer.unit_prior import UnitPrior

LEARNED_NAME = "ranker.json"


@dataclass
class LearnedModel:
    confidence: ConfidenceRule = field(default_factory=ConfidenceRule)
    prior: UnitPrior = field(default_factory=UnitPrior)
    trained_at: str | None = None
    scores: dict = field(default_factory=dict)  # held-out figures when trained

    def to_json(self) -> str:
        from dataclasses import asdict

        return json.dumps({"confidence": asdict(self.confidence), "prior": self.prior.to_dict(),
                           "trained_at": self.trained_at, "scores": self.scores}, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> "LearnedModel":
        data = json.loads(text)
        return cls(confidence=ConfidenceRule.from_dict(data["confidence"]), prior=UnitPrior.from_dict(data.get("prior")),
                   trained_at=data.get("trained_at"), scores=dict(data.get("scores") or {}))


def shipped_model() -> LearnedModel:
    return LearnedModel(confidence=shipped_rule())


class LearnedFile:
    """The model in force for a data folder, re-read when the file changes (checked at most every
    few seconds); the shipped model when there is no (readable) file."""

    def __init__(self, data_dir: Path | None):
        self.path = Path(data_dir) / LEARNED_NAME if data_dir else None
        self._throttle = Throttle()
        self._mtime: float | None = None
        self._model = shipped_model()

    def model(self, force: bool = False) -> LearnedModel:
        if self._mtime is None or self._throttle.due(force):
            mtime = file_mtime(self.path) if self.path is not None else 0.0
            if mtime != self._mtime:
                self._mtime = mtime
                try:
                    self._model = LearnedModel.from_json(self.path.read_text(encoding="utf-8")) if mtime \
                        else shipped_model()
                except (OSError, ValueError, KeyError, TypeError):
                    self._model = shipped_model()
        return self._model
