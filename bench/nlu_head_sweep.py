"""The head recipe on the public subsamples (bench/nlu_embed.py's PLAN, cache only: nothing
is encoded): the embedding's scale next to the n-grams and the SVM's C, same training code
as `tandem nlu train --encoder`. Scored on the dev subsample; for choosing what to try on
the full portions (`bench.nlu_public --full`), not for shipping on its own.

    python -m bench.nlu_head_sweep clinc150 --scale 1 2 3 4 [--c 0.5] \
        [--cache /work/cache/nlu/emb] [--sub DIR]

`--sub DIR` holds the subsample files (`NAME.jsonl`, written from PLAN by `--write-sub`).
"""

from __future__ import annotations

import argparse
import json
import pathlib

from bench.nlu_embed import PLAN, sample_rows
from bench.nlu_public import _examples, _rows, _vectors
from tandem.understanding.encoder import NullEncoder, StoredEncoder, VectorStore
from tandem.understanding.normalize import normalize
from tandem.understanding.training import evaluate_task, train_task

# name -> (task, train subsample, dev subsample, training options)
SETS: dict[str, tuple[str, str, str, dict[str, object]]] = {
    "clinc150": ("intent", "clinc150_train", "clinc150_dev", {}),
    "virus": ("emotion", "virus_train", "virus_dev", {"balanced": True}),
    "shopping": ("emotion", "shopping_train", "shopping_dev", {"min_df": 2}),
    "cold": ("abuse", "cold_train", "cold_dev", {"min_df": 2}),
}
KEEP = ("accuracy", "macro_f1", "in_scope_accuracy", "oos_recall", "top1_accuracy")


def write_sub(data: pathlib.Path, sub: pathlib.Path) -> None:
    sub.mkdir(parents=True, exist_ok=True)
    for name, rel, _fields, n, label_key in PLAN:
        rows = sample_rows(data / rel, n, label_key)
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        (sub / f"{name}.jsonl").write_text(lines, "utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("name", choices=sorted(SETS))
    ap.add_argument("--scale", type=float, nargs="+", default=[2.0])
    ap.add_argument("--c", type=float, default=None)
    ap.add_argument("--cache", type=pathlib.Path, default=pathlib.Path("/work/cache/nlu/emb"))
    ap.add_argument("--sub", type=pathlib.Path, default=pathlib.Path("/work/cache/nlu/sub"))
    ap.add_argument("--data", type=pathlib.Path, default=pathlib.Path("/work/shared/data"))
    ap.add_argument("--write-sub", action="store_true")
    ap.add_argument("--tmp", type=pathlib.Path, default=pathlib.Path("/work/cache/nlu/models"))
    args = ap.parse_args()
    if args.write_sub:
        write_sub(args.data, args.sub)
    store = VectorStore(args.cache)
    enc = StoredEncoder(store, NullEncoder("sweep: stored vectors only"))
    task, train_name, dev_name, kw = SETS[args.name]
    train = _examples(_rows(args.sub / f"{train_name}.jsonl"))
    test = _examples(_rows(args.sub / f"{dev_name}.jsonl"))
    vec = _vectors(store, enc, train)
    for scale in args.scale:
        model = train_task(task, train, vectors=vec, c=args.c, dense_scale=scale, **kw)  # type: ignore[arg-type]
        out = args.tmp / f"sweep-{args.name}-{scale}-{args.c}"
        model.save(out)
        res = evaluate_task(task, out, test, lambda t: enc.encode(normalize(t)))
        row = {k: res[k] for k in KEEP if k in res}
        print(args.name, f"scale={scale}", f"c={args.c}", row, flush=True)


if __name__ == "__main__":
    main()
