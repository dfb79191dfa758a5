"""`tandem eval ...`: measure the code users run on public evaluation data."""

from __future__ import annotations

import json
import pathlib
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tandem.evaluation.csds import CsdsFormatError, read_csds
from tandem.evaluation.summaries import evaluate_summaries

app = typer.Typer(help="Evaluate Tandem's components on public data.", no_args_is_help=True)
# Progress and errors go to stderr so that stdout carries only the JSON result.
console = Console(stderr=True)


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code=2)


@app.callback()
def _root() -> None:
    """Evaluate Tandem's components on public data."""


@app.command()
def summary(
    data: Annotated[
        pathlib.Path,
        typer.Option(help="dialogues in CSDS JSONL format (id, dialogue[speaker,text], summary)"),
    ],
    json_output: Annotated[
        bool, typer.Option("--json", help="print one JSON object instead of a table")
    ] = False,
    out: Annotated[
        pathlib.Path | None,
        typer.Option(help='write one {"id", "summary"} JSON line per dialogue to this file'),
    ] = None,
    max_chars: Annotated[
        int, typer.Option(min=20, help="longest summary in characters (the product's default)")
    ] = 200,
    limit: Annotated[
        int | None, typer.Option(min=1, help="score only the first N dialogues")
    ] = None,
) -> None:
    """Score the hand-off summariser: character-level ROUGE-1/2/L F1 (0..1) against `summary`.

    The summariser sees the dialogue text only (no order or customer facts), as CSDS gives it.
    """
    try:
        dialogues = read_csds(data)
    except (FileNotFoundError, CsdsFormatError) as exc:
        raise _fail(str(exc)) from exc
    if limit is not None:
        dialogues = dialogues[:limit]
    if out is not None and not out.parent.is_dir():
        raise _fail(f"{out.parent}: no such directory; create it or choose another --out.")

    with Progress(
        TextColumn("summarising"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("summarise", total=len(dialogues))
        result = evaluate_summaries(
            dialogues,
            max_chars=max_chars,
            on_progress=lambda done: progress.update(task, completed=done),
        )

    if out is not None:
        with out.open("w", encoding="utf-8") as handle:
            for dialogue_id, text in result.summaries:
                handle.write(json.dumps({"id": dialogue_id, "summary": text}, ensure_ascii=False))
                handle.write("\n")

    scores = result.scores
    if json_output:
        payload = {
            "rouge1": round(scores.rouge1, 4),
            "rouge2": round(scores.rouge2, 4),
            "rougeL": round(scores.rougeL, 4),
            "n": result.n,
        }
        typer.echo(json.dumps(payload))
        return
    table = Table(title=f"Hand-off summary on {data.name} ({result.n} dialogues)")
    for name in ("ROUGE-1", "ROUGE-2", "ROUGE-L"):
        table.add_column(name, justify="right")
    table.add_row(*(f"{100 * v:.2f}" for v in (scores.rouge1, scores.rouge2, scores.rougeL)))
    Console().print(table)
    if out is not None:
        console.print(f"summaries written to {out}")


if __name__ == "__main__":
    app()
