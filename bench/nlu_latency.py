"""Latency of the whole understanding step (normalise, intent + oos, emotion, abuse, entities),
one message at a time, as the engine calls it.

    python -m bench.nlu_latency --data FILE.jsonl [--data ...] [--limit 3000] [--model DIR]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import time

import numpy as np

from tandem.understanding import load_understanding


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=pathlib.Path, action="append", required=True)
    parser.add_argument("--limit", type=int, default=3000, help="messages per file")
    parser.add_argument("--model", type=pathlib.Path, default=None)
    args = parser.parse_args()
    texts: list[str] = []
    for path in args.data:
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh):
                if n >= args.limit:
                    break
                texts.append(str(json.loads(line)["text"]))
    t0 = time.perf_counter()
    understanding = load_understanding(args.model)
    load_s = time.perf_counter() - t0
    for text in texts[:50]:  # warm caches (opencc, rjieba dictionary) before timing
        understanding.analyze(text)
    lat = []
    for text in texts:
        t = time.perf_counter()
        understanding.analyze(text)
        lat.append((time.perf_counter() - t) * 1000)
    arr = np.array(lat)
    print(
        json.dumps(
            {
                "messages": len(texts),
                "mean_chars": round(float(np.mean([len(t) for t in texts])), 1),
                "load_seconds": round(load_s, 2),
                "latency_ms_p50": round(float(np.percentile(arr, 50)), 3),
                "latency_ms_p90": round(float(np.percentile(arr, 90)), 3),
                "latency_ms_p99": round(float(np.percentile(arr, 99)), 3),
                "latency_ms_max": round(float(arr.max()), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
