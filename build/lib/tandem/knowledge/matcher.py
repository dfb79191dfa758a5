"""The match judgement: probability that two questions ask the same thing.

A small neural network over pair features (features.py), trained and calibrated on training
pairs only (train.py), shipped as safetensors + JSON. Inference is two matrix products in
numpy. The thresholds it ships with (`pair_threshold` for "same question", `answer_threshold`
for the knowledge base to answer rather than abstain) were chosen on training data.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from safetensors.numpy import load_file, save_file

from tandem.knowledge.features import FEATURE_NAMES, pair_features
from tandem.knowledge.lexicon import DEFAULT_DIR, Lexicon
from tandem.knowledge.text import Prepared, prepare

Array = npt.NDArray[np.float64]
Vector = npt.NDArray[np.float32]


@dataclass
class Matcher:
    lexicon: Lexicon
    mean: Array
    scale: Array
    layers: list[tuple[Array, Array]]
    platt: tuple[float, float]
    pair_threshold: float
    answer_threshold: float
    # Logistic weights over ANSWER_FEATURES (last item: intercept); None = use the pair
    # probability as the answer confidence.
    answer_weights: tuple[float, ...] | None = None
    # Which of FEATURE_NAMES this network reads (None: all): a model trained before a feature
    # was added keeps working.
    columns: list[int] | None = None

    def answer_confidence(self, x: Array) -> Array:
        """P(this entry answers the query) from ANSWER_FEATURES rows (see index.py)."""
        if self.answer_weights is None:
            first: Array = x[:, 0]
            return first
        w = np.array(self.answer_weights[:-1])
        z = x @ w + self.answer_weights[-1]
        out: Array = 1.0 / (1.0 + np.exp(-z))
        return out

    def probabilities(self, x: Array) -> Array:
        """Calibrated P(same question) for rows of pair features (all of FEATURE_NAMES)."""
        if self.columns is not None:
            x = x[:, self.columns]
        h = (x - self.mean) / self.scale
        for i, (w, b) in enumerate(self.layers):
            h = h @ w + b
            if i < len(self.layers) - 1:
                h = np.maximum(h, 0.0)
        logit = h[:, 0]
        a, c = self.platt
        return 1.0 / (1.0 + np.exp(-(a * logit + c)))

    def score_pairs(
        self,
        pairs: Sequence[tuple[Prepared, Prepared]],
        vectors: Sequence[tuple[Vector, Vector, Vector, Vector]] | None = None,
    ) -> Array:
        """P(same question) per pair. `vectors` may give, per pair, the cached
        `lexicon.embed` of a and b, then `lexicon.embed_chars` of a and b."""
        if not pairs:
            return np.zeros(0)
        if vectors is None:
            rows = [pair_features(a, b, self.lexicon) for a, b in pairs]
        else:
            rows = [
                pair_features(a, b, self.lexicon, va, vb, ca, cb)
                for (a, b), (va, vb, ca, cb) in zip(pairs, vectors, strict=True)
            ]
        return self.probabilities(np.array(rows, dtype=np.float64))

    def same_question(self, text_a: str, text_b: str) -> tuple[bool, float]:
        """The product's match decision for one pair, with its probability."""
        p = float(self.score_pairs([(prepare(text_a), prepare(text_b))])[0])
        return p >= self.pair_threshold, p

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        tensors: dict[str, npt.NDArray[np.float32]] = {
            "mean": self.mean.astype(np.float32),
            "scale": self.scale.astype(np.float32),
        }
        for i, (w, b) in enumerate(self.layers):
            tensors[f"w{i}"] = w.astype(np.float32)
            tensors[f"b{i}"] = b.astype(np.float32)
        save_file(tensors, str(directory / "matcher.safetensors"))
        meta = {
            "features": [FEATURE_NAMES[i] for i in self.columns]
            if self.columns is not None
            else list(FEATURE_NAMES),
            "layers": len(self.layers),
            "platt": list(self.platt),
            "pair_threshold": self.pair_threshold,
            "answer_threshold": self.answer_threshold,
            "answer_weights": list(self.answer_weights) if self.answer_weights else None,
        }
        (directory / "matcher.json").write_text(json.dumps(meta, indent=2), "utf-8")
        self.lexicon.save(directory)

    @classmethod
    def load(cls, directory: Path = DEFAULT_DIR) -> Matcher:
        meta = json.loads((directory / "matcher.json").read_text("utf-8"))
        unknown = [f for f in meta["features"] if f not in FEATURE_NAMES]
        if unknown:
            raise RuntimeError(
                f"the matcher in {directory} was trained on other features; "
                "retrain it with `python -m tandem.knowledge.train`"
            )
        t = load_file(str(directory / "matcher.safetensors"))
        layers = [
            (t[f"w{i}"].astype(np.float64), t[f"b{i}"].astype(np.float64))
            for i in range(int(meta["layers"]))
        ]
        return cls(
            lexicon=Lexicon.load(directory),
            mean=t["mean"].astype(np.float64),
            scale=t["scale"].astype(np.float64),
            layers=layers,
            platt=(float(meta["platt"][0]), float(meta["platt"][1])),
            pair_threshold=float(meta["pair_threshold"]),
            answer_threshold=float(meta["answer_threshold"]),
            answer_weights=tuple(meta["answer_weights"]) if meta.get("answer_weights") else None,
            columns=[FEATURE_NAMES.index(f) for f in meta["features"]],
        )


_DEFAULT: Matcher | None = None


def default_matcher() -> Matcher:
    """The matcher shipped with Tandem, loaded once per process (about 10 MB)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Matcher.load()
    return _DEFAULT
