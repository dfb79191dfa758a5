"""The dialogue-act head by cross-validation on its own training data (not the shopper sets).

    python -m bench.act_cv [--cache /work/cache/nlu/act] [--folds 5] [--lexical]

Prints the k-fold accuracy over every act example (the authored `acts.txt` lines and the
weak labels of `demo_data.weak_act`), and for each block of real customer turns (the
`acts.txt` blocks "# Fifth pass" (ECD), "# Sixth pass" and "# Seventh pass" (CSDS), English
lines included) the accuracy of a head trained on everything but that block: how the rest of
the data carries to real chat wording. Fixed seed; the embeddings come from the store (new
texts are encoded and written there).

`--intent-proba SCALE` appends the intent head's probabilities (times SCALE) to the embedding
the act head reads, cross-fitted (`understanding/stacking.py`, the code the build runs with
`--act-intent-scale`). Measured in the sixth and seventh passes (2026-12-03): CV +0.0 to +0.6
points, the ECD block 0 to -4 points, shopper dev -0.5 (seventh): the shipped head does not
read them (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import tempfile
from collections import Counter

import numpy as np

from tandem.understanding.act import ActModel
from tandem.understanding.build import SHIPPED_OPTIONS
from tandem.understanding.demo_data import DATA_DIR, act_examples, intent_examples, read_sections
from tandem.understanding.encoder import VectorStore, load_encoder
from tandem.understanding.normalize import normalize
from tandem.understanding.stacking import crossfit_intent_proba, label_folds
from tandem.understanding.training import Example, train_task

BLOCK_MARKS = ("# Fifth pass", "# Sixth pass", "# Seventh pass")


def real_turns(mark: str = BLOCK_MARKS[0]) -> set[str]:
    """The texts of the `acts.txt` block that starts at `mark` (up to the next block)."""
    text = (DATA_DIR / "acts.txt").read_text("utf-8")
    at = text.find(mark)
    if at < 0:
        return set()
    ends = [e for m in BLOCK_MARKS if (e := text.find(m, at + len(mark))) > at]
    tmp = pathlib.Path(tempfile.mkdtemp()) / "block.txt"
    tmp.write_text(text[at : min(ends, default=len(text))], "utf-8")
    return {e.text for e in read_sections(tmp)}


def folds(rows: list[Example], k: int, seed: int = 7) -> list[int]:
    """A fold per row, stratified by label."""
    return label_folds([r.label for r in rows], k, seed)


def score(
    train: list[Example], test: list[Example], vec: dict[str, np.ndarray] | None
) -> list[str]:
    tv = np.vstack([vec[r.text] for r in train]) if vec else None
    model = train_task("act", train, vectors=tv, **SHIPPED_OPTIONS["act"])
    assert isinstance(model, ActModel)
    preds = [model.predict(normalize(r.text), None, vec[r.text] if vec else None).act for r in test]
    return preds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=pathlib.Path, default=pathlib.Path("/work/cache/nlu/act"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--lexical", action="store_true")
    ap.add_argument("--intent-proba", type=float, default=0.0)
    args = ap.parse_args()
    rows = list({r.text: r for r in act_examples()}.values())
    vec = None
    if not args.lexical:
        store = VectorStore(args.cache)
        arr = store.embed([normalize(r.text) for r in rows], load_encoder(), None, "act_cv")
        assert arr is not None
        vec = {r.text: arr[i] for i, r in enumerate(rows)}
        if args.intent_proba > 0:
            irows = intent_examples()
            ivec = store.embed([normalize(r.text) for r in irows], load_encoder(), None, "act_cv")
            _, proba = crossfit_intent_proba(
                [r.text for r in rows], arr, irows, ivec, **SHIPPED_OPTIONS["intent"]
            )
            proba *= np.float32(args.intent_proba)
            vec = {r.text: np.concatenate([arr[i], proba[i]]) for i, r in enumerate(rows)}
    fold = folds(rows, args.folds)
    right = 0
    confusion: Counter[tuple[str, str]] = Counter()
    for f in range(args.folds):
        train = [r for r, g in zip(rows, fold, strict=True) if g != f]
        test = [r for r, g in zip(rows, fold, strict=True) if g == f]
        for r, p in zip(test, score(train, test, vec), strict=True):
            right += p == r.label
            if p != r.label:
                confusion[(r.label, p)] += 1
    blocks: dict[str, object] = {}
    for mark in BLOCK_MARKS:
        block = real_turns(mark)
        held = [r for r in rows if r.text in block]
        rest = [r for r in rows if r.text not in block]
        if not held:
            continue
        preds = score(rest, held, vec)
        name = mark.removeprefix("# ").split()[0].lower()
        blocks[name] = {
            "n": len(held),
            "accuracy": round(
                sum(p == r.label for r, p in zip(held, preds, strict=True)) / len(held), 4
            ),
        }
    print(
        json.dumps(
            {
                "n": len(rows),
                "cv_accuracy": round(right / len(rows), 4),
                "real_turns": blocks,
                "errors_gold_pred": {f"{g}->{p}": n for (g, p), n in confusion.most_common()},
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
