"""The matcher's lexicon: idf weights and static word vectors, shipped as JSON + safetensors.

The static vectors are multilingual-e5-small's embedding of each vocabulary word on its own
(a model2vec-style distillation, built offline by `tandem.knowledge.train`): a sentence vector
is the idf-weighted mean of its word vectors. That keeps a semantic signal at microseconds per
query, where running the full encoder costs 10-30 ms on two cores, above our p99 budget.
Words outside the vocabulary fall back to their characters' vectors.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
from safetensors.numpy import load_file, save_file

from tandem.knowledge.text import Prepared

DEFAULT_DIR = Path(__file__).parent / "data" / "model"


@dataclass
class Lexicon:
    idf: dict[str, float]
    default_idf: float
    vocab: dict[str, int] = field(default_factory=dict)
    vectors: npt.NDArray[np.float32] = field(
        default_factory=lambda: np.zeros((0, 1), dtype=np.float32)
    )
    # Vectors of out-of-vocabulary words, built from their characters once.
    _oov: dict[str, npt.NDArray[np.float32] | None] = field(default_factory=dict, repr=False)
    _units: dict[str, npt.NDArray[np.float32] | None] = field(default_factory=dict, repr=False)
    _weights: dict[tuple[str, ...], tuple[dict[str, float], float]] = field(
        default_factory=dict, repr=False
    )

    def weights(self, tokens: tuple[str, ...]) -> tuple[dict[str, float], float]:
        """idf-weighted bag of `tokens` and its norm (cached: rows are compared many times)."""
        cached = self._weights.get(tokens)
        if cached is not None:
            return cached
        bag: dict[str, float] = {}
        for t in tokens:
            bag[t] = bag.get(t, 0.0) + self.idf.get(t, self.default_idf)
        result = bag, math.sqrt(sum(v * v for v in bag.values()))
        if len(self._weights) >= 400_000:
            self._weights.clear()
        self._weights[tokens] = result
        return result

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def _word_vector(self, word: str) -> npt.NDArray[np.float32] | None:
        i = self.vocab.get(word)
        if i is not None:
            row: npt.NDArray[np.float32] = self.vectors[i]
            return row
        if word in self._oov:
            return self._oov[word]
        rows = [self.vocab[c] for c in word if c in self.vocab]
        if not rows:
            if len(self._oov) < 200_000:
                self._oov[word] = None
            return None
        mean: npt.NDArray[np.float32] = self.vectors[rows].mean(axis=0)
        if len(self._oov) < 200_000:
            self._oov[word] = mean
        return mean

    def unit_vector(self, word: str) -> npt.NDArray[np.float32] | None:
        """The word's vector at unit length, or None when nothing of it is known."""
        cached = self._units.get(word)
        if cached is not None or word in self._units:
            return cached
        v = self._word_vector(word)
        unit = None if v is None else (v / (float(np.linalg.norm(v)) + 1e-9)).astype(np.float32)
        if len(self._units) >= 200_000:
            self._units.clear()
        self._units[word] = unit
        return unit

    def embed_terms(self, words: Iterable[str]) -> npt.NDArray[np.float32]:
        """idf-weighted mean of word vectors, unit length (zero vector when nothing is known)."""
        acc = np.zeros(self.dim, dtype=np.float32)
        for w in words:
            v = self._word_vector(w)
            if v is not None:
                acc += v * self.idf.get(w, self.default_idf)
        norm = float(np.linalg.norm(acc))
        return acc / norm if norm > 0 else acc

    def embed(self, p: Prepared) -> npt.NDArray[np.float32]:
        return self.embed_terms(p.words or p.chars)

    def embed_chars(self, p: Prepared) -> npt.NDArray[np.float32]:
        return self.embed_terms(p.chars)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        words = sorted(self.vocab, key=self.vocab.__getitem__)
        meta = {"default_idf": self.default_idf, "idf": self.idf, "vocab": words}
        (directory / "lexicon.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
        save_file(
            {"vectors": self.vectors.astype(np.float16)}, str(directory / "vectors.safetensors")
        )

    @classmethod
    def load(cls, directory: Path = DEFAULT_DIR) -> Lexicon:
        meta = json.loads((directory / "lexicon.json").read_text("utf-8"))
        vectors = load_file(str(directory / "vectors.safetensors"))["vectors"].astype(np.float32)
        vocab = {w: i for i, w in enumerate(meta["vocab"])}
        return cls(
            idf={k: float(v) for k, v in meta["idf"].items()},
            default_idf=float(meta["default_idf"]),
            vocab=vocab,
            vectors=vectors,
        )


def idf_from_corpus(texts: Sequence[Prepared], min_df: int = 2) -> tuple[dict[str, float], float]:
    """Smoothed idf over words and characters; rare terms share the default (highest) weight."""
    df: dict[str, int] = {}
    for p in texts:
        for t in set(p.words) | set(p.chars):
            df[t] = df.get(t, 0) + 1
    n = len(texts)
    default = math.log((n + 1) / 1.5) + 1.0
    idf = {t: round(math.log((n + 1) / (d + 0.5)) + 1.0, 3) for t, d in df.items() if d >= min_df}
    return idf, round(default, 3)
