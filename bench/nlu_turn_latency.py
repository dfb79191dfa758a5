"""Understanding + retrieval of one message, as a turn runs them: `analyze(text)` (the encoder
once, every head) then `KnowledgeIndex.search(text, vector=analysis.vector)` over the demo FAQ.
Wall time per message (p50/p99), process CPU per message (all threads) and RSS, against the
lexical path (TANDEM_ENCODER=off equivalent) measured in the same run.

    python -m bench.nlu_turn_latency [--n 200]

Messages: the in-domain shopper test set, each seen once (a cold encoder cache).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import resource
import time

import numpy as np

from tandem.knowledge.evaluate import DEMO_FAQ, kb_entry, read_jsonl
from tandem.knowledge.index import KnowledgeIndex
from tandem.understanding import load_understanding
from tandem.understanding.encoder import Encoder, NullEncoder, load_encoder

DATA = pathlib.Path(__file__).parents[1] / "src/tandem/evaluation/data/shopper_test.jsonl"


def measure(encoder: Encoder, texts: list[str]) -> dict[str, float]:
    u = load_understanding(encoder=encoder)
    index = KnowledgeIndex(encoder=encoder)
    index.upsert_many(kb_entry(r) for r in read_jsonl(DEMO_FAQ))
    wall, cpu = [], []
    for t in texts:
        w0, c0 = time.perf_counter(), time.process_time()
        a = u.analyze(t)
        index.search(t, language=a.language, vector=a.vector)
        wall.append((time.perf_counter() - w0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    w = np.array(wall)
    return {
        "n": len(texts),
        "wall_ms_p50": round(float(np.percentile(w, 50)), 1),
        "wall_ms_p99": round(float(np.percentile(w, 99)), 1),
        "cpu_ms_mean": round(float(np.mean(cpu)), 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    args = ap.parse_args()
    texts = [json.loads(x)["text"] for x in DATA.read_text("utf-8").splitlines() if x][: args.n]
    out = {
        "lexical": measure(NullEncoder("baseline"), texts),
        "encoder": measure(load_encoder("e5"), texts),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
