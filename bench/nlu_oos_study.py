"""The out-of-scope reading on a full public portion, judged once per trained head: one fit
(the final model and its three 15 % training hold-outs, as `tandem nlu train` does), then
every decision rule scored on the SAME held-out probabilities and dev probabilities, so the
rules differ only in the rule.

    python -m bench.nlu_oos_study --cache DIR [--set clinc150|banking77] [--c 0.5] [--scale 2]
        [--negatives FILE]      (borrowed oos text, bench.nlu_negatives: outlier exposure)

Rules (all `choose_floors`): the confidence floor alone (margin 0), confidence + margin (the
fifth pass), and both plus the embedding's cosine to the nearest in-scope class centroid
(`held_out_cosines`: centroids of each hold-out's own training part), as `train_intent` does.
Also each signal alone next to the oos class, nearest training text's cosine included. Floors are
always chosen on the training hold-outs; dev is only scored. Cache only: nothing is encoded.
With `--negatives`, the borrowed rows are trained on as `oos` in every fit and never held out
(`train_task(negatives=...)`), so the held-out figures printed with each rule (the criterion
for how much to borrow) speak of the set's own examples only.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import time
from typing import Any

import numpy as np
import numpy.typing as npt

from bench.nlu_bench import split_banking
from bench.nlu_public import _examples, _rows, _vectors
from tandem.understanding.encoder import NullEncoder, StoredEncoder, VectorStore, encoder_input
from tandem.understanding.features import extract
from tandem.understanding.intent import (
    IN_SCOPE_WEIGHT,
    IntentModel,
    choose_floors,
    class_centroids,
    held_out_cosines,
)
from tandem.understanding.linear import TrainOptions, holdout_splits, softmax, train_classifier
from tandem.understanding.normalize import normalize
from tandem.understanding.training import Example, read_texts
from tandem.understanding.types import OOS

F32 = npt.NDArray[np.float32]


def score(
    pred_oos: npt.NDArray[Any], right: npt.NDArray[Any], is_oos: npt.NDArray[Any]
) -> dict[str, float]:
    ins = (~pred_oos & right & ~is_oos).sum() / max(int((~is_oos).sum()), 1)
    rec = (pred_oos & is_oos).sum() / max(int(is_oos.sum()), 1)
    return {"in_scope": round(float(ins), 4), "oos_recall": round(float(rec), 4)}


def signals(model: IntentModel, proba: F32, gold: list[str]) -> dict[str, npt.NDArray[Any]]:
    res = [model.decide(p) for p in proba]
    return {
        "conf": np.array([r.top[0].confidence for r in res]),
        "gap": np.array([r.top[0].confidence - r.top[1].confidence for r in res]),
        "won": np.array([r.out_of_scope for r in res]),
        "oos": np.array([g == OOS for g in gold]),
        "right": np.array([r.top[0].label == g for r, g in zip(res, gold, strict=True)]),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=pathlib.Path, required=True)
    ap.add_argument("--data", type=pathlib.Path, default=pathlib.Path("/work/shared/data"))
    ap.add_argument("--set", default="clinc150", choices=("clinc150", "banking77"))
    ap.add_argument("--c", type=float, default=0.5)
    ap.add_argument("--scale", type=float, default=2.0)
    ap.add_argument("--out", type=pathlib.Path, default=None)
    ap.add_argument("--partial", action="store_true", help="train on the encoded rows only")
    ap.add_argument("--negatives", type=pathlib.Path, default=None, help="borrowed oos JSONL")
    args = ap.parse_args()
    store = VectorStore(args.cache)
    enc = StoredEncoder(store, NullEncoder("study: stored vectors only"))
    if args.set == "clinc150":
        train = _examples(_rows(args.data / "clinc150/train.jsonl"))
        dev = _examples(_rows(args.data / "clinc150/dev.jsonl"))
    else:
        rows: list[Example] = _examples(_rows(args.data / "banking77/train.jsonl"))
        train, dev = split_banking(rows)
    if args.partial:
        # A training portion encoded only in part (bench.nlu_embed's shuffled order leaves a
        # random sample): train on the encoded rows; dev must be complete.
        train = [
            e
            for e in train
            if store.vectors.get(encoder_input(normalize(e.text)) or " ") is not None
        ]
        print(f"training on the {len(train)} encoded rows", flush=True)
    borrowed = [Example(t, OOS) for t in read_texts(args.negatives)] if args.negatives else []
    fixed = [False] * len(train) + [True] * len(borrowed)
    train = train + borrowed
    tv, dv = _vectors(store, enc, train), _vectors(store, enc, dev)
    texts = [normalize(e.text) for e in train]
    labels = [e.label for e in train]
    opts = TrainOptions(c=args.c, dense_scale=args.scale)
    t0, c0 = time.time(), time.process_time()
    clf, held_proba, held_gold = train_classifier(texts, labels, opts, None, None, tv, None, fixed)
    fit = {"wall_s": round(time.time() - t0, 1), "cpu_s": round(time.process_time() - c0, 1)}
    model = IntentModel(clf, threshold=0.0)
    dev_counts = [extract(normalize(e.text), clf.vectorizer.cfg) for e in dev]
    dev_proba = softmax(clf.scores_batch(dev_counts, dv) * np.float32(clf.temperature))
    dev_gold = [e.label for e in dev]
    held, dvs = signals(model, held_proba, held_gold), signals(model, dev_proba, dev_gold)

    # Cosine to the nearest in-scope centroid, as train_intent computes it: on the hold-outs
    # centroids of each round's training part; on dev, of all train.
    ins_classes = model.labels
    held["cos"] = held_out_cosines(tv, labels, ins_classes, fixed)
    dvs["cos"] = (dv @ class_centroids(tv, labels, ins_classes).T).max(axis=1)
    # ... and to the nearest in-scope training text (the same held-out discipline).
    lab = np.array(labels)
    held_nn = []
    splits = holdout_splits(labels, fixed)
    for r in range(len(splits)):
        tr, ho = splits[r]
        ins = np.array([i for i in tr if lab[i] != OOS])
        held_nn.append((tv[ho] @ tv[ins].T).max(axis=1))
    held["nn"] = np.concatenate(held_nn)
    dvs["nn"] = (dv @ tv[lab != OOS].T).max(axis=1)

    out: dict[str, object] = {"set": args.set, "c": args.c, "scale": args.scale, "fit": fit}
    out["negatives"] = {"file": str(args.negatives), "n": len(borrowed)}
    out["dev_top1"] = round(float(dvs["right"][~dvs["oos"]].mean()), 4)
    rules: tuple[tuple[str, dict[str, Any]], ...] = (
        ("confidence floor only (margin 0)", {"margins": (0.0,)}),
        ("confidence + margin (fifth pass)", {}),
        ("confidence + margin + centroid cosine (this pass)", {"held_cosines": held["cos"]}),
    )
    for name, kw in rules:
        f = choose_floors(model, held_proba, held_gold, **kw)
        # Scored with the product's own decision (IntentModel.decide), floors set as chosen.
        judge = IntentModel(clf, f.threshold, f.margin, None, f.cos_floor)
        pred = np.array(
            [
                judge.decide(p, float(c)).out_of_scope
                for p, c in zip(dev_proba, dvs["cos"], strict=True)
            ]
        )
        floors = {"floor": f.threshold, "margin": f.margin, "cos_floor": round(f.cos_floor, 4)}
        held_pred = np.array(
            [
                judge.decide(p, float(c)).out_of_scope
                for p, c in zip(held_proba, held["cos"], strict=True)
            ]
        )
        on_held = score(held_pred, held["right"], held["oos"])
        weighted = (
            IN_SCOPE_WEIGHT * on_held["in_scope"] + (1 - IN_SCOPE_WEIGHT) * on_held["oos_recall"]
        )
        out[name] = (
            floors
            | score(pred, dvs["right"], dvs["oos"])
            | {f"held_{k}": v for k, v in on_held.items()}
            | {"held_weighted": round(weighted, 4)}
        )
    # Each signal alone next to the oos class, on dev at a few in-scope-kept quantiles of
    # the hold-out (how strong a reading it is, whatever floor is chosen).
    for sig in ("conf", "gap", "cos", "nn"):
        for q in (2, 5, 10):
            cut = float(np.percentile(held[sig][~held["oos"]], q))
            pred = dvs["won"] | (dvs[sig] < cut)
            out[f"dev: oos class or {sig} < held p{q}"] = score(pred, dvs["right"], dvs["oos"])
    out["dev: oos class alone"] = score(dvs["won"], dvs["right"], dvs["oos"])
    print(json.dumps(out, indent=1), flush=True)
    if args.out is not None:
        args.out.write_text(json.dumps(out, indent=1), "utf-8")


if __name__ == "__main__":
    main()
