"""The dialogue-act head by cross-validation on its own training data (not the shopper sets).

    python -m bench.act_cv [--cache /work/cache/nlu/act] [--folds 5] [--lexical]

Prints two figures: the k-fold accuracy over every act example (the authored `acts.txt`
lines and the weak labels of `demo_data.weak_act`), and the accuracy on the real customer
turns of the fifth pass (the `acts.txt` block from "# Fifth pass" on) by a head trained on
everything else: how the rest of the data carries to real chat wording. Fixed seed; the
embeddings come from the store (new texts are encoded and written there).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import random
from collections import Counter, defaultdict

import numpy as np

from tandem.understanding.act import ActModel
from tandem.understanding.demo_data import DATA_DIR, act_examples, read_sections
from tandem.understanding.encoder import VectorStore, load_encoder
from tandem.understanding.normalize import normalize
from tandem.understanding.training import Example, train_task

BLOCK_MARK = "# Fifth pass"


def real_turns() -> set[str]:
    """The texts of the `acts.txt` block that starts at BLOCK_MARK."""
    text = (DATA_DIR / "acts.txt").read_text("utf-8")
    at = text.find(BLOCK_MARK)
    if at < 0:
        return set()
    tmp = pathlib.Path("/tmp/act_cv_block.txt")
    tmp.write_text(text[at:], "utf-8")
    return {e.text for e in read_sections(tmp)}


def folds(rows: list[Example], k: int, seed: int = 7) -> list[int]:
    """A fold per row, stratified by label."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_label[r.label].append(i)
    out = [0] * len(rows)
    rng = random.Random(seed)
    for idx in by_label.values():
        rng.shuffle(idx)
        for j, i in enumerate(idx):
            out[i] = j % k
    return out


def score(
    train: list[Example], test: list[Example], vec: dict[str, np.ndarray] | None
) -> list[str]:
    tv = np.vstack([vec[r.text] for r in train]) if vec else None
    model = train_task("act", train, vectors=tv, max_features=30_000)
    assert isinstance(model, ActModel)
    preds = [model.predict(normalize(r.text), None, vec[r.text] if vec else None).act for r in test]
    return preds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=pathlib.Path, default=pathlib.Path("/work/cache/nlu/act"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--lexical", action="store_true")
    args = ap.parse_args()
    rows = list({r.text: r for r in act_examples()}.values())
    vec = None
    if not args.lexical:
        store = VectorStore(args.cache)
        arr = store.embed([normalize(r.text) for r in rows], load_encoder(), None, "act_cv")
        assert arr is not None
        vec = {r.text: arr[i] for i, r in enumerate(rows)}
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
    block = real_turns()
    held = [r for r in rows if r.text in block]
    rest = [r for r in rows if r.text not in block]
    block_right = 0
    if held:
        block_right = sum(p == r.label for r, p in zip(held, score(rest, held, vec), strict=True))
    print(
        json.dumps(
            {
                "n": len(rows),
                "cv_accuracy": round(right / len(rows), 4),
                "real_turns_n": len(held),
                "real_turns_accuracy": round(block_right / max(len(held), 1), 4),
                "errors_gold_pred": {f"{g}->{p}": n for (g, p), n in confusion.most_common()},
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
