"""Fit one domain's pair layer (dense.py `PairLayer`) on that domain's training pairs (offline).

    python -m tandem.knowledge.pair_train --domain banking --cache DIR [--cache DIR2] \
        --pairs OWN/pairs/bq_train.jsonl --pairs OWN/pairs/atec_train.jsonl [--vectors]

Adds (or replaces) `domain` in the shipped dense.json; the shop layer, the answer layer and
everything the product reads stay as they are. Each pair needs both texts' vectors in a
`--cache` (bench/kb_pair_data.py encodes them). The layer reads [logit(matcher probability),
z(cosine)] with the shop layer's cosine standardisation, and with `--vectors` also the
interaction terms [u * v, |u - v|], their weight next to the two base features chosen by
out-of-fold log loss (0 = cosine only). The threshold maximises, on out-of-fold
probabilities, the mean over source sets of accuracy (F1 for atec, whose positives are 22 %:
the measure it is reported on). Every source set weighs alike, however many pairs it brought.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from tandem.knowledge.dense import SHOP, DenseLayers, PairLayer, interaction_features, logit
from tandem.knowledge.lexicon import DEFAULT_DIR
from tandem.knowledge.matcher import default_matcher
from tandem.knowledge.text import prepare
from tandem.knowledge.train import Pair, read_pairs
from tandem.understanding.encoder import VectorStore, encoder_input
from tandem.understanding.normalize import normalize

# The interaction terms' weight next to the two base features (all standardised, C = 1): a
# smaller weight is a stronger penalty on the 768 vector weights alone; 0.0 = cosine only.
VECTOR_SCALES = (0.0, 0.01, 0.02, 0.03, 0.05, 0.1)
FOLDS = 5
THRESHOLDS = np.linspace(0.1, 0.9, 81)
SOURCES = ("atec", "bq", "lcqmc")


def source_of(spec: str) -> str:
    """The public set a pair file comes from, by name (bq_corpus/dev.jsonl, SUB/bq.jsonl and
    OWN/pairs/bq_train.jsonl are all `bq`); else the file's stem."""
    name = Path(spec.partition("#")[0]).as_posix().lower()
    return next((s for s in SOURCES if s in name), Path(name).stem)


def pair_score(prob: np.ndarray, y: np.ndarray, src: np.ndarray, t: float) -> float:
    """Mean over source sets of accuracy at threshold t (F1 for atec)."""
    scores = []
    for name in sorted(set(src.tolist())):
        idx = src == name
        pred, gold = prob[idx] >= t, y[idx] == 1
        if "atec" in name:
            tp = int((pred & gold).sum())
            denom = int(pred.sum() + gold.sum())
            scores.append(2 * tp / denom if denom else 0.0)
        else:
            scores.append(float((pred == gold).mean()))
    return float(np.mean(scores))


def _log_loss(prob: np.ndarray, y: np.ndarray, weight: np.ndarray) -> float:
    q = np.clip(prob, 1e-6, 1 - 1e-6)
    return float(-np.average(y * np.log(q) + (1 - y) * np.log(1 - q), weights=weight))


def _out_of_fold(x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Probabilities of every pair from a model fitted without its fold (fixed folds)."""
    fold = np.arange(len(y)) % FOLDS
    np.random.default_rng(0).shuffle(fold)
    out = np.zeros(len(y))
    for k in range(FOLDS):
        test = fold == k
        lr = LogisticRegression(C=1.0, max_iter=3000, random_state=0)
        lr.fit(x[~test], y[~test], sample_weight=weight[~test])
        out[test] = lr.predict_proba(x[test])[:, 1]
    return out


def fit_domain_layer(
    pairs: Sequence[Pair], store: VectorStore, layers: DenseLayers, *, vectors: bool
) -> tuple[PairLayer, dict[str, Any]]:
    """A pair layer on `pairs` (their `source` names the set), z(cos) as in `layers`."""
    usable = []
    for p in pairs:
        va = store.vectors.get(encoder_input(normalize(p.text_a)) or " ")
        vb = store.vectors.get(encoder_input(normalize(p.text_b)) or " ")
        if va is not None and vb is not None:
            usable.append((p, va, vb))
    if len(usable) < 50:
        raise SystemExit(f"only {len(usable)} pairs have stored vectors: bench/kb_pair_data.py")
    p_lex = default_matcher().score_pairs(
        [(prepare(p.text_a), prepare(p.text_b)) for p, _, _ in usable]
    )
    a_vec = np.vstack([va for _, va, _ in usable]).astype(np.float32)
    b_vec = np.vstack([vb for _, _, vb in usable]).astype(np.float32)
    cos = (a_vec * b_vec).sum(axis=1).astype(np.float64)
    y = np.array([p.label for p, _, _ in usable])
    src = np.array([p.source for p, _, _ in usable])
    base = np.column_stack([logit(p_lex), layers.z(cos)])
    x = np.hstack([base, interaction_features(a_vec, b_vec)]) if vectors else base
    mu, sd = x.mean(axis=0), x.std(axis=0)
    sd[sd == 0] = 1.0
    grid = VECTOR_SCALES if vectors else (0.0,)

    def scaled(weight: float) -> np.ndarray:
        out: np.ndarray = (x - mu) / sd
        out[:, 2:] *= weight
        return out

    names, counts = np.unique(src, return_counts=True)
    share = {
        n: len(y) / (len(names) * c) for n, c in zip(names.tolist(), counts.tolist(), strict=True)
    }
    weight = np.array([share[n] for n in src.tolist()])
    oof = {v: _out_of_fold(scaled(v), y, weight) for v in grid}
    loss = {v: _log_loss(o, y, weight) for v, o in oof.items()}
    best = min(grid, key=lambda v: loss[v])
    lr = LogisticRegression(C=1.0, max_iter=3000, random_state=0)
    lr.fit(scaled(best), y, sample_weight=weight)
    # Fold the standardisation into the weights: the shipped layer reads raw features.
    factor = np.ones(x.shape[1])
    factor[2:] = best
    w = lr.coef_[0] * factor / sd
    intercept = float(lr.intercept_[0] - (lr.coef_[0] * factor * mu / sd).sum())
    scores = [pair_score(oof[best], y, src, float(t)) for t in THRESHOLDS]
    k = int(np.argmax(scores))
    layer = PairLayer(
        weights=(float(w[0]), float(w[1]), intercept),
        threshold=round(float(THRESHOLDS[k]), 3),
        vector_weights=tuple(float(v) for v in w[2:]) if best else (),
    )
    stats: dict[str, Any] = {
        "pairs": len(usable),
        "by_source": {n: int(c) for n, c in zip(names.tolist(), counts.tolist(), strict=True)},
        "vector_scale": best,
        "oof_log_loss": {str(v): round(loss[v], 4) for v in grid},
        "oof_pair_score": round(scores[k], 4),
        "threshold": layer.threshold,
    }
    return layer, stats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--domain", required=True)
    ap.add_argument("--cache", type=Path, action="append", required=True)
    ap.add_argument("--pairs", action="append", required=True, help="PATH[#train]")
    ap.add_argument("--vectors", action="store_true", help="also read [u * v, |u - v|]")
    ap.add_argument("--out", type=Path, default=DEFAULT_DIR, help="where dense.json is")
    args = ap.parse_args()
    if args.domain == SHOP:
        raise SystemExit("the shop pair layer is fitted by tandem.knowledge.dense_train")
    layers = DenseLayers.load(args.out)
    if layers is None:
        raise SystemExit(f"no dense.json in {args.out}: fit the shop layers first (dense_train)")
    store = VectorStore(args.cache[0])
    for extra in args.cache[1:]:
        store.vectors.update(VectorStore(extra).vectors)
    pairs = [replace(p, source=source_of(spec)) for spec in args.pairs for p in read_pairs(spec)]
    layer, stats = fit_domain_layer(pairs, store, layers, vectors=args.vectors)
    print(json.dumps({"domain": args.domain, **stats}))
    layers.with_domain(args.domain, layer).save(args.out)


if __name__ == "__main__":
    main()
