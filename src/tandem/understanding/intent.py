"""Intent recognition that knows its limits.

Three signals decide "out of scope": an explicit `oos` class learnt from examples of what the
shop does not handle, a confidence floor under which even the best in-scope intent is not
trusted, and a margin floor under which the best intent is too close to the runner-up (two
in-scope intents both half-fit: the message is most likely about neither). Both floors are
chosen together on held-out data, never on test data.
"""

from __future__ import annotations

import pathlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tandem.understanding.features import extract
from tandem.understanding.linear import Progress, TextClassifier, TrainOptions, train_classifier
from tandem.understanding.types import OOS, IntentScore

TASK = "intent"
DEFAULT_THRESHOLD = 0.3
# Refusing a question we could answer costs a turn and the customer's patience; missing an
# out-of-scope one is caught again by the answer's own confidence downstream. Hence 2:1.
IN_SCOPE_WEIGHT = 2 / 3


@dataclass(frozen=True)
class IntentResult:
    intent: str
    confidence: float
    out_of_scope: bool
    top: tuple[IntentScore, ...]


class IntentModel:
    def __init__(self, classifier: TextClassifier, threshold: float, margin: float = 0.0) -> None:
        self.classifier = classifier
        self.threshold = threshold
        self.margin = margin
        self.labels = tuple(c for c in classifier.classes if c != OOS)
        self._in_scope = np.array(
            [i for i, c in enumerate(classifier.classes) if c != OOS], dtype=np.int64
        )
        self._oos = classifier.classes.index(OOS) if OOS in classifier.classes else -1

    def decide(self, proba: npt.NDArray[np.float32]) -> IntentResult:
        """`top` holds the three likeliest in-scope intents (the likely topics to offer in a
        clarifying question); when out of scope, `confidence` is the best in-scope one's."""
        in_scope = proba[self._in_scope]
        order = np.argsort(-in_scope)[:3]
        top = tuple(IntentScore(self.labels[int(k)], float(in_scope[int(k)])) for k in order)
        best = top[0]
        oos_wins = self._oos >= 0 and float(proba[self._oos]) > best.confidence
        gap = best.confidence - (top[1].confidence if len(top) > 1 else 0.0)
        oos = oos_wins or best.confidence < self.threshold or gap < self.margin
        return IntentResult(OOS if oos else best.label, best.confidence, oos, top)

    def predict(
        self,
        normalized: str,
        counts: Counter[str] | None = None,
        vector: npt.NDArray[np.float32] | None = None,
    ) -> IntentResult:
        """`vector`: the message's sentence embedding (required by a model trained with one)."""
        vec = self.classifier.vectorizer
        if counts is None:
            counts = extract(normalized, vec.cfg)
        if not self.classifier.needs_vector and not any(term in vec.index for term in counts):
            # Nothing we have ever seen (emoji only, another script): say so, do not guess.
            uniform = np.full(len(self.classifier.classes), 1.0 / len(self.classifier.classes))
            res = self.decide(uniform.astype(np.float32))
            return IntentResult(OOS, res.confidence, True, res.top)
        return self.decide(self.classifier.proba(normalized, counts, vector))

    def save(self, directory: pathlib.Path, extra: dict[str, object] | None = None) -> None:
        meta: dict[str, object] = {"task": TASK, "threshold": self.threshold, "margin": self.margin}
        meta.update(extra or {})
        self.classifier.save(directory, meta)

    @classmethod
    def load(cls, directory: pathlib.Path) -> IntentModel:
        clf, config = TextClassifier.load(directory)
        return cls(
            clf,
            float(str(config.get("threshold", DEFAULT_THRESHOLD))),
            float(str(config.get("margin", 0.0))),  # models saved before the margin: none
        )


# See choose_floors: differences below this on the held-out curve are noise.
FLOOR_TOLERANCE = 0.0025


# Margin floors tried (top-1 minus top-2 in-scope probability).
MARGIN_GRID = tuple(float(m) for m in np.linspace(0.0, 0.3, 16))


def choose_floors(
    model: IntentModel,
    held_proba: npt.NDArray[np.float32],
    held_gold: Sequence[str],
    margins: Sequence[float] = MARGIN_GRID,
) -> tuple[float, float]:
    """The (confidence floor, margin floor) pair that maximises a 2:1 weighted mean of in-scope
    accuracy and oos recall on held-out data. Without held-out oos examples, no margin floor and
    the confidence floor that keeps 97 % of correctly classified in-scope messages (so it only
    catches the really unsure ones). `model` must decide with both floors at 0, so that
    `out_of_scope` there means "the oos class won"."""
    results = [(model.decide(p), g) for p, g in zip(held_proba, held_gold, strict=True)]
    has_oos = any(g == OOS for g in held_gold)
    if not has_oos:
        correct = sorted(r.confidence for r, g in results if r.top[0].label == g)
        if not correct:
            return DEFAULT_THRESHOLD, 0.0
        return float(min(correct[int(len(correct) * 0.03)], 0.5)), 0.0
    conf = np.array([r.top[0].confidence for r, _ in results])
    gap = np.array(
        [r.top[0].confidence - (r.top[1].confidence if len(r.top) > 1 else 0.0) for r, _ in results]
    )
    oos_won = np.array([r.out_of_scope for r, _ in results])
    is_oos = np.array([g == OOS for _, g in results])
    right = np.array([r.top[0].label == g for r, g in results])
    n_ins, n_oos = max(int((~is_oos).sum()), 1), max(int(is_oos.sum()), 1)
    grid = np.linspace(0.0, 0.9, 91)
    # curve[m, t]: the score with margin floor margins[m] and confidence floor grid[t].
    curve = np.zeros((len(margins), len(grid)))
    for i, m in enumerate(margins):
        pred = oos_won[None, :] | (conf[None, :] < grid[:, None]) | (gap < m)[None, :]
        ins_ok = (~pred & right & ~is_oos).sum(axis=1) / n_ins
        oos_ok = (pred & is_oos).sum(axis=1) / n_oos
        curve[i] = IN_SCOPE_WEIGHT * ins_ok + (1 - IN_SCOPE_WEIGHT) * oos_ok
    # The curve is flat near its top (0.936-0.937 from floor 0.0 to 0.5 on the demo data), so
    # its raw argmax jumps with a handful of examples (0.0 -> 0.51 -> 0.39 between builds).
    # The floors are the LOWEST within FLOOR_TOLERANCE of the best (smallest margin floor
    # first, then smallest confidence floor): a few held-out messages' worth, and where the
    # curve cannot tell, an in-scope message is answered, not declined.
    best = float(curve.max())
    m_idx, t_idx = np.argwhere(curve >= best - FLOOR_TOLERANCE)[0]
    return float(grid[int(t_idx)]), float(margins[int(m_idx)])


def train_intent(
    texts: Sequence[str],
    labels: Sequence[str],
    opts: TrainOptions | None = None,
    dev: tuple[Sequence[str], Sequence[str]] | None = None,
    progress: Progress | None = None,
    vectors: npt.NDArray[np.float32] | None = None,
    dev_vectors: npt.NDArray[np.float32] | None = None,
) -> IntentModel:
    """Train from normalised texts; a label `oos` marks out-of-scope examples. With `vectors`
    (one embedding per text, and `dev_vectors` when `dev` is given) the model reads both."""
    clf, held_proba, held_gold = train_classifier(
        texts, labels, opts or TrainOptions(c=0.5), dev, progress, vectors, dev_vectors
    )
    model = IntentModel(clf, threshold=0.0)
    model.threshold, model.margin = choose_floors(model, held_proba, held_gold)
    return model
