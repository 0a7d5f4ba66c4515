"""The reader: how likely each candidate sentence is to answer the question.

A small network (one hidden layer) over ``features.features``, trained on SQuAD v1.1
(see docs/READER.md and training/train_reader.py). The shipped weights are checked against
the sha256 in their JSON card before use; ``RAG_READER`` (or ``Reader.load(path)``) points at
other weights. Numpy only: no torch on the query path.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import ModelError
from .features import Candidate, feature_width, features

WEIGHTS = Path(__file__).resolve().parent / "weights" / "reader.safetensors"
_NAMES = ("mean", "std", "w1", "b1", "w2", "b2")


class Reader:
    """Scores (question, candidate sentence) pairs; ``threshold`` is the calibrated refusal line."""

    def __init__(self, weights: Mapping[str, np.ndarray], threshold: float) -> None:
        missing = [n for n in _NAMES if n not in weights]
        if missing:
            raise ModelError(f"reader weights lack {', '.join(missing)}")
        self._mean, self._std = weights["mean"], weights["std"]
        self._w1, self._b1 = weights["w1"], weights["b1"]
        # one output per column: P(answers), then (in weights trained with it) the ranking output
        self._w2 = np.asarray(weights["w2"]).reshape(self._w1.shape[1], -1)
        self._b2 = np.asarray(weights["b2"], dtype=np.float32).reshape(-1)
        if self._w1.shape[0] != feature_width() or self._mean.shape != (feature_width(),):
            raise ModelError(
                f"reader weights expect {self._w1.shape[0]} features, this version makes {feature_width()}"
            )
        self.threshold = float(threshold)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Reader:
        """The reader at ``path`` (default: RAG_READER, else the shipped weights), checksum verified."""
        return _load(str(Path(path or os.environ.get("RAG_READER") or WEIGHTS).resolve()))

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """P(answers) for each row of a feature matrix: the calibrated score refusal is decided by."""
        return self.outputs(x)[:, 0]

    def preferences(self, x: np.ndarray) -> np.ndarray:
        """How strongly each row is preferred to the other candidates: the ranking output (trained
        to put the answer first within a question's candidates), else the probability."""
        return self.outputs(x)[:, -1]

    def outputs(self, x: np.ndarray) -> np.ndarray:
        """Both outputs for each row of a feature matrix: P(answers), then the preference."""
        hidden = np.maximum(((x - self._mean) / self._std) @ self._w1 + self._b1, 0.0)
        logits = hidden @ self._w2 + self._b2
        return (1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))).astype(np.float32)

    def score(
        self,
        question: str,
        qv: np.ndarray,
        candidates: Sequence[Candidate],
        idf: Mapping[str, float],
        lexicon: Mapping[str, np.ndarray] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """P(answers) and preference for each candidate sentence (see features.features for the arguments)."""
        outputs = self.outputs(features(question, qv, candidates, idf, lexicon))
        return outputs[:, 0], outputs[:, -1]


@lru_cache(maxsize=4)
def _load(path: str) -> Reader:
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    weights, card = Path(path), Path(path).with_suffix(".json")
    try:
        meta = json.loads(card.read_text(encoding="utf-8"))
        digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read the reader at {path} and its card {card.name} ({exc})") from exc
    if digest != meta.get("sha256"):
        raise ModelError(f"reader weights {path} do not match the sha256 in {card.name}: reinstall or retrain")
    try:
        return Reader(load_file(str(weights)), threshold=float(meta["threshold"]))
    except (SafetensorError, KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"reader weights {path} are unreadable ({exc})") from exc
