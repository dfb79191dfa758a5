"""Evaluation of the shipped retrieval and matcher, exactly as the product runs them.

`evaluate_kb`: answer-or-abstain over a KB file and a query file. `evaluate_pairs`: the match
decision on labelled pairs. Both use the default matcher and its shipped thresholds unless
another matcher is handed in; neither tunes anything on the data it reports on.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tandem.knowledge.dense import SHOP, DenseLayers
from tandem.knowledge.index import IndexedEntry, KnowledgeIndex
from tandem.knowledge.matcher import Matcher, default_matcher
from tandem.knowledge.text import guess_language, prepare
from tandem.understanding.encoder import Encoder, shared_encoder
from tandem.understanding.normalize import normalize


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
    return rows


def kb_entry(row: dict[str, Any]) -> IndexedEntry:
    question = str(row["question"])
    return IndexedEntry(
        id=str(row["id"]),
        question=question,
        alternatives=tuple(str(a) for a in row.get("alternatives") or ()),
        answer=str(row.get("answer", "")),
        intent=row.get("intent"),
        language=str(row.get("language") or guess_language(question)),
        tags=tuple(row.get("tags") or ()),
    )


def _percentile(values: Sequence[float], q: float) -> float:
    return round(float(np.percentile(np.array(values), q)), 3) if values else 0.0


def evaluate_kb(
    kb: Sequence[dict[str, Any]],
    queries: Sequence[dict[str, Any]],
    matcher: Matcher | None = None,
    progress: Callable[[Iterable[Any]], Iterable[Any]] = lambda x: x,
    encoder: Encoder | None = None,
) -> dict[str, Any]:
    """`encoder`: None is the process-wide one (the product's)."""
    matcher = matcher or default_matcher()
    started = time.perf_counter()
    index = KnowledgeIndex(matcher, encoder=encoder)
    index.upsert_many(kb_entry(row) for row in kb)
    build_seconds = time.perf_counter() - started
    answered = correct_answered = 0
    answerable = hit1 = hit3 = covered = 0
    unanswerable = abstained = 0
    latencies: list[float] = []
    for q in progress(queries):
        expected = q.get("expected_id")
        t0 = time.perf_counter()
        result = index.search(str(q["text"]), language=q.get("language"))
        latencies.append((time.perf_counter() - t0) * 1000.0)
        ids = [m.entry_id for m in result.candidates]
        if result.answer is not None:
            answered += 1
            correct_answered += int(
                expected is not None and result.answer.entry_id == str(expected)
            )
        if expected is None:
            unanswerable += 1
            abstained += int(result.answer is None)
        else:
            answerable += 1
            hit1 += int(ids[:1] == [str(expected)])
            hit3 += int(str(expected) in ids[:3])
            covered += int(result.answer is not None)
    return {
        "n": len(queries),
        "answered_precision": round(correct_answered / answered, 4) if answered else 0.0,
        "hit_at_1": round(hit1 / answerable, 4) if answerable else 0.0,
        "hit_at_3": round(hit3 / answerable, 4) if answerable else 0.0,
        "abstain_recall": round(abstained / unanswerable, 4) if unanswerable else 0.0,
        "coverage": round(covered / answerable, 4) if answerable else 0.0,
        "latency_ms_p50": _percentile(latencies, 50),
        "latency_ms_p99": _percentile(latencies, 99),
        "index_build_seconds": round(build_seconds, 3),
    }


DEMO_FAQ = Path(__file__).parent / "data" / "demo_faq.jsonl"


def shopper_queries(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """In-domain rows (tandem/evaluation/data) as queries against the demo FAQ: `faq` is the
    expected entry (null: the index should abstain)."""
    return [
        {"text": r["text"], "expected_id": r.get("faq"), "language": r.get("lang")} for r in rows
    ]


def evaluate_pairs(
    pairs: Sequence[dict[str, Any]],
    matcher: Matcher | None = None,
    progress: Callable[[Iterable[Any]], Iterable[Any]] = lambda x: x,
    encoder: Encoder | None = None,
    domain: str = SHOP,
) -> dict[str, Any]:
    """The pair decision on labelled pairs. `domain`: whose pair layer judges (dense.py; the
    product's is the shop one); without the encoder only the lexical matcher's (shop)."""
    matcher = matcher or default_matcher()
    probs: list[float] = []
    batch = 512
    encoder = encoder or shared_encoder()
    dense = DenseLayers.load() if encoder.available else None
    if dense is not None:
        dense.pair_layer(domain)  # an unknown domain fails before any pair is encoded
    elif domain != SHOP:
        raise ValueError(f"domain {domain!r} needs the sentence encoder")
    for start in progress(range(0, len(pairs), batch)):
        chunk = pairs[start : start + batch]
        p = matcher.score_pairs(
            [(prepare(str(r["text_a"])), prepare(str(r["text_b"]))) for r in chunk]
        )
        if dense is not None:
            va = encoder.encode_batch([normalize(str(r["text_a"])) for r in chunk])
            vb = encoder.encode_batch([normalize(str(r["text_b"])) for r in chunk])
            assert va is not None and vb is not None
            cos = (va * vb).sum(axis=1).astype(np.float64)
            p = dense.pair_probability(p, cos, domain=domain, a_vectors=va, b_vectors=vb)
        probs.extend(p.tolist())
    threshold = dense.pair_layer(domain).threshold if dense is not None else matcher.pair_threshold
    y = np.array([int(r["label"]) for r in pairs], dtype=np.int64)
    pred = np.array(probs) >= threshold
    tp = int((pred & (y == 1)).sum())
    fp = int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    return {
        "n": len(pairs),
        "accuracy": round(float((pred == (y == 1)).mean()), 4) if len(pairs) else 0.0,
        "f1": round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0,
        "threshold": threshold,
        "domain": domain,
    }
