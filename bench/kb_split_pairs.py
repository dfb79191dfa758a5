"""Write one half of a pair file (the cut `tandem.knowledge.train` uses) for `tandem kb eval --pairs`.

    python bench/kb_split_pairs.py --pairs /work/shared/data/lcqmc/dev.jsonl --part held \
        --out /tmp/lcqmc_held_pairs.jsonl

lcqmc and bq_corpus have only their dev sets here: the matcher trains on the `train` half
and figures are reported on the `held` half (connected components of texts, hashed).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tandem.knowledge.train import read_pairs


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--pairs", required=True, type=Path)
    ap.add_argument("--part", choices=["train", "held"], default="held")
    ap.add_argument("--out", required=True, type=Path)
    args = ap.parse_args()
    pairs = read_pairs(f"{args.pairs}#{args.part}")
    with args.out.open("w", encoding="utf-8") as fh:
        for p in pairs:
            row = {"text_a": p.text_a, "text_b": p.text_b, "label": p.label}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(json.dumps({"pairs": len(pairs)}))


if __name__ == "__main__":
    main()
