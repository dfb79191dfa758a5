"""Dialogue act: what the customer is doing with the message, whatever its topic.

* `question`: asks about a rule or a fact ("退货运费谁出", "how do returns work");
* `request`: asks the shop to act on their order or account ("帮我退款", "cancel it");
* `complaint`: voices dissatisfaction with the shop, the product or the service;
* `chitchat`: greetings, thanks, small talk, acknowledgements.

Orthogonal to the intent: "七天无理由怎么退" and "这单给我退了" share the intent `return` but the
first is a question (answer it), the second a request (act, after confirming). A calibrated
linear head over the same features (and, when the encoder runs, the same embedding) as the
intent model.
"""

from __future__ import annotations

import pathlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tandem.understanding.linear import Progress, TextClassifier, TrainOptions, train_classifier

TASK = "act"
# C = 1.0 measured best by bench/act_cv (CV and the held-out real turns, 2026-12-03). The one
# value: `tandem nlu train --task act`, the build script and bench/act_cv all read it.
DEFAULT_C = 1.0
ACTS: tuple[str, ...] = ("question", "request", "complaint", "chitchat")


@dataclass(frozen=True)
class ActResult:
    act: str
    confidence: float


class ActModel:
    def __init__(self, classifier: TextClassifier) -> None:
        unknown = [c for c in classifier.classes if c not in ACTS]
        if unknown:
            raise ValueError(f"dialogue-act labels must be among {ACTS}, got {unknown}")
        self.classifier = classifier
        self.labels = classifier.classes

    def predict(
        self,
        normalized: str,
        counts: Counter[str] | None = None,
        vector: npt.NDArray[np.float32] | None = None,
    ) -> ActResult:
        proba = self.classifier.proba(normalized, counts, vector)
        k = int(proba.argmax())
        return ActResult(self.labels[k], float(proba[k]))

    def save(self, directory: pathlib.Path, extra: dict[str, object] | None = None) -> None:
        meta: dict[str, object] = {"task": TASK}
        meta.update(extra or {})
        self.classifier.save(directory, meta)

    @classmethod
    def load(cls, directory: pathlib.Path) -> ActModel:
        clf, _ = TextClassifier.load(directory)
        return cls(clf)


def train_act(
    texts: Sequence[str],
    labels: Sequence[str],
    opts: TrainOptions | None = None,
    dev: tuple[Sequence[str], Sequence[str]] | None = None,
    progress: Progress | None = None,
    vectors: npt.NDArray[np.float32] | None = None,
    dev_vectors: npt.NDArray[np.float32] | None = None,
) -> ActModel:
    clf, _, _ = train_classifier(
        texts, labels, opts or TrainOptions(c=DEFAULT_C), dev, progress, vectors, dev_vectors
    )
    return ActModel(clf)
