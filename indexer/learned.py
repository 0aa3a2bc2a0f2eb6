"""What the search has learned from use, as one file: ``<data folder>/ranker.json``.

``flask train-ranker`` (``indexer.training``) writes it: the low-confidence rule
(``indexer.confidence``), the per-unit prior (``indexer.unit_prior``), the question map refitted from
the pairs of use (``indexer.map_training``; 512 × 512 as float16, base64, with the encoder it belongs to:
another encoder's map is ignored), when it was trained and what it scored. With several hosts it travels
like the director's vocabulary (``kb.core.shared_files``). Without it, the shipped rule
(``data/confidence.json``), no prior and the shipped map apply.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from indexer import semantic
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
    adapter: np.ndarray | None = field(default=None, repr=False)  # the question map refitted from use
    adapter_ridge: float | None = None  # how strongly it was held to the map it started from

    def to_json(self) -> str:
        from dataclasses import asdict

        data = {"confidence": asdict(self.confidence), "prior": self.prior.to_dict(),
                "trained_at": self.trained_at, "scores": self.scores}
        if self.adapter is not None:
            data["adapter"] = {"model": semantic.MODEL, "ridge": self.adapter_ridge,
                               "float16": base64.b64encode(self.adapter.astype("<f2").tobytes()).decode("ascii")}
        return json.dumps(data, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> "LearnedModel":
        data = json.loads(text)
        adapter, ridge = _adapter(data.get("adapter"))
        return cls(confidence=ConfidenceRule.from_dict(data["confidence"]), prior=UnitPrior.from_dict(data.get("prior")),
                   trained_at=data.get("trained_at"), scores=dict(data.get("scores") or {}), adapter=adapter,
                   adapter_ridge=ridge)


def _adapter(data: dict | None) -> tuple[np.ndarray | None, float | None]:
    """The stored map as float32 (dimensions × dimensions) and its ridge; (None, None) when there is none,
    or it belongs to another encoder, or it is damaged."""
    if not data or data.get("model") != semantic.MODEL:
        return None, None
    try:
        flat = np.frombuffer(base64.b64decode(data["float16"], validate=True), dtype="<f2")
    except (KeyError, TypeError, ValueError):
        return None, None
    if flat.size != semantic.DIMENSIONS ** 2 or not np.isfinite(flat).all():
        return None, None
    ridge = data.get("ridge")
    return flat.reshape(semantic.DIMENSIONS, semantic.DIMENSIONS).astype(np.float32), \
        float(ridge) if ridge is not None else None


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
