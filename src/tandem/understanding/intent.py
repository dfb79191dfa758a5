"""Intent recognition that knows its limits.

Four signals decide "out of scope": an explicit `oos` class learnt from examples of what the
shop does not handle, a confidence floor under which even the best in-scope intent is not
trusted, a margin floor under which the best intent is too close to the runner-up (two
in-scope intents both half-fit: the message is most likely about neither), and, for a model
that reads the sentence embedding, a cosine floor under which the message's embedding is far
from every in-scope intent's centroid (the mean embedding of its training examples): a
message about nothing the shop trained on sits apart from all of them however the linear
head's softmax spreads its mass. The floors are chosen together on held-out data, never on
test data.
"""

from __future__ import annotations

import pathlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from safetensors.numpy import load_file, save_file

from tandem.understanding.features import extract
from tandem.understanding.linear import (
    Progress,
    TextClassifier,
    TrainOptions,
    holdout_splits,
    train_classifier,
)
from tandem.understanding.types import OOS, IntentScore

TASK = "intent"
# The SVM's C when none is given (`tandem nlu train`, the build script, the benchmarks).
DEFAULT_C = 0.5
DEFAULT_THRESHOLD = 0.3
# Refusing a question we could answer costs a turn and the customer's patience; missing an
# out-of-scope one is caught again by the answer's own confidence downstream. Hence 2:1.
IN_SCOPE_WEIGHT = 2 / 3
CENTROIDS_FILE = "centroids.safetensors"


@dataclass(frozen=True)
class IntentResult:
    intent: str
    confidence: float
    out_of_scope: bool
    top: tuple[IntentScore, ...]
    # The classifier's probabilities over its classes, in `classifier.classes` order (out of
    # scope included): what an act head that reads the intent takes in.
    proba: npt.NDArray[np.float32] | None = field(default=None, compare=False, repr=False)


class IntentModel:
    def __init__(
        self,
        classifier: TextClassifier,
        threshold: float,
        margin: float = 0.0,
        centroids: npt.NDArray[np.float32] | None = None,
        cos_floor: float = 0.0,
    ) -> None:
        self.classifier = classifier
        self.threshold = threshold
        self.margin = margin
        # (n in-scope labels, DIM), unit rows in `labels` order; None: no cosine reading.
        self.centroids = centroids
        self.cos_floor = cos_floor
        self.labels = tuple(c for c in classifier.classes if c != OOS)
        self._in_scope = np.array(
            [i for i, c in enumerate(classifier.classes) if c != OOS], dtype=np.int64
        )
        self._oos = classifier.classes.index(OOS) if OOS in classifier.classes else -1

    def nearest_cosine(self, vector: npt.NDArray[np.float32] | None) -> float | None:
        """The embedding's cosine to the nearest in-scope centroid (None without either)."""
        if self.centroids is None or vector is None:
            return None
        norm = float(np.linalg.norm(vector))
        return float((self.centroids @ vector).max()) / max(norm, 1e-9)

    def decide(self, proba: npt.NDArray[np.float32], cosine: float | None = None) -> IntentResult:
        """`top` holds the three likeliest in-scope intents (the likely topics to offer in a
        clarifying question); when out of scope, `confidence` is the best in-scope one's.
        `cosine`: `nearest_cosine` of the message (the cosine floor applies only with it)."""
        in_scope = proba[self._in_scope]
        order = np.argsort(-in_scope)[:3]
        top = tuple(IntentScore(self.labels[int(k)], float(in_scope[int(k)])) for k in order)
        best = top[0]
        oos_wins = self._oos >= 0 and float(proba[self._oos]) > best.confidence
        gap = best.confidence - (top[1].confidence if len(top) > 1 else 0.0)
        far = cosine is not None and cosine < self.cos_floor
        oos = oos_wins or best.confidence < self.threshold or gap < self.margin or far
        return IntentResult(OOS if oos else best.label, best.confidence, oos, top, proba)

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
            return IntentResult(OOS, res.confidence, True, res.top, res.proba)
        proba = self.classifier.proba(normalized, counts, vector)
        return self.decide(proba, self.nearest_cosine(vector))

    def save(self, directory: pathlib.Path, extra: dict[str, object] | None = None) -> None:
        meta: dict[str, object] = {
            "task": TASK,
            "threshold": self.threshold,
            "margin": self.margin,
            "cos_floor": self.cos_floor,
        }
        meta.update(extra or {})
        self.classifier.save(directory, meta)
        path = directory / CENTROIDS_FILE
        if self.centroids is not None:
            save_file({"centroids": self.centroids.astype(np.float32)}, str(path))
        elif path.is_file():
            path.unlink()  # a lexical model saved over an encoder one

    @classmethod
    def load(cls, directory: pathlib.Path) -> IntentModel:
        clf, config = TextClassifier.load(directory)
        path = directory / CENTROIDS_FILE
        return cls(
            clf,
            float(str(config.get("threshold", DEFAULT_THRESHOLD))),
            float(str(config.get("margin", 0.0))),  # models saved before the margin: none
            load_file(str(path))["centroids"] if path.is_file() else None,
            float(str(config.get("cos_floor", 0.0))),  # ... before the cosine floor: none
        )


def class_centroids(
    vectors: npt.NDArray[np.float32], labels: Sequence[str], classes: Sequence[str]
) -> npt.NDArray[np.float32]:
    """Unit-length mean embedding of each of `classes` (a zero row for a class without rows)."""
    lab = np.asarray(labels)
    out = np.zeros((len(classes), vectors.shape[1]), np.float32)
    for k, c in enumerate(classes):
        rows = vectors[lab == c]
        if len(rows):
            mean = rows.mean(axis=0)
            out[k] = mean / max(float(np.linalg.norm(mean)), 1e-9)
    return out


def held_out_cosines(
    vectors: npt.NDArray[np.float32],
    labels: Sequence[str],
    classes: Sequence[str],
    always_train: Sequence[bool] | None = None,
) -> npt.NDArray[np.float32]:
    """Each held-out text's cosine to the nearest centroid of `classes`, the centroids taken
    from that hold-out's own training part (a text never sits in its own centroid), in the
    order `train_classifier` returns its held-out rows (`holdout_splits`, with the same
    `always_train`)."""
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    parts = []
    for tr, ho in holdout_splits(labels, always_train):
        cen = class_centroids(vectors[tr], [labels[i] for i in tr], classes)
        parts.append((unit[ho] @ cen.T).max(axis=1))
    return np.concatenate(parts).astype(np.float32)


# See choose_floors: differences below this on the held-out curve are noise.
FLOOR_TOLERANCE = 0.0025


# Margin floors tried (top-1 minus top-2 in-scope probability).
MARGIN_GRID = tuple(float(m) for m in np.linspace(0.0, 0.3, 16))


# Cosine floors tried: 0 (off) and these quantiles of the held-out in-scope texts' cosines
# (percent): the embedding's cosines crowd in a narrow band (0.8-0.95 for e5), so the grid
# follows the data rather than fixed values.
COS_QUANTILES = tuple(float(q) for q in np.linspace(0.5, 30.0, 30))


@dataclass(frozen=True)
class Floors:
    threshold: float
    margin: float
    cos_floor: float = 0.0


def choose_floors(
    model: IntentModel,
    held_proba: npt.NDArray[np.float32],
    held_gold: Sequence[str],
    margins: Sequence[float] = MARGIN_GRID,
    held_cosines: npt.NDArray[np.float32] | None = None,
) -> Floors:
    """The (confidence, margin, cosine) floors that maximise a 2:1 weighted mean of in-scope
    accuracy and oos recall on held-out data (`held_cosines`: each held-out text's
    `nearest_cosine`; without them no cosine floor). Without held-out oos examples, no margin
    or cosine floor and the confidence floor that keeps 97 % of correctly classified in-scope
    messages (so it only catches the really unsure ones). `model` must decide with every floor
    at 0, so that `out_of_scope` there means "the oos class won"."""
    results = [(model.decide(p), g) for p, g in zip(held_proba, held_gold, strict=True)]
    has_oos = any(g == OOS for g in held_gold)
    if not has_oos:
        correct = sorted(r.confidence for r, g in results if r.top[0].label == g)
        if not correct:
            return Floors(DEFAULT_THRESHOLD, 0.0)
        return Floors(float(min(correct[int(len(correct) * 0.03)], 0.5)), 0.0)
    conf = np.array([r.top[0].confidence for r, _ in results])
    gap = np.array(
        [r.top[0].confidence - (r.top[1].confidence if len(r.top) > 1 else 0.0) for r, _ in results]
    )
    oos_won = np.array([r.out_of_scope for r, _ in results])
    is_oos = np.array([g == OOS for _, g in results])
    right = np.array([r.top[0].label == g for r, g in results])
    n_ins, n_oos = max(int((~is_oos).sum()), 1), max(int(is_oos.sum()), 1)
    cos_floors = [0.0]
    if held_cosines is not None and (~is_oos).any():
        cos_floors += [float(np.percentile(held_cosines[~is_oos], q)) for q in COS_QUANTILES]
    cos = np.ones(len(results)) if held_cosines is None else np.asarray(held_cosines)
    grid = np.linspace(0.0, 0.9, 91)
    # curve[c, m, t]: the score with cosine floor cos_floors[c], margin floor margins[m] and
    # confidence floor grid[t].
    curve = np.zeros((len(cos_floors), len(margins), len(grid)))
    for k, cf in enumerate(cos_floors):
        base = oos_won | (cos < cf)
        for i, m in enumerate(margins):
            pred = (base | (gap < m))[None, :] | (conf[None, :] < grid[:, None])
            ins_ok = (~pred & right & ~is_oos).sum(axis=1) / n_ins
            oos_ok = (pred & is_oos).sum(axis=1) / n_oos
            curve[k, i] = IN_SCOPE_WEIGHT * ins_ok + (1 - IN_SCOPE_WEIGHT) * oos_ok
    # The curve is flat near its top (0.936-0.937 from floor 0.0 to 0.5 on the demo data), so
    # its raw argmax jumps with a handful of examples (0.0 -> 0.51 -> 0.39 between builds).
    # The floors are the LOWEST within FLOOR_TOLERANCE of the best (smallest cosine floor
    # first, then margin, then confidence): a few held-out messages' worth, and where the
    # curve cannot tell, an in-scope message is answered, not declined.
    best = float(curve.max())
    c_idx, m_idx, t_idx = np.argwhere(curve >= best - FLOOR_TOLERANCE)[0]
    return Floors(float(grid[int(t_idx)]), float(margins[int(m_idx)]), cos_floors[int(c_idx)])


def train_intent(
    texts: Sequence[str],
    labels: Sequence[str],
    opts: TrainOptions | None = None,
    dev: tuple[Sequence[str], Sequence[str]] | None = None,
    progress: Progress | None = None,
    vectors: npt.NDArray[np.float32] | None = None,
    dev_vectors: npt.NDArray[np.float32] | None = None,
    always_train: Sequence[bool] | None = None,
) -> IntentModel:
    """Train from normalised texts; a label `oos` marks out-of-scope examples. With `vectors`
    (one embedding per text, and `dev_vectors` when `dev` is given) the model reads both.
    `always_train` marks borrowed rows (out-of-scope text from elsewhere: outlier exposure)
    that are trained on in every fit but never held out, so the floors are chosen on the
    set's own examples."""
    clf, held_proba, held_gold = train_classifier(
        texts,
        labels,
        opts or TrainOptions(c=DEFAULT_C),
        dev,
        progress,
        vectors,
        dev_vectors,
        always_train,
    )
    model = IntentModel(clf, threshold=0.0)
    held_cos = None
    if vectors is not None:
        labels = [str(y) for y in labels]
        model.centroids = class_centroids(vectors, labels, model.labels)
        if dev is None:
            held_cos = held_out_cosines(vectors, labels, model.labels, always_train)
        elif dev_vectors is not None:
            norms = np.maximum(np.linalg.norm(dev_vectors, axis=1), 1e-9)
            held_cos = (dev_vectors @ model.centroids.T).max(axis=1) / norms
    floors = choose_floors(model, held_proba, held_gold, held_cosines=held_cos)
    model.threshold, model.margin, model.cos_floor = (
        floors.threshold,
        floors.margin,
        floors.cos_floor,
    )
    return model
