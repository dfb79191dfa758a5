"""Train and evaluate one task from JSONL files (`text` + `label` per line).

This is what `tandem nlu train` / `tandem nlu eval` run, and what the build script and the
benchmarks call, so the figures we publish come from the code users run.
"""

from __future__ import annotations

import json
import pathlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from tandem.understanding.abuse import DEFAULT_C as ABUSE_C
from tandem.understanding.abuse import SAFE_LABELS, AbuseModel, train_abuse
from tandem.understanding.act import DEFAULT_C as ACT_C
from tandem.understanding.act import ActModel, IntentReading, train_act
from tandem.understanding.emotion import DEFAULT_C as EMOTION_C
from tandem.understanding.emotion import EmotionModel, train_emotion
from tandem.understanding.intent import DEFAULT_C as INTENT_C
from tandem.understanding.intent import IntentModel, train_intent
from tandem.understanding.linear import Progress, TrainOptions, model_bytes
from tandem.understanding.normalize import normalize
from tandem.understanding.types import OOS

TASKS = ("intent", "emotion", "abuse", "act")
# Each task module owns its default C; the CLI, the build script and the benchmarks read it here.
DEFAULT_C = {"intent": INTENT_C, "emotion": EMOTION_C, "abuse": ABUSE_C, "act": ACT_C}
Model = IntentModel | EmotionModel | AbuseModel | ActModel
Vectors = npt.NDArray[np.float32]
Vector = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Example:
    text: str
    label: str


def _json_lines(path: pathlib.Path, what: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) of every non-blank line; `what` says what the file should hold."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: pass {what}.")
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n} is not valid JSON ({exc.msg}): fix that line.") from exc
        if not isinstance(obj, dict):
            raise ValueError(f"{path}:{n} is not a JSON object: each line holds one.")
        yield n, obj


def read_jsonl(path: pathlib.Path) -> list[Example]:
    """Rows with a `text` and a `label`; other fields are ignored."""
    rows: list[Example] = []
    for n, obj in _json_lines(path, "a JSONL file with `text` and `label`"):
        if "text" not in obj or "label" not in obj:
            hint = (
                " (a sentence-pair file? those are not for these tasks)" if "text_a" in obj else ""
            )
            raise ValueError(f"{path}:{n} needs `text` and `label` fields{hint}.")
        rows.append(Example(str(obj["text"]), str(obj["label"])))
    if not rows:
        raise ValueError(f"{path} has no examples.")
    return rows


def read_texts(path: pathlib.Path) -> list[str]:
    """The `text` of every row of a JSONL file (other fields, a label included, are ignored):
    borrowed out-of-scope text for `train_task(negatives=...)`."""
    texts: list[str] = []
    for n, obj in _json_lines(path, "a JSONL file with `text`"):
        if not str(obj.get("text", "")).strip():
            raise ValueError(f"{path}:{n} needs a non-empty `text` field.")
        texts.append(str(obj["text"]))
    if not texts:
        raise ValueError(f"{path} has no texts.")
    return texts


def _check_task(task: str) -> None:
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}: use one of {', '.join(TASKS)}.")


def train_task(
    task: str,
    train: Sequence[Example],
    dev: Sequence[Example] | None = None,
    c: float | None = None,
    balanced: bool = False,
    progress: Progress | None = None,
    min_df: int = 1,
    max_features: int = 400_000,
    vectors: Vectors | None = None,
    dev_vectors: Vectors | None = None,
    dense_scale: float | None = None,
    intent: tuple[IntentReading, Vectors] | None = None,
    negatives: Sequence[str] = (),
    negative_vectors: Vectors | None = None,
) -> Model:
    """Train one task. With `vectors` (the sentence embedding of each training text, and
    `dev_vectors` of each dev text) the model reads [n-grams ; embedding], the embedding
    scaled by `dense_scale` (default `TrainOptions.dense_scale`). `intent` (act only): the
    intent probabilities the act head reads too (`stacking.crossfit_intent_proba`).
    `negatives` (intent only): out-of-scope text borrowed from elsewhere (outlier exposure),
    trained on as `oos` but never held out (`negative_vectors`: their embeddings, when the
    model reads them)."""
    _check_task(task)
    texts = [normalize(e.text) for e in train]
    labels = [e.label for e in train]
    always_train = None
    if negatives:
        if task != "intent":
            raise ValueError("borrowed out-of-scope text (negatives) is for the intent task only.")
        if (vectors is None) != (negative_vectors is None):
            raise ValueError("pass the negatives' embeddings exactly when the examples' are given.")
        always_train = [False] * len(texts) + [True] * len(negatives)
        texts += [normalize(t) for t in negatives]
        labels += [OOS] * len(negatives)
        if vectors is not None and negative_vectors is not None:
            vectors = np.vstack([vectors, negative_vectors]).astype(np.float32)
    dev_pair = ([normalize(e.text) for e in dev], [e.label for e in dev]) if dev else None
    opts = TrainOptions(
        c=c if c is not None else DEFAULT_C[task],
        balanced=balanced,
        min_df=min_df,
        max_features=max_features,
    )
    if dense_scale is not None:
        opts = replace(opts, dense_scale=dense_scale)
    if task == "intent":
        return train_intent(
            texts, labels, opts, dev_pair, progress, vectors, dev_vectors, always_train
        )
    if task == "emotion":
        return train_emotion(texts, labels, opts, dev_pair, progress, vectors, dev_vectors)
    if task == "act":
        return train_act(texts, labels, opts, dev_pair, progress, vectors, dev_vectors, intent)
    return train_abuse(
        texts, labels, opts, dev_pair, progress, vectors=vectors, dev_vectors=dev_vectors
    )


def load_task_model(task: str, directory: pathlib.Path) -> Model:
    _check_task(task)
    if task == "intent":
        return IntentModel.load(directory)
    if task == "emotion":
        return EmotionModel.load(directory)
    if task == "act":
        return ActModel.load(directory)
    return AbuseModel.load(directory)


def _macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    labels = sorted(set(gold))
    f1s = []
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p != lab)
        denom = 2 * tp + fp + fn
        f1s.append(2 * tp / denom if denom else 0.0)
    return float(np.mean(f1s)) if f1s else 0.0


def _predictor(
    model: Model, gold_labels: set[str], vector_of: Callable[[str], Vector | None]
) -> Callable[[str], str]:
    if isinstance(model, IntentModel):
        return lambda text: model.predict(normalize(text), None, vector_of(text)).intent
    if isinstance(model, EmotionModel):
        return lambda text: model.predict(normalize(text), text, None, vector_of(text)).label
    if isinstance(model, ActModel):
        return lambda text: model.predict(normalize(text), None, vector_of(text)).act
    classes = model.classifier.classes
    safe = next((c for c in classes if c in SAFE_LABELS), "0")
    positives = [c for c in classes if c not in SAFE_LABELS]
    single_positive = positives[0] if len(positives) == 1 else None

    def predict_abuse(text: str) -> str:
        verdict = model.analyze(normalize(text), text, None, vector_of(text))
        if not verdict.is_abusive:
            return safe
        if single_positive is not None:
            return single_positive
        return (
            verdict.kinds[0] if verdict.kinds and verdict.kinds[0] in gold_labels else positives[0]
        )

    return predict_abuse


def evaluate_task(
    task: str,
    model_dir: pathlib.Path,
    test: Sequence[Example],
    vector_of: Callable[[str], Vector | None] | None = None,
) -> dict[str, object]:
    """Metrics of the model in `model_dir` on `test`, one message at a time (latency included:
    normalisation plus this task's model, plus `vector_of` (the encoder) for a model that
    reads the embedding)."""
    model = load_task_model(task, model_dir)
    if model.classifier.needs_vector and vector_of is None:
        raise ValueError(
            f"the model in {model_dir} reads the sentence embedding: run with the encoder"
        )
    vec_of: Callable[[str], Vector | None] = vector_of or (lambda _text: None)
    gold = [e.label for e in test]
    predict = _predictor(model, set(gold), vec_of)
    pred: list[str] = []
    latencies: list[float] = []
    for e in test:
        t0 = time.perf_counter()
        pred.append(predict(e.text))
        latencies.append((time.perf_counter() - t0) * 1000)
    n = len(test)
    result: dict[str, object] = {
        "task": task,
        "n": n,
        "accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / n, 4),
        "macro_f1": round(_macro_f1(gold, pred), 4),
    }
    if task == "intent":
        ins = [(g, p) for g, p in zip(gold, pred, strict=True) if g != OOS]
        oos_gold = sum(1 for g in gold if g == OOS)
        oos_pred = sum(1 for p in pred if p == OOS)
        oos_hit = sum(1 for g, p in zip(gold, pred, strict=True) if g == OOS and p == OOS)
        result["in_scope_accuracy"] = (
            round(sum(g == p for g, p in ins) / len(ins), 4) if ins else None
        )
        result["oos_recall"] = round(oos_hit / oos_gold, 4) if oos_gold else None
        result["oos_precision"] = round(oos_hit / oos_pred, 4) if oos_pred else None
        if isinstance(model, IntentModel) and ins:
            # Closed-set accuracy (the best in-scope label, ignoring the oos verdict): the
            # figure published for sets without out-of-scope examples, such as BANKING77.
            hits = sum(
                model.predict(normalize(e.text), None, vec_of(e.text)).top[0].label == e.label
                for e in test
                if e.label != OOS
            )
            result["top1_accuracy"] = round(hits / len(ins), 4)
    if isinstance(model, AbuseModel):
        # The classifier alone, without the lexicon, for comparison with published figures.
        clf_pred = []
        for e in test:
            p = model.probability(normalize(e.text), None, vec_of(e.text))
            clf_pred.append(
                ("1" if "1" in model.classifier.classes else "abusive")
                if p >= model.threshold
                else "0"
            )
        if set(gold) <= {"0", "1"}:
            result["classifier_accuracy"] = round(
                sum(g == p for g, p in zip(gold, clf_pred, strict=True)) / n, 4
            )
    arr = np.array(latencies)
    result["latency_ms_p50"] = round(float(np.percentile(arr, 50)), 3)
    result["latency_ms_p99"] = round(float(np.percentile(arr, 99)), 3)
    result["model_bytes"] = model_bytes(model_dir)
    return result


# --- the in-domain shopper set (id, text, lang, intent, act, faq) ----------------------------

SHOPPER_KEYS = ("id", "text", "lang", "intent", "act", "faq")


@dataclass(frozen=True)
class ShopperExample:
    id: str
    text: str
    lang: str
    intent: str
    act: str
    faq: str | None


def read_shopper(path: pathlib.Path) -> list[ShopperExample]:
    """Rows of an in-domain evaluation file (see tandem/evaluation/data/README.md)."""
    rows: list[ShopperExample] = []
    for n, obj in _json_lines(path, "an in-domain JSONL file"):
        missing = [k for k in SHOPPER_KEYS if k not in obj]
        if missing:
            raise ValueError(
                f"{path}:{n} lacks {', '.join(missing)} (needs {', '.join(SHOPPER_KEYS)})."
            )
        faq = obj["faq"]
        rows.append(
            ShopperExample(
                str(obj["id"]),
                str(obj["text"]),
                str(obj["lang"]),
                str(obj["intent"]),
                str(obj["act"]),
                None if faq is None else str(faq),
            )
        )
    if not rows:
        raise ValueError(f"{path} has no rows.")
    return rows


class _Analyzer(Protocol):
    def analyze(self, text: str) -> Any: ...


def evaluate_shopper(understanding: _Analyzer, rows: Sequence[ShopperExample]) -> dict[str, object]:
    """Intent (oos included) and dialogue-act accuracy of the whole understanding step."""
    per: dict[str, list[tuple[bool, bool]]] = {}
    latencies: list[float] = []
    for r in rows:
        t0 = time.perf_counter()
        a = understanding.analyze(r.text)
        latencies.append((time.perf_counter() - t0) * 1000)
        hit = (a.intent == r.intent, a.act == r.act)
        per.setdefault("all", []).append(hit)
        per.setdefault(r.lang, []).append(hit)
    result: dict[str, object] = {"n": len(rows)}
    for key, hits in per.items():
        suffix = "" if key == "all" else f"_{key}"
        result[f"intent_accuracy{suffix}"] = round(sum(h[0] for h in hits) / len(hits), 4)
        result[f"act_accuracy{suffix}"] = round(sum(h[1] for h in hits) / len(hits), 4)
    oos = [r for r in rows if r.intent == OOS]
    if oos:
        result["oos_recall"] = round(
            sum(understanding.analyze(r.text).intent == OOS for r in oos) / len(oos), 4
        )
    arr = np.array(latencies)
    result["latency_ms_p50"] = round(float(np.percentile(arr, 50)), 3)
    result["latency_ms_p99"] = round(float(np.percentile(arr, 99)), 3)
    return result
