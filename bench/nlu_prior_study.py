"""Macro-F1 of a multi-class head on a full public portion: the argmax against per-class
log-offsets fitted on the training hold-outs (one fit, both rules scored on the same
probabilities).

    python -m bench.nlu_prior_study --cache DIR [--set virus] [--c 0.3] [--scale 2]

The head is the shipped recipe (`train_classifier`: [n-grams ; scale x e5], balanced class
weights, temperature on three 15 % hold-outs of the training portion). The offsets are chosen
by coordinate ascent on those hold-outs' macro-F1 (never on dev), then added to the log
probabilities of dev. Cache only: nothing is encoded.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import time

import numpy as np
import numpy.typing as npt

from bench.nlu_public import _examples, _rows, _vectors
from tandem.understanding.encoder import NullEncoder, StoredEncoder, VectorStore
from tandem.understanding.features import extract
from tandem.understanding.linear import TrainOptions, softmax, train_classifier
from tandem.understanding.normalize import normalize

SETS = {
    "virus": ("smp2020_ewect/virus_train.jsonl", "smp2020_ewect/virus_dev.jsonl"),
}
GRID = np.linspace(-2.0, 2.0, 41)


def macro_f1(gold: npt.NDArray[np.int64], pred: npt.NDArray[np.int64], k: int) -> float:
    f1s = []
    for c in range(k):
        tp = int(((pred == c) & (gold == c)).sum())
        fp = int(((pred == c) & (gold != c)).sum())
        fn = int(((pred != c) & (gold == c)).sum())
        f1s.append(2 * tp / max(2 * tp + fp + fn, 1))
    return float(np.mean(f1s))


def fit_offsets(logp: npt.NDArray[np.float32], gold: npt.NDArray[np.int64]) -> np.ndarray:
    """Per-class additive offsets to the log probabilities maximising macro-F1 (3 sweeps)."""
    k = logp.shape[1]
    off = np.zeros(k)
    best = macro_f1(gold, (logp + off).argmax(axis=1), k)
    for _ in range(3):
        for c in range(k):
            for v in GRID:
                trial = off.copy()
                trial[c] = v
                f = macro_f1(gold, (logp + trial).argmax(axis=1), k)
                if f > best + 1e-9:
                    best, off = f, trial
    return off


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=pathlib.Path, required=True)
    ap.add_argument("--data", type=pathlib.Path, default=pathlib.Path("/work/shared/data"))
    ap.add_argument("--set", default="virus", choices=tuple(SETS))
    ap.add_argument("--c", type=float, default=0.3)
    ap.add_argument("--scale", type=float, default=2.0)
    args = ap.parse_args()
    store = VectorStore(args.cache)
    enc = StoredEncoder(store, NullEncoder("study: stored vectors only"))
    tr_rel, dev_rel = SETS[args.set]
    train = _examples(_rows(args.data / tr_rel))
    dev = _examples(_rows(args.data / dev_rel))
    tv, dv = _vectors(store, enc, train), _vectors(store, enc, dev)
    opts = TrainOptions(c=args.c, dense_scale=args.scale, balanced=True)
    t0, c0 = time.time(), time.process_time()
    clf, held_proba, held_gold = train_classifier(
        [normalize(e.text) for e in train], [e.label for e in train], opts, None, None, tv
    )
    fit = {"wall_s": round(time.time() - t0, 1), "cpu_s": round(time.process_time() - c0, 1)}
    index = {c: i for i, c in enumerate(clf.classes)}
    hg = np.array([index[g] for g in held_gold])
    dg = np.array([index[e.label] for e in dev])
    counts = [extract(normalize(e.text), clf.vectorizer.cfg) for e in dev]
    dev_proba = softmax(clf.scores_batch(counts, dv) * np.float32(clf.temperature))
    hl, dl = np.log(np.clip(held_proba, 1e-9, 1)), np.log(np.clip(dev_proba, 1e-9, 1))
    off = fit_offsets(hl, hg)
    k = len(clf.classes)
    out = {
        "set": args.set,
        "n_train": len(train),
        "n_dev": len(dev),
        "fit": fit,
        "classes": list(clf.classes),
        "offsets": [round(float(x), 2) for x in off],
        "held": {
            "argmax_macro_f1": round(macro_f1(hg, hl.argmax(axis=1), k), 4),
            "offsets_macro_f1": round(macro_f1(hg, (hl + off).argmax(axis=1), k), 4),
        },
        "dev": {
            "argmax_macro_f1": round(macro_f1(dg, dl.argmax(axis=1), k), 4),
            "argmax_accuracy": round(float((dl.argmax(axis=1) == dg).mean()), 4),
            "offsets_macro_f1": round(macro_f1(dg, (dl + off).argmax(axis=1), k), 4),
            "offsets_accuracy": round(float(((dl + off).argmax(axis=1) == dg).mean()), 4),
        },
    }
    print(json.dumps(out, indent=1), flush=True)


if __name__ == "__main__":
    main()
