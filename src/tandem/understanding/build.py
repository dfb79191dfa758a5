"""Build the demo shop's shipped models from the authored data.

    python -m tandem.understanding.build [--out DIR] [--cold PATH] [--export DIR] [--cache DIR]
        [--task intent|emotion|abuse|act ...]

Each task is trained twice, with a fixed seed: a lexical head (`DIR/TASK`, what serves when the
encoder cannot run) and a head over [n-grams ; sentence embedding] (`DIR/encoder/TASK`).
`--cache` points at stored embeddings (see `VectorStore`) so a rebuild does not re-encode.

`--cold` adds COLD (Deng et al. 2022, Apache-2.0) to the abuse classifier's training data
(binary offensive/safe, mapped to discrimination/none). The shipped models are built WITHOUT
it: COLD is about attacks on groups, and with it the classifier flagged ~6 % of ordinary
product reviews as abusive (0 % without), with no gain on abuse aimed at an agent. `--export` also writes the training sets as JSONL,
usable with `tandem nlu train`.
"""

from __future__ import annotations

import json
import pathlib
from typing import Annotated, Any

import numpy as np
import numpy.typing as npt
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from tandem.understanding.act import IntentReading
from tandem.understanding.demo_data import (
    abuse_examples,
    act_examples,
    emotion_examples,
    intent_examples,
    write_jsonl,
)
from tandem.understanding.encoder import Encoder, VectorStore, load_encoder
from tandem.understanding.linear import model_bytes
from tandem.understanding.normalize import normalize
from tandem.understanding.pipeline import DEMO_MODEL_DIR, ENCODER_HEADS_DIR
from tandem.understanding.stacking import crossfit_intent_proba
from tandem.understanding.training import Example, read_jsonl, train_task

console = Console(stderr=True)
# At most this many COLD rows: keeps the shipped vocabulary (and the repo) small.
COLD_LIMIT = 8000
# Vocabulary caps keep each shipped model around a megabyte; emotion classes are balanced
# because neutral examples outnumber each emotion ten to one.
SHIPPED_OPTIONS: dict[str, dict[str, Any]] = {
    "intent": {"max_features": 60_000},
    "emotion": {"balanced": True, "max_features": 30_000},
    "abuse": {"min_df": 2, "max_features": 50_000},
    # C is each task's DEFAULT_C (act.DEFAULT_C, ...): one value for `tandem nlu train` and here.
    "act": {"max_features": 30_000},
}

# The act head reads the intent head's probabilities, times this, next to the embedding
# (None: it does not). Measured by bench/act_cv --intent-proba (docs/benchmarks.md).
ACT_INTENT_SCALE: float | None = None


def act_reads_intent(
    rows: list[Example],
    vectors: npt.NDArray[np.float32] | None,
    encoding: tuple[VectorStore, Encoder] | None,
    scale: float | None = ACT_INTENT_SCALE,
) -> dict[str, Any]:
    """The `intent` argument of the act head's `train_task` (empty when it does not read the
    intent): cross-fitted probabilities of intent heads trained like the shipped one, lexical
    or (with `encoding`) over the embedding."""
    if scale is None or scale <= 0:
        return {}
    irows = intent_examples()
    ivec = None
    if encoding is not None:
        store, enc = encoding
        ivec = store.embed([normalize(r.text) for r in irows], enc, None, "build")
    classes, proba = crossfit_intent_proba(
        [r.text for r in rows], vectors, irows, ivec, **SHIPPED_OPTIONS["intent"]
    )
    return {"intent": (IntentReading(classes, scale), proba)}


def main(
    out: Annotated[pathlib.Path, typer.Option(help="model directory")] = DEMO_MODEL_DIR,
    cold: Annotated[
        pathlib.Path | None, typer.Option(help="COLD train.jsonl to add to the abuse data")
    ] = None,
    export: Annotated[
        pathlib.Path | None, typer.Option(help="also write the training sets as JSONL here")
    ] = None,
    cache: Annotated[
        pathlib.Path | None, typer.Option(help="stored embeddings to reuse (and extend)")
    ] = None,
    encoder: Annotated[
        bool, typer.Option(help="also train the heads that read the sentence embedding")
    ] = True,
    only: Annotated[
        list[str] | None,
        typer.Option("--task", help="rebuild only this task (repeatable; default: all four)"),
    ] = None,
    act_intent_scale: Annotated[
        float | None,
        typer.Option(help="the act head reads the intent probabilities times this (0: not)"),
    ] = ACT_INTENT_SCALE,
) -> None:
    sets: dict[str, list[Example]] = {
        "intent": intent_examples(),
        "emotion": emotion_examples(),
        "abuse": abuse_examples(),
        "act": act_examples(),
    }
    unknown = sorted(set(only or ()) - set(sets))
    if unknown:
        raise typer.BadParameter(f"unknown task(s) {unknown}; choose among {sorted(sets)}")
    if only:
        sets = {name: rows for name, rows in sets.items() if name in only}
    sources = {
        "intent": "authored zh/en + CLINC150 out-of-scope queries (CC BY 3.0)",
        "emotion": "authored zh/en",
        "abuse": "authored zh/en",
        "act": "authored zh/en + intent examples whose act is plain",
    }
    if cold is not None:
        rows = read_jsonl(cold)[:COLD_LIMIT]
        sets["abuse"] += [
            Example(r.text, "discrimination" if r.label == "1" else "none") for r in rows
        ]
        sources["abuse"] += f" + COLD first {len(rows)} training rows (Apache-2.0)"
    if export is not None:
        for task, rows in sets.items():
            write_jsonl(rows, export / f"demo_{task}.jsonl")
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
    ) as bar:
        for task, rows in sets.items():
            job = bar.add_task(f"{task}: {len(rows)} examples", total=1.0)

            def report(msg: str, frac: float, job: TaskID = job, task: str = task) -> None:
                bar.update(job, completed=frac, description=f"{task}: {msg}")

            reads = act_reads_intent(rows, None, None, act_intent_scale) if task == "act" else {}
            model = train_task(task, rows, progress=report, **SHIPPED_OPTIONS[task], **reads)
            model.save(out / task, {"trained_on": sources[task], "n_train": len(rows)})
        if encoder:
            enc = load_encoder()
            if not enc.available:
                raise SystemExit(f"cannot train the encoder heads: {enc.status}")
            store = VectorStore(cache)
            for task, rows in sets.items():
                job = bar.add_task(f"{task}: encoding {len(rows)} examples", total=1.0)

                def encoded(done: int, total: int, job: TaskID = job) -> None:
                    bar.update(job, completed=0.5 * done / max(total, 1))

                vectors = store.embed([normalize(r.text) for r in rows], enc, encoded, "build")
                assert vectors is not None

                def report2(msg: str, frac: float, job: TaskID = job, task: str = task) -> None:
                    bar.update(job, completed=0.5 + 0.5 * frac, description=f"{task}+e5: {msg}")

                reads = (
                    act_reads_intent(rows, vectors, (store, enc), act_intent_scale)
                    if task == "act"
                    else {}
                )
                model = train_task(
                    task,
                    rows,
                    progress=report2,
                    vectors=vectors,
                    **SHIPPED_OPTIONS[task],
                    **reads,
                )
                model.save(
                    out / ENCODER_HEADS_DIR / task,
                    {"trained_on": sources[task], "n_train": len(rows), "encoder": enc.status},
                )
    for task in sets:
        for directory, tag in ((out / task, ""), (out / ENCODER_HEADS_DIR / task, "+e5")):
            if not (directory / "config.json").is_file():
                continue
            config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
            floors = (
                f", oos floor {config['threshold']:.2f}, margin floor {config.get('margin', 0.0):.2f}"
                if task == "intent"
                else ""
            )
            console.print(
                f"{task}{tag}: {model_bytes(directory) / 1e6:.2f} MB, labels "
                f"{len(config['classes'])}, temperature {config['temperature']:.2f}{floors}"
            )


if __name__ == "__main__":
    typer.run(main)
