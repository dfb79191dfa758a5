"""Abuse aimed at the agent: a verdict, the kinds, and the exact spans to mask.

The lexicon gives exact spans (what the desk masks); a trained classifier gives the verdict for
abuse the list does not know. A message is abusive when the lexicon finds a span aimed at
someone or the classifier is confident; swearing aimed at no one (an "expletive": 卧槽, wtf)
is masked but is not abuse on its own, so the customer is not warned for their frustration.
When only the classifier fires, there is no span: the desk then masks the whole message (its
decision, not ours).
"""

from __future__ import annotations

import pathlib
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from tandem.understanding.lexicon import AbuseLexicon, default_lexicon
from tandem.understanding.linear import Progress, TextClassifier, TrainOptions, train_classifier
from tandem.understanding.types import ABUSE_KINDS, EXPLETIVE, Abuse, Span

TASK = "abuse"
# The SVM's C when none is given (`tandem nlu train`, the build script, the benchmarks).
DEFAULT_C = 0.3
# Labels that mean "not abusive" in the data sets we train on (COLD uses 0/1).
SAFE_LABELS = frozenset({"0", "none", "safe", "clean", "normal", "false", "non_offensive"})
DEFAULT_THRESHOLD = 0.5
Vector = npt.NDArray[np.float32]
Vector2D = npt.NDArray[np.float32]


class AbuseModel:
    def __init__(
        self,
        classifier: TextClassifier,
        threshold: float = DEFAULT_THRESHOLD,
        lexicon: AbuseLexicon | None = None,
    ) -> None:
        self.classifier = classifier
        self.threshold = threshold
        self.lexicon = lexicon if lexicon is not None else default_lexicon()
        self._positive = [i for i, c in enumerate(classifier.classes) if c not in SAFE_LABELS]

    def probability(
        self, normalized: str, counts: Counter[str] | None = None, vector: Vector | None = None
    ) -> float:
        """Calibrated probability that the message is abusive (classifier only)."""
        proba = self.classifier.proba(normalized, counts, vector)
        return float(proba[self._positive].sum())

    def classifier_kind(
        self, normalized: str, counts: Counter[str] | None = None, vector: Vector | None = None
    ) -> str:
        proba = self.classifier.proba(normalized, counts, vector)
        best = max(self._positive, key=lambda i: float(proba[i]))
        label = self.classifier.classes[best]
        return label if label in ABUSE_KINDS else "insult"

    def analyze(
        self,
        normalized: str,
        raw: str,
        counts: Counter[str] | None = None,
        vector: Vector | None = None,
    ) -> Abuse:
        spans = self.lexicon.find(raw)
        p = self.probability(normalized, counts, vector)
        if p < self.threshold and all(s.kind == EXPLETIVE for s in spans):
            # Nothing aimed at anyone ("卧槽 怎么还没发货"): not abuse; the desk still masks
            # the swear words.
            return Abuse(False, (EXPLETIVE,) if spans else (), spans)
        # In an abusive message a swear word is part of the abuse.
        spans = tuple(
            Span(s.start, s.end, "profanity") if s.kind == EXPLETIVE else s for s in spans
        )
        kinds = {s.kind for s in spans}
        if not kinds:
            kinds.add(self.classifier_kind(normalized, counts, vector))
        ordered = tuple(k for k in ABUSE_KINDS if k in kinds)
        return Abuse(True, ordered, spans)

    def save(self, directory: pathlib.Path, extra: dict[str, object] | None = None) -> None:
        meta: dict[str, object] = {"task": TASK, "threshold": self.threshold}
        meta.update(extra or {})
        self.classifier.save(directory, meta)

    @classmethod
    def load(cls, directory: pathlib.Path) -> AbuseModel:
        clf, config = TextClassifier.load(directory)
        return cls(clf, float(str(config.get("threshold", DEFAULT_THRESHOLD))))


def train_abuse(
    texts: Sequence[str],
    labels: Sequence[str],
    opts: TrainOptions | None = None,
    dev: tuple[Sequence[str], Sequence[str]] | None = None,
    progress: Progress | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    vectors: Vector2D | None = None,
    dev_vectors: Vector2D | None = None,
) -> AbuseModel:
    clf, _, _ = train_classifier(
        texts, labels, opts or TrainOptions(c=DEFAULT_C), dev, progress, vectors, dev_vectors
    )
    return AbuseModel(clf, threshold)
