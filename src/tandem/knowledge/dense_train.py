"""Fit the encoder layers of retrieval (dense.py) on training data only (by us, offline).

    python -m tandem.knowledge.dense_train --cache /work/cache/nlu/emb \
        --pairs lcqmc/dev.jsonl#train --pairs atec/train.jsonl --pairs bq_corpus/dev.jsonl#train \
        --kb KB.jsonl=QUERIES.jsonl --shopper src/tandem/evaluation/data/shopper_dev.jsonl
    python -m tandem.knowledge.dense_train --answer-only [--key-terms] [--out DIR] --cache DIR --kb ... --shopper ...

(`KB.jsonl=QUERIES.jsonl`: written by `bench/kb_build_lcqmc.py --part train`; the texts the
cache lacks are encoded once and added to it. `--answer-only` keeps the shipped pair layer.)

* pair layer: logistic regression over [logit(matcher probability), z(encoder cosine)] on the
  labelled pairs whose two texts have stored vectors (`--cache`, see bench/nlu_embed.py);
  its threshold maximises the mean of per-source accuracy (F1 for atec);
* answer layer: logistic regression over the index's answer features plus the dense ones, on
  every candidate of every training query: queries from an LCQMC-built knowledge base (the
  training half) and the in-domain **dev** set against the demo FAQ (never the test set). The
  answer threshold is the lowest at which answered precision on those queries reaches
  ANSWER_PRECISION and the share of their unanswerable ones abstained on ABSTAIN_RECALL.
  `--entry-vectors`: the layer also reads each entry's phrasing centroid and answer vectors.

Also writes the demo FAQ's phrasing (and answer) vectors into the package (`data/vectors/`), so a server
starts without encoding them.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from sklearn.linear_model import LogisticRegression

from tandem.knowledge.dense import (
    DENSE_ANSWER_FEATURES,
    KEY_TERM_FEATURES,
    SHIPPED_VECTORS,
    DenseLayers,
)
from tandem.knowledge.evaluate import kb_entry, read_jsonl
from tandem.knowledge.index import ANSWER_FEATURES, KnowledgeIndex
from tandem.knowledge.lexicon import DEFAULT_DIR
from tandem.knowledge.matcher import default_matcher
from tandem.knowledge.pair_train import pair_score
from tandem.knowledge.text import prepare
from tandem.knowledge.train import Pair, read_pairs
from tandem.understanding.encoder import VectorStore, encoder_input, load_encoder
from tandem.understanding.normalize import normalize

# A wrong answer (答非所问) costs more than an abstention, which still offers the likely topics.
ANSWER_PRECISION = 0.95
# ... and it must not buy coverage with wrong answers to questions the base cannot answer: a
# layer whose features rank better also lifts unanswerable queries' best candidates (the
# sixth pass answered a shipping question from the urge entry once the shipping entries were
# gone). The shipped layer of the fifth pass abstains on 0.966 of its training ones.
ABSTAIN_RECALL = 0.95
UNANSWERABLE_WEIGHT = 4.0
DEMO_FAQ = Path(__file__).parent / "data" / "demo_faq.jsonl"


def _advance(bar: Progress, job: TaskID, done: int, total: int) -> None:
    bar.update(job, completed=done, total=total)


# Until fit_answer_layer: one weight per answer feature + intercept.
_ANSWER_PLACEHOLDER = (0.0,) * (
    len(ANSWER_FEATURES) + len(DENSE_ANSWER_FEATURES) + len(KEY_TERM_FEATURES) + 1
)


def _vec(store: VectorStore, text: str) -> np.ndarray | None:
    return store.vectors.get(encoder_input(normalize(text)) or " ")


def fit_pair_layer(
    pairs: Sequence[Pair], store: VectorStore
) -> tuple[DenseLayers, dict[str, float]]:
    usable = [
        (p, va, vb)
        for p in pairs
        if (va := _vec(store, p.text_a)) is not None and (vb := _vec(store, p.text_b)) is not None
    ]
    if len(usable) < 50:
        raise SystemExit(f"only {len(usable)} pairs have stored vectors: run bench/nlu_embed.py")
    matcher = default_matcher()
    p_lex = matcher.score_pairs([(prepare(p.text_a), prepare(p.text_b)) for p, _, _ in usable])
    cos = np.array([float(va @ vb) for _, va, vb in usable])
    y = np.array([p.label for p, _, _ in usable])
    mean, scale = float(cos.mean()), float(cos.std() or 1.0)
    q = np.clip(p_lex, 1e-6, 1 - 1e-6)
    x = np.column_stack([np.log(q / (1 - q)), (cos - mean) / scale])
    lr = LogisticRegression(C=1.0, random_state=0).fit(x, y)
    prob = lr.predict_proba(x)[:, 1]
    src = np.array([p.source for p, _, _ in usable])
    best_t, best_score = 0.5, -1.0
    for t in np.linspace(0.1, 0.9, 81):
        score = pair_score(prob, y, src, float(t))
        if score > best_score:
            best_t, best_score = float(t), score
    layers = DenseLayers(
        cos_mean=mean,
        cos_scale=scale,
        pair_weights=(float(lr.coef_[0][0]), float(lr.coef_[0][1]), float(lr.intercept_[0])),
        pair_threshold=round(best_t, 3),
        answer_weights=_ANSWER_PLACEHOLDER,
        answer_threshold=0.5,
        key_terms=True,
    )
    return layers, {"pairs": len(usable), "pair_score": round(best_score, 4)}


def _queries_from_shopper(path: Path) -> list[dict[str, Any]]:
    rows = read_jsonl(path)
    return [{"text": r["text"], "expected_id": r["faq"], "language": r["lang"]} for r in rows]


def fit_answer_layer(
    layers: DenseLayers,
    problems: Sequence[tuple[list[dict[str, Any]], list[dict[str, Any]]]],
    store: VectorStore,
) -> tuple[DenseLayers, dict[str, float]]:
    """`problems`: (knowledge base rows, queries with `expected_id` or None)."""
    encoder = load_encoder()
    xs: list[tuple[float, ...]] = []
    ys: list[int] = []
    weights: list[float] = []
    per_query: list[tuple[list[tuple[float, ...]], list[str], str | None]] = []
    for kb, queries in problems:
        index = KnowledgeIndex(encoder=encoder, vectors=store, dense=layers)
        index.upsert_many(kb_entry(r) for r in kb)
        for q in queries:
            vector = _vec(store, str(q["text"]))
            judged = index.judge(str(q["text"]), language=q.get("language"), vector=vector)
            expected = q.get("expected_id")
            feats = [j.features for j in judged]
            ids = [j.entry_id for j in judged]
            per_query.append((feats, ids, None if expected is None else str(expected)))
            for rank, (f, e) in enumerate(zip(feats, ids, strict=True)):
                xs.append(f)
                ys.append(int(e == expected))
                # The best candidate of a question the base cannot answer is the costly
                # mistake (a confident wrong answer): it is a small share of the rows, so it
                # counts UNANSWERABLE_WEIGHT times, or the layer learns that being first is
                # enough.
                weights.append(UNANSWERABLE_WEIGHT if expected is None and rank == 0 else 1.0)
    lr = LogisticRegression(C=1.0, max_iter=2000, random_state=0).fit(
        np.array(xs), np.array(ys), sample_weight=np.array(weights)
    )
    w = tuple(float(v) for v in lr.coef_[0]) + (float(lr.intercept_[0]),)
    fitted = replace(layers, answer_weights=w, answer_threshold=0.5)
    # Threshold: the lowest with answered precision >= ANSWER_PRECISION on these queries.
    best: list[tuple[float, str, str | None]] = []
    for feats, ids, expected in per_query:
        if not feats:
            best.append((0.0, "", expected))
            continue
        conf = fitted.answer_confidence(np.array(feats))
        k = int(np.argmax(conf))
        best.append((float(conf[k]), ids[k], expected))
    unanswerable = [c for c, _, e in best if e is None]

    def abstain_recall(t: float) -> float:
        return sum(c < t for c in unanswerable) / max(len(unanswerable), 1)

    threshold = 0.95
    for t in np.linspace(0.2, 0.95, 76):
        answered = [(i, e) for c, i, e in best if c >= t]
        if (
            answered
            and sum(i == e for i, e in answered) / len(answered) >= ANSWER_PRECISION
            and abstain_recall(float(t)) >= ABSTAIN_RECALL
        ):
            threshold = float(t)
            break
    answerable = [b for b in best if b[2] is not None]
    stats = {
        "queries": len(best),
        "answer_threshold": round(threshold, 3),
        "train_coverage": round(
            sum(c >= threshold for c, _, _ in answerable) / max(len(answerable), 1), 4
        ),
        "train_abstain_recall": round(abstain_recall(threshold), 4),
    }
    return replace(fitted, answer_threshold=round(threshold, 3)), stats


def _entry_texts(row: dict[str, Any], answers: bool) -> list[str]:
    """The texts of a knowledge-base row the index encodes (its answer too with `answers`)."""
    texts = [str(row["question"]), *[str(a) for a in row.get("alternatives") or []]]
    return [*texts, str(row.get("answer", ""))] if answers else texts


def ship_demo_vectors(store: VectorStore, *, answers: bool) -> int:
    """Write the demo FAQ's phrasing (and with `answers` answer) vectors into the package:
    what a server starts with."""
    encoder = load_encoder()
    texts = [t for row in read_jsonl(DEMO_FAQ) for t in _entry_texts(row, answers)]
    keys = sorted({encoder_input(normalize(t)) or " " for t in texts})
    vectors = store.embed(keys, encoder)
    if vectors is None:
        raise SystemExit("the encoder is needed to ship the demo vectors")
    SHIPPED_VECTORS.mkdir(parents=True, exist_ok=True)
    (SHIPPED_VECTORS / "demo_faq.texts.json").write_text(
        json.dumps(keys, ensure_ascii=False), "utf-8"
    )
    np.save(SHIPPED_VECTORS / "demo_faq.npy", vectors.astype(np.float16))
    return len(keys)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, action="append", required=True)
    ap.add_argument("--pairs", action="append", default=[])
    ap.add_argument("--kb", action="append", default=[], help="KB.jsonl=QUERIES.jsonl")
    ap.add_argument("--shopper", type=Path, action="append", default=[])
    ap.add_argument(
        "--answer-only",
        action="store_true",
        help="keep the shipped pair layer, refit only the answer layer (no --pairs needed)",
    )
    ap.add_argument(
        "--key-terms",
        action="store_true",
        help="the answer layer also reads KEY_TERM_FEATURES (measured, not shipped: see "
        "docs/benchmarks.md)",
    )
    ap.add_argument(
        "--entry-vectors",
        action="store_true",
        help="the answer layer also reads ENTRY_VECTOR_FEATURES (phrasing centroid, answer)",
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_DIR, help="where dense.json goes")
    args = ap.parse_args()
    # The first --cache also receives what is encoded here; the others are read only.
    store = VectorStore(args.cache[0])
    for extra in args.cache[1:]:
        store.vectors.update(
            {k: v for k, v in VectorStore(extra).vectors.items() if k not in store.vectors}
        )
    # The demo FAQ's shipped vectors (a vector is a function of its text): not encoded again.
    store.vectors.update(
        {k: v for k, v in VectorStore(SHIPPED_VECTORS).vectors.items() if k not in store.vectors}
    )
    if args.answer_only:
        shipped = DenseLayers.load(DEFAULT_DIR)
        if shipped is None:
            raise SystemExit("--answer-only needs a shipped dense.json: fit the pair layer first")
        layers = shipped
    else:
        pairs = [p for spec in args.pairs for p in read_pairs(spec)]
        layers, pair_stats = fit_pair_layer(pairs, store)
        print(json.dumps(pair_stats))
    problems: list[tuple[list[dict[str, Any]], list[dict[str, Any]]]] = []
    encoder = load_encoder()
    for spec in args.kb:
        kb_path, _, q_path = spec.partition("=")
        kb, queries = read_jsonl(Path(kb_path)), read_jsonl(Path(q_path))
        # Encode (once: kept in --cache) the texts the store lacks, with a progress line.
        texts = [str(q["text"]) for q in queries]
        texts += [str(t) for r in kb for t in _entry_texts(r, args.entry_vectors)]
        with Progress(
            TextColumn("encoding {task.description}"), BarColumn(), MofNCompleteColumn()
        ) as bar:
            job = bar.add_task(Path(q_path).name, total=None)
            store.embed(
                [normalize(t) for t in texts],
                encoder,
                partial(_advance, bar, job),
                save_as="dense_train",
            )
        problems.append((kb, queries))
    demo_kb = read_jsonl(DEMO_FAQ)
    for path in args.shopper:
        problems.append((demo_kb, _queries_from_shopper(path)))
    layers = replace(layers, key_terms=args.key_terms, entry_vectors=args.entry_vectors)
    width = len(ANSWER_FEATURES) + len(layers.answer_extras()) + 1
    layers = replace(layers, answer_weights=(0.0,) * width)
    layers, answer_stats = fit_answer_layer(layers, problems, store)
    print(json.dumps(answer_stats))
    args.out.mkdir(parents=True, exist_ok=True)
    layers.save(args.out)
    shipped_texts = ship_demo_vectors(store, answers=layers.entry_vectors)
    print(f"shipped {shipped_texts} demo FAQ phrasing vectors")


if __name__ == "__main__":
    main()
