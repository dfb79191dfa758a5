"""The act head read together with the intent: cross-fitted intent probabilities.

The shopper convention of the dialogue act depends on the topic: trouble using a product
("蓝牙耳机连不上手机", `how_to_use`) is a question, the same words about a defect the shop
delivered (`quality_issue`) a complaint. The act head can read the intent head's probabilities
next to the embedding, but the intent head's probabilities on its own training texts are near
one-hot (many act texts are intent examples too) and a head trained on them leans on them more
than they deserve at run time. So the probabilities the act head trains on are out of fold: the
intent head is trained `folds` times, each time without one fold of the intent examples, and
each act text gets the probabilities of the head that did not see it (the mean of all heads
when no head saw it). At run time the act head reads the shipped intent head's probabilities.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from tandem.understanding.features import extract
from tandem.understanding.intent import DEFAULT_C as INTENT_C
from tandem.understanding.linear import TrainOptions, fit_temperature, softmax, train_classifier
from tandem.understanding.normalize import normalize
from tandem.understanding.training import Example

Vectors = npt.NDArray[np.float32]


def label_folds(labels: Sequence[str], k: int, seed: int = 7) -> list[int]:
    """A fold per row, stratified by label (fixed seed)."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, y in enumerate(labels):
        by_label[y].append(i)
    out = [0] * len(labels)
    rng = random.Random(seed)
    for idx in by_label.values():
        rng.shuffle(idx)
        for j, i in enumerate(idx):
            out[i] = j % k
    return out


def crossfit_intent_proba(
    texts: Sequence[str],
    vectors: Vectors | None,
    intent_rows: Sequence[Example],
    intent_vectors: Vectors | None,
    folds: int = 5,
    **intent_options: Any,
) -> tuple[tuple[str, ...], Vectors]:
    """The intent classes and, for each of `texts` (with its embedding row in `vectors`, or
    None for lexical heads), out-of-fold intent probabilities (see the module docstring).
    `intent_options`: the shipped intent head's `TrainOptions` fields (its vocabulary cap).
    The heads are the shipped one's classifier without its out-of-scope floors (only the
    probabilities are read)."""
    # One row per normalised text, so that no head trains on a twin of a text it then reads.
    first: dict[str, int] = {}
    for i, r in enumerate(intent_rows):
        first.setdefault(normalize(r.text), i)
    rows = [intent_rows[i] for i in first.values()]
    ivec = None if intent_vectors is None else intent_vectors[list(first.values())]
    fold_of = label_folds([r.label for r in rows], folds)
    pos = {n: j for j, n in enumerate(first)}
    normalized = [normalize(t) for t in texts]
    opts = TrainOptions(**{"c": INTENT_C, **intent_options})
    itexts = list(first)
    ilabels = [r.label for r in rows]
    icounts = [extract(n, opts.features) for n in itexts]
    counts = [extract(n, opts.features) for n in normalized]
    own = [pos.get(n) for n in normalized]
    classes: tuple[str, ...] | None = None
    held_scores: Vectors | None = None
    scores: Vectors | None = None  # (folds, texts, classes): raw margins of each fold's head
    for f in range(folds):
        keep = [i for i, g in enumerate(fold_of) if g != f]
        held = [i for i, g in enumerate(fold_of) if g == f]
        # One fit per fold; the temperature is fitted once below, on every fold's held-out
        # margins (a fold of a small set can be all right, which would make it one-hot).
        clf, _, _ = train_classifier(
            [itexts[i] for i in keep],
            [ilabels[i] for i in keep],
            opts,
            ([itexts[i] for i in held], [ilabels[i] for i in held]),
            vectors=None if ivec is None else ivec[keep],
            dev_vectors=None if ivec is None else ivec[held],
        )
        if classes is None:
            classes = clf.classes
            held_scores = np.zeros((len(rows), len(classes)), np.float32)
            scores = np.zeros((folds, len(texts), len(classes)), np.float32)
        if clf.classes != classes:
            raise ValueError(f"fold {f} lacks an intent: stratify so every fold has each one")
        assert held_scores is not None and scores is not None
        held_scores[held] = clf.scores_batch(
            [icounts[i] for i in held], None if ivec is None else ivec[held]
        )
        scores[f] = clf.scores_batch(counts, vectors)
    assert classes is not None and held_scores is not None and scores is not None
    index = {c: k for k, c in enumerate(classes)}
    temperature = fit_temperature(held_scores, np.array([index[y] for y in ilabels], np.int64))
    proba = softmax(scores * np.float32(temperature))
    out = proba.mean(axis=0)
    for j, k in enumerate(own):
        if k is not None:
            out[j] = proba[fold_of[k], j]  # read only by the head that did not train on it
    assert classes is not None and out is not None
    return classes, out
