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


@dataclass(frozen=True)
class IntentReading:
    """The intent probabilities an act head reads next to the embedding: the intent head's
    classes in its order, and their weight (`scale`) in the head's dense block."""

    classes: tuple[str, ...]
    scale: float


class ActModel:
    def __init__(self, classifier: TextClassifier, intent: IntentReading | None = None) -> None:
        unknown = [c for c in classifier.classes if c not in ACTS]
        if unknown:
            raise ValueError(f"dialogue-act labels must be among {ACTS}, got {unknown}")
        self.classifier = classifier
        self.labels = classifier.classes
        self.intent = intent

    def dense_input(
        self,
        vector: npt.NDArray[np.float32] | None,
        intent_proba: npt.NDArray[np.float32] | None,
    ) -> npt.NDArray[np.float32] | None:
        """What the head's dense block reads: the embedding, then (for a head that reads the
        intent) the intent probabilities times their scale."""
        if self.intent is None:
            return vector
        if intent_proba is None or len(intent_proba) != len(self.intent.classes):
            raise ValueError(
                f"this act head reads the probabilities of the {len(self.intent.classes)} "
                "intents it was trained with: pass `intent_proba` in that order"
            )
        tail = (intent_proba * np.float32(self.intent.scale)).astype(np.float32)
        return tail if vector is None else np.concatenate([vector, tail])

    def predict(
        self,
        normalized: str,
        counts: Counter[str] | None = None,
        vector: npt.NDArray[np.float32] | None = None,
        intent_proba: npt.NDArray[np.float32] | None = None,
    ) -> ActResult:
        """`intent_proba`: the intent head's probabilities over `self.intent.classes`
        (required by a head that reads the intent, ignored otherwise)."""
        proba = self.classifier.proba(normalized, counts, self.dense_input(vector, intent_proba))
        k = int(proba.argmax())
        return ActResult(self.labels[k], float(proba[k]))

    def save(self, directory: pathlib.Path, extra: dict[str, object] | None = None) -> None:
        meta: dict[str, object] = {"task": TASK}
        if self.intent is not None:
            meta["intent_classes"] = list(self.intent.classes)
            meta["intent_scale"] = self.intent.scale
        meta.update(extra or {})
        self.classifier.save(directory, meta)

    @classmethod
    def load(cls, directory: pathlib.Path) -> ActModel:
        clf, config = TextClassifier.load(directory)
        classes = config.get("intent_classes")
        intent = (
            IntentReading(
                tuple(str(c) for c in classes), float(str(config.get("intent_scale", 1.0)))
            )
            if isinstance(classes, list)
            else None
        )
        return cls(clf, intent)


def train_act(
    texts: Sequence[str],
    labels: Sequence[str],
    opts: TrainOptions | None = None,
    dev: tuple[Sequence[str], Sequence[str]] | None = None,
    progress: Progress | None = None,
    vectors: npt.NDArray[np.float32] | None = None,
    dev_vectors: npt.NDArray[np.float32] | None = None,
    intent: tuple[IntentReading, npt.NDArray[np.float32]] | None = None,
) -> ActModel:
    """`intent`: what the head reads of the intent and each training text's (cross-fitted)
    intent probabilities, one row per text (`stacking.crossfit_intent_proba`)."""
    if intent is not None:
        if dev is not None:
            raise ValueError("an act head that reads the intent calibrates on held-out folds")
        reading, proba = intent
        tail = (proba * np.float32(reading.scale)).astype(np.float32)
        vectors = tail if vectors is None else np.hstack([vectors, tail]).astype(np.float32)
    clf, _, _ = train_classifier(
        texts, labels, opts or TrainOptions(c=DEFAULT_C), dev, progress, vectors, dev_vectors
    )
    return ActModel(clf, None if intent is None else intent[0])
