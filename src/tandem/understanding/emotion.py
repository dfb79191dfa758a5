"""Emotion with an intensity.

The label comes from a calibrated linear classifier; the intensity combines how sure the
classifier is with surface cues that customers use to turn the volume up (exclamation runs,
intensifiers, capitals, angry or crying emoji). Any label set can be trained (benchmarks use
their own); the shipped model uses EMOTION_LABELS.
"""

from __future__ import annotations

import pathlib
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from tandem.understanding.linear import Progress, TextClassifier, TrainOptions, train_classifier
from tandem.understanding.types import Emotion

TASK = "emotion"
# The SVM's C when none is given (`tandem nlu train`, the build script, the benchmarks).
DEFAULT_C = 0.3
NEUTRAL_LABELS = frozenset({"neutral", "none", "other"})

_INTENSIFIERS = re.compile(
    r"非常|特别|太|真的|极其|超级|简直|到底|究竟|竟然|居然|马上|立刻|赶紧|立即|快点|务必|"
    r"气死|急死|烦死|崩溃|受不了|无语|绝望|彻底|再也|永远|"
    r"very|so|really|extremely|totally|absolutely|seriously|immediately|asap|now|never|ever"
)
_EXCLAIM = re.compile(r"[!！]")
_QUESTION_RUN = re.compile(r"[?？]{2,}")
_LOUD_WORD = re.compile(r"\b[A-Z]{3,}\b")
_STRONG_EMOJI = re.compile(
    "[\U0001f620\U0001f621\U0001f92c\U0001f62d\U0001f622\U0001f625\U0001f630\U0001f631\U0001f624]"
)


def intensity_cues(raw: str) -> float:
    """0..1: how loudly the message is written, regardless of which emotion."""
    score = 0.0
    score += min(len(_EXCLAIM.findall(raw)), 4) * 0.08
    score += 0.12 if _QUESTION_RUN.search(raw) else 0.0
    score += min(len(_INTENSIFIERS.findall(raw.lower())), 3) * 0.1
    score += min(len(_LOUD_WORD.findall(raw)), 2) * 0.12
    score += min(len(_STRONG_EMOJI.findall(raw)), 2) * 0.12
    return min(score, 1.0)


class EmotionModel:
    def __init__(self, classifier: TextClassifier) -> None:
        self.classifier = classifier
        self.labels = classifier.classes

    def predict(
        self,
        normalized: str,
        raw: str,
        counts: Counter[str] | None = None,
        vector: npt.NDArray[np.float32] | None = None,
    ) -> Emotion:
        proba = self.classifier.proba(normalized, counts, vector)
        k = int(proba.argmax())
        label = self.labels[k]
        if label in NEUTRAL_LABELS:
            return Emotion(label, 0.0)
        # A sure classifier on a quiet message is a mild emotion; cues push it up.
        intensity = 0.25 + 0.45 * float(proba[k]) + 0.45 * intensity_cues(raw)
        return Emotion(label, round(min(intensity, 1.0), 3))

    def save(self, directory: pathlib.Path, extra: dict[str, object] | None = None) -> None:
        meta: dict[str, object] = {"task": TASK}
        meta.update(extra or {})
        self.classifier.save(directory, meta)

    @classmethod
    def load(cls, directory: pathlib.Path) -> EmotionModel:
        clf, _ = TextClassifier.load(directory)
        return cls(clf)


def train_emotion(
    texts: Sequence[str],
    labels: Sequence[str],
    opts: TrainOptions | None = None,
    dev: tuple[Sequence[str], Sequence[str]] | None = None,
    progress: Progress | None = None,
    vectors: npt.NDArray[np.float32] | None = None,
    dev_vectors: npt.NDArray[np.float32] | None = None,
) -> EmotionModel:
    clf, _, _ = train_classifier(
        texts, labels, opts or TrainOptions(c=DEFAULT_C), dev, progress, vectors, dev_vectors
    )
    return EmotionModel(clf)
