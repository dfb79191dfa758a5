"""How retrieval scales: index build, query latency and memory at 1k / 10k / 100k entries,
and the database import of the largest knowledge base through `tandem kb import`'s code path.

    python bench/kb_scale.py --data /work/shared/data --sizes 1000,10000,100000 --queries 500

Entries are real questions (lcqmc, bq_corpus, atec; clinc150 and banking77 in English to reach
100k distinct ones), in a fixed shuffled order. Queries are paraphrases of entries in the KB
(from pairs labelled 1) mixed with questions outside it, so the matcher does its full work.
Memory is the process's resident set size after building each index (one index at a time).
Latency is given as wall time and as the searching thread's CPU time: on a shared machine the
first includes waiting for a core, the second is what the query itself costs.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import tempfile
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import track

from tandem.config import Settings
from tandem.db.migrate import upgrade
from tandem.db.session import build_engine, build_sessionmaker, transaction
from tandem.knowledge import service
from tandem.knowledge.index import IndexedEntry, KnowledgeIndex
from tandem.knowledge.matcher import default_matcher

console = Console(stderr=True)


def rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 1e6


def load_texts(data: Path) -> tuple[list[str], dict[str, str]]:
    texts: dict[str, None] = {}
    paraphrase: dict[str, str] = {}
    for name in ("lcqmc/dev.jsonl", "bq_corpus/dev.jsonl", "atec/train.jsonl", "atec/dev.jsonl"):
        for line in (data / name).read_text("utf-8").splitlines():
            row = json.loads(line)
            texts[row["text_a"]] = None
            texts[row["text_b"]] = None
            if row["label"] == 1:
                paraphrase.setdefault(row["text_a"], row["text_b"])
    for name in ("clinc150/train.jsonl", "banking77/train.jsonl"):
        for line in (data / name).read_text("utf-8").splitlines():
            texts[json.loads(line)["text"]] = None
    ordered = sorted(texts)
    random.Random(42).shuffle(ordered)
    return ordered, paraphrase


def entries(texts: list[str]) -> list[IndexedEntry]:
    return [
        IndexedEntry(f"e{i}", t, (), f"[answer {i}]", None, "zh" if not t.isascii() else "en")
        for i, t in enumerate(texts)
    ]


def bench_index(texts: list[str], paraphrase: dict[str, str], n_queries: int) -> dict[str, float]:
    gc.collect()
    before = rss_mb()
    kb = entries(texts)
    index = KnowledgeIndex(default_matcher())
    t0 = time.perf_counter()
    for entry in track(kb, description=f"indexing {len(kb):,}", console=console):
        index.upsert(entry)
    build = time.perf_counter() - t0
    after = rss_mb()
    rng = random.Random(7)
    inside = [paraphrase[t] for t in texts if t in paraphrase]
    rng.shuffle(inside)
    in_kb = set(texts)
    outside = [t for t in paraphrase.values() if t not in in_kb][: n_queries // 2]
    queries = inside[: n_queries - len(outside)] + outside
    for q in queries[:20]:  # warm caches (segmenter, postings arrays)
        index.search(q)
    latencies, cpu = [], []
    for q in queries:
        t, c = time.perf_counter(), time.thread_time()
        index.search(q)
        latencies.append((time.perf_counter() - t) * 1000)
        cpu.append((time.thread_time() - c) * 1000)
    # An update right after a query: the index must stay fast while entries change.
    t = time.perf_counter()
    index.upsert(IndexedEntry("e0", "新写的问题：羊绒大衣可以改衣长吗", (), "可以", None, "zh"))
    update_ms = (time.perf_counter() - t) * 1000
    return {
        "entries": len(kb),
        "build_seconds": round(build, 2),
        "query_ms_p50": round(float(np.percentile(latencies, 50)), 2),
        "query_ms_p99": round(float(np.percentile(latencies, 99)), 2),
        # CPU time of the searching thread: the query's own cost, whatever else the machine
        # runs (wall time above includes waiting for a core on a shared machine).
        "query_cpu_ms_p50": round(float(np.percentile(cpu, 50)), 2),
        "query_cpu_ms_p99": round(float(np.percentile(cpu, 99)), 2),
        "update_ms": round(update_ms, 2),
        "rss_mb": round(after, 1),
        "index_mb": round(after - before, 1),
        "queries": len(queries),
    }


async def bench_import(texts: list[str]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kb.jsonl"
        lines = [
            json.dumps(
                {"id": f"e{i}", "question": t, "answer": f"[answer {i}]"}, ensure_ascii=False
            )
            for i, t in enumerate(texts)
        ]
        path.write_text("\n".join(lines) + "\n", "utf-8")
        settings = Settings(data_dir=Path(tmp))
        engine = build_engine(settings)
        await upgrade(settings, engine)
        t0 = time.perf_counter()
        async with transaction(build_sessionmaker(engine)) as session:
            report = await service.import_entries(
                session,
                None,
                path.read_bytes(),
                "jsonl",
                actor="bench",
                progress=lambda rows: track(rows, description="importing", console=console),
            )
        seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        async with build_sessionmaker(engine)() as session:
            index = await service.load_index(session)
        load = time.perf_counter() - t0
        await engine.dispose()
    return {
        "entries": report.created,
        "import_seconds": round(seconds, 1),
        "load_index_seconds": round(load, 1),
        "indexed": len(index),
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--data", type=Path, required=True, help="folder with lcqmc/, bq_corpus/, atec/ ..."
    )
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--skip-import", action="store_true")
    args = ap.parse_args()
    texts, paraphrase = load_texts(args.data)
    sizes = [int(s) for s in args.sizes.split(",")]
    if max(sizes) > len(texts):
        raise SystemExit(f"only {len(texts)} distinct questions available; lower --sizes")
    default_matcher()
    results: dict[str, object] = {
        "model_rss_mb": round(rss_mb(), 1),
        "load_average_at_start": Path("/proc/loadavg").read_text().split()[0],
    }
    for size in sizes:
        results[f"index_{size}"] = bench_index(texts[:size], paraphrase, args.queries)
        console.print(results[f"index_{size}"])
    if not args.skip_import:
        results["import"] = asyncio.run(bench_import(texts[: max(sizes)]))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
