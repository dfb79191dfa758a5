"""The encoder's part in retrieval: its similarity as a pair feature and as answer features.

The matcher (matcher.py) judges a pair on lexical features and static word vectors. When the
sentence encoder runs, two small calibrated layers on top add its cosine:

* `pair`: P(same question) = sigmoid(a * logit(p_matcher) + b * z(cos) + c), the product's
  pair decision (the candidates' pair probability in retrieval, learning-candidate merges,
  the pair benchmarks on shop-like questions);
* `domains`: pair layers of other domains, by name ("banking": BQ and ATEC questions), each
  fitted on that domain's training pairs with its own threshold, and optionally reading the
  two vectors' interaction terms [u * v, |u - v|] (which dimensions agree, not only how
  much: "开通" vs "关闭" in two otherwise equal banking questions barely moves the cosine).
  The product serves shops and never reads them: they answer "what would a layer for that
  domain decide" in `evaluate_pairs(..., domain=...)`, so a bank's figures are not bought
  by moving the shop's threshold (the sixth pass's shared layer lost LCQMC and answered a
  shipping question from a near entry);
* `answer`: P(this entry answers) from the index's answer features plus the entry's cosine,
  its margin over the best other entry, whether it is the nearest entry by the encoder, in a
  layer fitted with `dense_train --entry-vectors` (`entry_vectors` true) the same three for
  the entry as a whole: the cosine with the mean of its phrasings' vectors (one close
  phrasing of a large entry is weaker evidence than closeness to what all of them ask) and
  with its *answer* (what the entry says it covers, often more than its phrasings: "螃蟹用啥
  快递发 冷链吗" is nearest to "你们用什么快递", the 生鲜 entry's answer says 冷链), and,
  in a layer fitted with `dense_train --key-terms` (`key_terms` true; the shipped one is not),
  how much of the query's key content the entry covers (`key_term_features`).

Both are fitted on training data only (`python -m tandem.knowledge.dense_train`) and shipped
as JSON. e5 cosines are compressed (unrelated ~0.85, paraphrases ~0.92), so the cosine is
standardised with the training mean and spread before it meets a weight: a fixed cosine
threshold would not mean anything.

Key terms: a sentence vector says what a message is about, not whether every part of it is
answered. "羊绒大衣可不可以免费改衣长" sits near the entry on cashmere coats' fabric, yet that entry
says nothing about alterations. `key_term_features` measures, per candidate entry, the query's
content words (idf-weighted) that the entry's phrasings and answer neither contain nor hold a
near word for (the matcher's static word vectors), so a close topic with the asked-about term
missing is not answered with confidence.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from tandem.knowledge.lexicon import DEFAULT_DIR, Lexicon
from tandem.knowledge.text import Prepared, prepare
from tandem.understanding.encoder import VectorStore

Array = npt.NDArray[np.float64]
DENSE_FILE = "dense.json"
SHIPPED_VECTORS = Path(__file__).parent / "data" / "vectors"
DENSE_ANSWER_FEATURES = ("dense_cos_z", "dense_margin_z", "dense_nearest")
ENTRY_VECTOR_FEATURES = (
    "centroid_cos_z",
    "centroid_margin_z",
    "centroid_nearest",
    "answer_cos_z",
    "answer_margin_z",
    "answer_nearest",
)
KEY_TERM_FEATURES = ("key_term_uncovered", "key_term_worst")


def _sigmoid(z: Array) -> Array:
    out: Array = 1.0 / (1.0 + np.exp(-z))
    return out


def logit(p: Array) -> Array:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    out: Array = np.log(q / (1 - q))
    return out


SHOP = "shop"


@dataclass(frozen=True)
class PairLayer:
    """One domain's pair decision: sigmoid(a logit(p) + b z(cos) + c [+ vector terms])."""

    weights: tuple[float, float, float]  # logit(p), z(cos), intercept
    threshold: float
    # Weights on (u * v) then |u - v| (DIM each; empty: the layer reads the cosine only).
    vector_weights: tuple[float, ...] = ()

    def logits(
        self,
        lexical_logit: Array,
        z_cos: Array,
        a_vectors: npt.NDArray[np.float32] | None,
        b_vectors: npt.NDArray[np.float32] | None,
    ) -> Array:
        a, b, c = self.weights
        z: Array = a * lexical_logit + b * z_cos + c
        if self.vector_weights:
            if a_vectors is None or b_vectors is None:
                raise ValueError("this pair layer reads the two vectors: pass them")
            z = z + interaction_features(a_vectors, b_vectors) @ np.asarray(self.vector_weights)
        return z

    def to_json(self) -> dict[str, object]:
        return {
            "weights": list(self.weights),
            "threshold": self.threshold,
            "vector_weights": [round(w, 6) for w in self.vector_weights],
        }

    @classmethod
    def from_json(cls, raw: dict[str, object]) -> PairLayer:
        w = [float(x) for x in raw["weights"]]  # type: ignore[attr-defined]
        return cls(
            weights=(w[0], w[1], w[2]),
            threshold=float(raw["threshold"]),  # type: ignore[arg-type]
            vector_weights=tuple(float(x) for x in raw.get("vector_weights") or ()),  # type: ignore[attr-defined]
        )


def interaction_features(
    a_vectors: npt.NDArray[np.float32], b_vectors: npt.NDArray[np.float32]
) -> Array:
    """[u * v, |u - v|] per pair (rows of unit vectors): what a layer's vector weights read."""
    a = np.asarray(a_vectors, dtype=np.float64)
    b = np.asarray(b_vectors, dtype=np.float64)
    out: Array = np.hstack([a * b, np.abs(a - b)])
    return out


@dataclass(frozen=True)
class DenseLayers:
    cos_mean: float
    cos_scale: float
    pair_weights: tuple[float, float, float]  # logit(p), z(cos), intercept
    pair_threshold: float
    # ANSWER_FEATURES + DENSE_ANSWER_FEATURES (+ ENTRY_VECTOR_FEATURES when `entry_vectors`)
    # (+ KEY_TERM_FEATURES when `key_terms`), intercept
    answer_weights: tuple[float, ...]
    answer_threshold: float
    # The answer layer reads KEY_TERM_FEATURES (a layer fitted before they existed does not).
    key_terms: bool = False
    # The answer layer reads ENTRY_VECTOR_FEATURES: the index then encodes each entry's answer.
    entry_vectors: bool = False
    # Other domains' pair layers (see the module doc); the shop's is pair_weights.
    domains: tuple[tuple[str, PairLayer], ...] = ()

    def answer_extras(self) -> tuple[str, ...]:
        """The answer features read after ANSWER_FEATURES, in order."""
        return (
            DENSE_ANSWER_FEATURES
            + (ENTRY_VECTOR_FEATURES if self.entry_vectors else ())
            + (KEY_TERM_FEATURES if self.key_terms else ())
        )

    def z(self, cos: Array) -> Array:
        out: Array = (cos - self.cos_mean) / self.cos_scale
        return out

    def pair_layer(self, domain: str = SHOP) -> PairLayer:
        """The pair layer of `domain` (ValueError naming the known ones if there is none)."""
        if domain == SHOP:
            return PairLayer(self.pair_weights, self.pair_threshold)
        for name, layer in self.domains:
            if name == domain:
                return layer
        known = ", ".join([SHOP, *(n for n, _ in self.domains)])
        raise ValueError(f"no pair layer for domain {domain!r} (known: {known})")

    def pair_probability(
        self,
        p_matcher: Array,
        cos: Array,
        *,
        domain: str = SHOP,
        a_vectors: npt.NDArray[np.float32] | None = None,
        b_vectors: npt.NDArray[np.float32] | None = None,
    ) -> Array:
        """One probability per pair; the vectors (one unit row per pair) are needed only by a
        domain layer that reads them."""
        layer = self.pair_layer(domain)
        return _sigmoid(layer.logits(logit(p_matcher), self.z(cos), a_vectors, b_vectors))

    def with_domain(self, name: str, layer: PairLayer) -> DenseLayers:
        """These layers with `name`'s pair layer added or replaced (never the shop's)."""
        if name == SHOP:
            raise ValueError("the shop pair layer is pair_weights / pair_threshold")
        kept = tuple((n, x) for n, x in self.domains if n != name)
        return replace(self, domains=tuple(sorted((*kept, (name, layer)), key=lambda nx: nx[0])))

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
                    "answer_features": "ANSWER_FEATURES + " + ", ".join(self.answer_extras()),
                    "key_terms": self.key_terms,
                    "entry_vectors": self.entry_vectors,
                    "answer_weights": list(self.answer_weights),
                    "answer_threshold": self.answer_threshold,
                    "pair_domains": {n: layer.to_json() for n, layer in self.domains},
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
            key_terms=bool(raw.get("key_terms", False)),
            entry_vectors=bool(raw.get("entry_vectors", False)),
            domains=tuple(
                sorted(
                    ((n, PairLayer.from_json(x)) for n, x in raw.get("pair_domains", {}).items()),
                    key=lambda nx: nx[0],
                )
            ),
        )


_DENSE: DenseLayers | None = None
_VECTORS: VectorStore | None = None


def default_layers() -> DenseLayers | None:
    """The shipped encoder layers (None when not trained yet), loaded once per process."""
    global _DENSE
    if _DENSE is None:
        _DENSE = DenseLayers.load()
    return _DENSE


def shipped_vectors() -> VectorStore:
    """The demo FAQ's phrasing and answer vectors, shipped with the package; shared by every
    index in the process (a store only grows: a vector is a pure function of its text)."""
    global _VECTORS
    if _VECTORS is None:
        _VECTORS = VectorStore(SHIPPED_VECTORS)
    return _VECTORS


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


# A query word counts as covered by an entry word this near (static vectors' cosine): "邮费"
# and "运费" (0.65), "退钱" and "退款" (0.73); partly between FAR_WORD and NEAR_WORD; not at all
# below: "粉色" and "颜色" (0.50: a colour is not that colour), "改衣长" and "衣服" (0.52, a word
# outside the vocabulary whose vector is its characters' mean: a shared character, not a meaning).
NEAR_WORD = 0.65
FAR_WORD = 0.5
# "能不能", "可不可以", "有没有": the shape of a question, not its content.
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1")
_CJK_WORD = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=8192)
def _entry_terms(texts: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """An entry's text (phrasings and answer, normalised, joined) and its distinct words."""
    prepared = [prepare(t) for t in texts]
    words = sorted({w for p in prepared for w in p.words})
    return "\n".join(p.text for p in prepared), tuple(words)


def key_term_features(
    query: Prepared, entry_texts: Sequence[str], lexicon: Lexicon
) -> tuple[float, float]:
    """How much of the query's content the entry leaves out: (idf-weighted share of the
    query's words the entry does not cover, the largest single miss scaled by idf).

    A word is covered when it occurs in the entry (Chinese: anywhere in its text; English: as
    a word), else by its nearest entry word's cosine (partly between FAR_WORD and NEAR_WORD).
    Numbers (order numbers, amounts) are not key terms: an entry never repeats the customer's
    order number."""
    words = [w for w in dict.fromkeys(query.words) if not w[0].isdigit() and not _A_NOT_A.search(w)]
    if not words:
        return 0.0, 0.0
    text, entry_words = _entry_terms(tuple(entry_texts))
    entry_set = frozenset(entry_words)
    targets = [v for v in (lexicon.unit_vector(w) for w in entry_words) if v is not None]
    matrix = np.vstack(targets) if targets else None
    total = missed = worst = 0.0
    for w in words:
        idf = lexicon.idf.get(w, lexicon.default_idf)
        cover = 1.0
        # Chinese by substring (segmentations differ: "运费" in "退货运费"); English by word.
        if w not in entry_set and not (_CJK_WORD.match(w) and w in text):
            # An English word outside the vocabulary has no meaning of its own (its vector is
            # its letters' mean: "pill" lands near "sell"), so only the word itself covers it.
            vec = lexicon.unit_vector(w) if _CJK_WORD.match(w) or w in lexicon.vocab else None
            best = float((matrix @ vec).max()) if matrix is not None and vec is not None else 0.0
            cover = min(1.0, max(0.0, (best - FAR_WORD) / (NEAR_WORD - FAR_WORD)))
        total += idf
        missed += idf * (1.0 - cover)
        worst = max(worst, (1.0 - cover) * idf / lexicon.default_idf)
    return (missed / total if total else 0.0), worst
