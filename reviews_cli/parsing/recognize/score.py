"""Stage 4 of recognition: evidence weighed by fitted weights.

The weights and thresholds live in one data file, ``weights.json`` beside this module, written
by ``bench/fit_recognizer.py`` (logistic regression on the training part of the labelled sample,
cross-validated by source). Its shape::

    {"post":      {"bias": float, "weights": {feature: float}, "threshold": float},
     "candidate": {"bias": float, "weights": {feature: float}, "threshold": float},
     "fitted":    {...what it was fitted on, for the record}}

At run time a score is a dot product and a sigmoid: no fitting library is imported.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

WEIGHTS = Path(__file__).with_name("weights.json")


@dataclass(frozen=True)
class Model:
    """One fitted logistic model: ``bias``, ``weights`` by feature name, and the probability
    ``threshold`` at or above which the answer is yes."""

    bias: float
    weights: dict[str, float]
    threshold: float

    def probability(self, features: dict[str, float]) -> float:
        """sigmoid(bias + Σ weight·value) over the features the model knows, in [0, 1]."""
        z = self.bias + sum(w * features.get(name, 0.0) for name, w in self.weights.items())
        if z < -40:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    def contributions(self, features: dict[str, float]) -> list[tuple[str, float]]:
        """``(feature, weight·value)`` for every feature that is set, largest effect first."""
        out = [(n, w * features[n]) for n, w in self.weights.items() if features.get(n)]
        return sorted(out, key=lambda x: -abs(x[1]))


def _model(data: dict[str, Any]) -> Model:
    return Model(float(data["bias"]), {str(k): float(v) for k, v in data["weights"].items()},
                 float(data["threshold"]))


@lru_cache(maxsize=4)
def load(path: str | None = None) -> tuple[Model, Model]:
    """The ``(post, candidate)`` models from ``path`` (default: ``weights.json`` beside this
    module). Raises ``OSError`` or ``ValueError``/``KeyError`` when the file is missing or
    malformed: the file ships with the package, so that is a broken install."""
    data = json.loads(Path(path or WEIGHTS).read_text(encoding="utf-8"))
    return _model(data["post"]), _model(data["candidate"])
