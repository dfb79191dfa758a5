"""Understanding benchmarks on public data: train on each set's training portion, report on
its dev portion, through the same code as `tandem nlu train` / `tandem nlu eval`.

    python -m bench.nlu_bench --data /work/shared/data [--only clinc150,banking77] [--json]

BANKING77 ships only a training file here: a stratified 10 % of it (seed 13) is held out as
dev and never trained on.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import tempfile
import time

from tandem.understanding.linear import stratified_split
from tandem.understanding.training import Example, evaluate_task, read_jsonl, train_task

# name -> (task, train file, dev file or None, train options)
SETS: dict[str, tuple[str, str, str | None, dict[str, object]]] = {
    "clinc150": ("intent", "clinc150/train.jsonl", "clinc150/dev.jsonl", {}),
    "banking77": ("intent", "banking77/train.jsonl", None, {}),
    "cold": ("abuse", "cold/train.jsonl", "cold/dev.jsonl", {"min_df": 2}),
    "smp2020_virus": (
        "emotion",
        "smp2020_ewect/virus_train.jsonl",
        "smp2020_ewect/virus_dev.jsonl",
        {"balanced": True},
    ),
    "online_shopping_10_cats": (
        "emotion",
        "online_shopping_10_cats/train.jsonl",
        "online_shopping_10_cats/dev.jsonl",
        {"min_df": 2},
    ),
}


def split_banking(rows: list[Example]) -> tuple[list[Example], list[Example]]:
    train_idx, dev_idx = stratified_split([r.label for r in rows], 0.10, seed=13)
    return [rows[i] for i in train_idx], [rows[i] for i in dev_idx]


def run(name: str, root: pathlib.Path) -> dict[str, object]:
    task, train_file, dev_file, opts = SETS[name]
    rows = read_jsonl(root / train_file)
    if dev_file is None:
        train, dev = split_banking(rows)
    else:
        train, dev = rows, read_jsonl(root / dev_file)
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / name
        t0 = time.perf_counter()
        # Calibration and the oos floor are fitted on a hold-out of the TRAINING data, so the
        # dev figures below are untouched by any fitting.
        model = train_task(task, train, None, **opts)  # type: ignore[arg-type]
        train_s = time.perf_counter() - t0
        model.save(out)
        result = evaluate_task(task, out, dev)
    result.update({"data_set": name, "n_train": len(train), "train_seconds": round(train_s, 1)})
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=pathlib.Path, required=True, help="folder with the sets")
    parser.add_argument("--only", default=",".join(SETS), help="comma-separated set names")
    args = parser.parse_args()
    for name in args.only.split(","):
        print(json.dumps(run(name.strip(), args.data), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
