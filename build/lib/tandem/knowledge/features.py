"""Pair features: how alike two prepared questions are, as a fixed-length vector.

The matcher (matcher.py) turns these into a probability that both ask the same thing. The
features are lexical (character, bigram and word overlap weighted by idf, edit similarity,
what the two do not share) plus one semantic signal: the cosine of static word vectors
distilled from multilingual-e5-small (see lexicon.py), which knows "退钱" is near "退款".
The idf table is the matcher's own (from its training corpus), not the knowledge base's, so a
pair scores the same whatever else the knowledge base holds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import LCSseq, Levenshtein

from tandem.knowledge.lexicon import Lexicon
from tandem.knowledge.text import Prepared

FEATURE_NAMES: tuple[str, ...] = (
    "char_jaccard",
    "bigram_jaccard",
    "word_jaccard",
    "char_idf_cos",
    "word_idf_cos",
    "bigram_cover_min",
    "bigram_cover_max",
    "word_cover_min",
    "word_cover_max",
    "len_ratio",
    "log_len_diff",
    "lcs_ratio",
    "edit_sim",
    "unshared_word_idf_max",
    "unshared_word_idf_sum",
    "unshared_char_idf_max",
    "number_mismatch",
    "negation_mismatch",
    "semantic_cos",
    "semantic_unshared_cos",
    "same_text",
    "semantic_char_cos",
    "worst_word_alignment",
    "unshared_word_count",
    "log_total_chars",
)


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _cover(a: set[str], b: set[str]) -> tuple[float, float]:
    if not a or not b:
        return 0.0, 0.0
    inter = len(a & b)
    x, y = inter / len(a), inter / len(b)
    return min(x, y), max(x, y)


def _idf_cos(a: tuple[dict[str, float], float], b: tuple[dict[str, float], float]) -> float:
    (wa, na), (wb, nb) = a, b
    if len(wa) > len(wb):
        wa, wb = wb, wa
    dot = sum(v * wb.get(k, 0.0) for k, v in wa.items())
    return dot / (na * nb) if na and nb else 0.0


def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    return int(LCSseq.similarity(a, b))


def _edit(a: Sequence[str], b: Sequence[str]) -> int:
    return int(Levenshtein.distance(a, b))


def _worst_alignment(x: set[str], y: set[str], lex: Lexicon) -> float:
    """How well the least matched word of `x` (not in `y`) finds a near word in `y`.

    Low when one question has a word the other has nothing like ("男" vs "女" are alike;
    "发票" vs "退货" are not): the usual sign of two different questions.
    """
    only = x - y
    if not only:
        return 1.0
    sources = [lex.unit_vector(w) for w in sorted(only)]
    targets = [v for v in (lex.unit_vector(w) for w in sorted(y)) if v is not None]
    if not targets or any(v is None for v in sources):
        return 0.0
    sims = np.vstack(sources) @ np.vstack(targets).T  # type: ignore[arg-type]
    return float(min(1.0, sims.max(axis=1).min()))


def pair_features(
    a: Prepared,
    b: Prepared,
    lex: Lexicon,
    vec_a: npt.NDArray[np.float32] | None = None,
    vec_b: npt.NDArray[np.float32] | None = None,
    chars_a: npt.NDArray[np.float32] | None = None,
    chars_b: npt.NDArray[np.float32] | None = None,
) -> list[float]:
    """Features of one pair, in FEATURE_NAMES order. Vectors (`lex.embed`, `lex.embed_chars`)
    may be passed in when cached."""
    ca, cb = set(a.chars), set(b.chars)
    ba, bb = set(a.bigrams), set(b.bigrams)
    wa, wb = set(a.words), set(b.words)
    idf, dflt = lex.idf, lex.default_idf
    la, lb = len(a.chars), len(b.chars)
    longest = max(la, lb, 1)
    bcov = _cover(ba, bb)
    wcov = _cover(wa, wb)
    unshared_words = (wa ^ wb) - (ca & cb)
    unshared_w = [idf.get(w, dflt) for w in unshared_words]
    unshared_c = [idf.get(c, dflt) for c in ca ^ cb]
    va = lex.embed(a) if vec_a is None else vec_a
    vb = lex.embed(b) if vec_b is None else vec_b
    only_a = lex.embed_terms(sorted(wa - wb))
    only_b = lex.embed_terms(sorted(wb - wa))
    return [
        _jaccard(ca, cb),
        _jaccard(ba, bb),
        _jaccard(wa, wb),
        _idf_cos(lex.weights(a.chars), lex.weights(b.chars)),
        _idf_cos(lex.weights(a.words), lex.weights(b.words)),
        bcov[0],
        bcov[1],
        wcov[0],
        wcov[1],
        min(la, lb) / longest,
        math.log1p(abs(la - lb)),
        _lcs(a.chars, b.chars) / longest,
        1.0 - _edit(a.chars, b.chars) / longest,
        max(unshared_w, default=0.0),
        sum(unshared_w),
        max(unshared_c, default=0.0),
        float(bool(a.numbers) and bool(b.numbers) and a.numbers != b.numbers),
        float(a.negated != b.negated),
        float(va @ vb),
        float(only_a @ only_b) if only_a.any() and only_b.any() else 0.0,
        float(a.text == b.text),
        float(
            (lex.embed_chars(a) if chars_a is None else chars_a)
            @ (lex.embed_chars(b) if chars_b is None else chars_b)
        ),
        min(_worst_alignment(wa, wb, lex), _worst_alignment(wb, wa, lex)),
        float(len(wa ^ wb)),
        math.log1p(la + lb),
    ]


def features_matrix(
    pairs: Sequence[tuple[Prepared, Prepared]], lex: Lexicon
) -> npt.NDArray[np.float64]:
    return np.array([pair_features(a, b, lex) for a, b in pairs], dtype=np.float64)
