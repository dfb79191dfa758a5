"""Learning the summariser's exchange weights from dialogues with reference summaries.

The label of an exchange is whether a greedy oracle keeps it: starting from nothing, add the
exchange (as the summariser would write it) that raises ROUGE-L against the reference most,
until no exchange raises it. A logistic regression over EXCHANGE_FEATURES then learns which
exchanges look like the ones the oracle keeps; its weights go into SummaryParams. The result
is sixteen numbers, small enough to live as constants in the pure engine.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression

from tandem.engine.summary import SummaryParams, exchange_candidates, summarise
from tandem.evaluation.csds import CsdsDialogue
from tandem.evaluation.rouge import score


def oracle_labels(
    dialogue: CsdsDialogue, params: SummaryParams
) -> list[tuple[tuple[float, ...], int]]:
    """(features, kept by the greedy ROUGE-L oracle) for each exchange of the dialogue."""
    candidates = exchange_candidates(dialogue.turns, params=params)
    kept: set[int] = set()
    best = 0.0
    while True:
        gain_at: int | None = None
        for k in range(len(candidates)):
            if k in kept:
                continue
            text = "".join(candidates[j].text for j in sorted(kept | {k}))
            value = score(text, dialogue.summary).rougeL
            if value > best:
                best, gain_at = value, k
        if gain_at is None:
            break
        kept.add(gain_at)
    return [(c.features, int(k in kept)) for k, c in enumerate(candidates)]


def fit_exchange_weights(
    dialogues: Sequence[CsdsDialogue],
    *,
    base: SummaryParams = SummaryParams(),
    c: float = 1.0,
    thresholds: Sequence[float] = (0.3, 0.4, 0.5),
    max_exchanges: Sequence[int] = (3, 4),
    on_progress: Callable[[], None] | None = None,
) -> SummaryParams:
    """Weights learned on `dialogues`, with the probability floor and exchange cap that give
    the best mean ROUGE-L on those same dialogues (so score the result on other dialogues)."""
    rows: list[tuple[float, ...]] = []
    labels: list[int] = []
    for dialogue in dialogues:
        for features, label in oracle_labels(dialogue, base):
            rows.append(features)
            labels.append(label)
        if on_progress is not None:
            on_progress()
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit(np.asarray(rows, dtype=np.float64), np.asarray(labels))
    learned = dataclasses.replace(
        base,
        exchange_weights=tuple(round(float(w), 4) for w in model.coef_[0]),
        exchange_bias=round(float(model.intercept_[0]), 4),
    )
    best_params, best_value = learned, -1.0
    for floor in thresholds:
        for cap in max_exchanges:
            candidate = dataclasses.replace(learned, min_probability=floor, max_exchanges=cap)
            value = sum(
                score(summarise(d.turns, params=candidate), d.summary).rougeL for d in dialogues
            )
            if value > best_value:
                best_params, best_value = candidate, value
    return best_params
