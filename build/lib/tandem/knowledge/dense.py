"""The encoder's part in retrieval: its similarity as a pair feature and as answer features.

The matcher (matcher.py) judges a pair on lexical features and static word vectors. When the
sentence encoder runs, two small calibrated layers on top add its cosine:

* `pair`: P(same question) = sigmoid(a * logit(p_matcher) + b * z(cos) + c), the product's
  pair decision (`same_question`, learning-candidate merges, the pair benchmarks);
* `answer`: P(this entry answers) from the index's answer features plus the entry's cosine,
  its margin over the best other entry, and whether it is the nearest entry by the encoder.

Both are fitted on training data only (`python -m tandem.knowledge.dense_train`) and shipped
as JSON. e5 cosines are compressed (unrelated ~0.85, paraphrases ~0.92), so the cosine is
standardised with the training mean and spread before it meets a weight: a fixed cosine
threshold would not mean anything.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from tandem.knowledge.lexicon import DEFAULT_DIR

Array = npt.NDArray[np.float64]
DENSE_FILE = "dense.json"
DENSE_ANSWER_FEATURES = ("dense_cos_z", "dense_margin_z", "dense_nearest")


def _sigmoid(z: Array) -> Array:
    out: Array = 1.0 / (1.0 + np.exp(-z))
    return out


def logit(p: Array) -> Array:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    out: Array = np.log(q / (1 - q))
    return out


@dataclass(frozen=True)
class DenseLayers:
    cos_mean: float
    cos_scale: float
    pair_weights: tuple[float, float, float]  # logit(p), z(cos), intercept
    pair_threshold: float
    answer_weights: tuple[float, ...]  # ANSWER_FEATURES + DENSE_ANSWER_FEATURES, intercept
    answer_threshold: float

    def z(self, cos: Array) -> Array:
        out: Array = (cos - self.cos_mean) / self.cos_scale
        return out

    def pair_probability(self, p_matcher: Array, cos: Array) -> Array:
        a, b, c = self.pair_weights
        return _sigmoid(a * logit(p_matcher) + b * self.z(cos) + c)

    def answer_confidence(self, x: Array) -> Array:
        w = np.array(self.answer_weights[:-1])
        return _sigmoid(x @ w + self.answer_weights[-1])

    def save(self, directory: Path = DEFAULT_DIR) -> None:
        (directory / DENSE_FILE).write_text(
            json.dumps(
                {
                    "cos_mean": self.cos_mean,
                    "cos_scale": self.cos_scale,
                    "pair_weights": list(self.pair_weights),
                    "pair_threshold": self.pair_threshold,
                    "answer_features": "ANSWER_FEATURES + " + ", ".join(DENSE_ANSWER_FEATURES),
                    "answer_weights": list(self.answer_weights),
                    "answer_threshold": self.answer_threshold,
                },
                indent=2,
            ),
            "utf-8",
        )

    @classmethod
    def load(cls, directory: Path = DEFAULT_DIR) -> DenseLayers | None:
        path = directory / DENSE_FILE
        if not path.is_file():
            return None
        raw = json.loads(path.read_text("utf-8"))
        pw = [float(x) for x in raw["pair_weights"]]
        return cls(
            cos_mean=float(raw["cos_mean"]),
            cos_scale=float(raw["cos_scale"]) or 1.0,
            pair_weights=(pw[0], pw[1], pw[2]),
            pair_threshold=float(raw["pair_threshold"]),
            answer_weights=tuple(float(x) for x in raw["answer_weights"]),
            answer_threshold=float(raw["answer_threshold"]),
        )


def dense_answer_features(
    cos_by_entry: dict[str, float], layers: DenseLayers
) -> dict[str, tuple[float, float, float]]:
    """Per entry: z(cos), z-scaled margin over the best other entry, nearest-by-encoder flag."""
    ranked = sorted(cos_by_entry.values(), reverse=True)
    first = ranked[0] if ranked else 0.0
    second = ranked[1] if len(ranked) > 1 else first - 0.05
    out: dict[str, tuple[float, float, float]] = {}
    for entry_id, cos in cos_by_entry.items():
        rival = second if cos >= first else first
        out[entry_id] = (
            float((cos - layers.cos_mean) / layers.cos_scale),
            float((cos - rival) / layers.cos_scale),
            float(cos >= first and not math.isclose(first, second)),
        )
    return out
