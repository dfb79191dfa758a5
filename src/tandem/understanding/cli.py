"""`tandem nlu ...`: train, evaluate and try the understanding models."""

from __future__ import annotations

import json
import pathlib
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tandem.understanding.encoder import VectorStore, load_encoder
from tandem.understanding.linear import model_bytes
from tandem.understanding.normalize import normalize
from tandem.understanding.pipeline import load_understanding
from tandem.understanding.training import (
    TASKS,
    evaluate_shopper,
    evaluate_task,
    read_jsonl,
    read_shopper,
    read_texts,
    train_task,
)

app = typer.Typer(help="Understanding models: train, evaluate, predict.", no_args_is_help=True)
console = Console(stderr=True)


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code=2)


@app.command()
def train(
    task: Annotated[str, typer.Option(help="intent | emotion | abuse | act")],
    data: Annotated[pathlib.Path, typer.Option(help="training JSONL (text, label)")],
    out: Annotated[pathlib.Path, typer.Option(help="directory to write the model to")],
    dev: Annotated[
        pathlib.Path | None,
        typer.Option(help="dev JSONL for calibration (else 15 % of the training data is held out)"),
    ] = None,
    c: Annotated[float | None, typer.Option(help="SVM regularisation C (default per task)")] = None,
    balanced: Annotated[bool, typer.Option(help="weight classes inversely to frequency")] = False,
    encoder: Annotated[
        bool, typer.Option(help="read the sentence embedding too (multilingual-e5-small)")
    ] = False,
    cache: Annotated[
        pathlib.Path | None, typer.Option(help="stored embeddings to reuse (see VectorStore)")
    ] = None,
    negatives: Annotated[
        pathlib.Path | None,
        typer.Option(
            help="intent: JSONL of out-of-scope text from elsewhere (`text`; trained on as "
            "oos, never held out for calibration)"
        ),
    ] = None,
) -> None:
    """Train one model from labelled examples and save it (JSON + safetensors). Reproducible:
    the solver's seed is fixed."""
    if task not in TASKS:
        raise _fail(f"--task must be one of {', '.join(TASKS)}, not {task!r}.")
    try:
        rows = read_jsonl(data)
        dev_rows = read_jsonl(dev) if dev is not None else None
        borrowed = read_texts(negatives) if negatives is not None else []
    except (FileNotFoundError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    vectors = dev_vectors = negative_vectors = None
    if encoder:
        enc = load_encoder()
        if not enc.available:
            raise _fail(f"--encoder needs the sentence encoder, which {enc.status}.")
        store = VectorStore(cache)
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
        ) as bar:
            job = bar.add_task("encoding", total=1.0)

            def encoded(done: int, total: int) -> None:
                bar.update(job, completed=done / max(total, 1))

            vectors = store.embed([normalize(r.text) for r in rows], enc, encoded, "train")
            if dev_rows:
                dev_vectors = store.embed(
                    [normalize(r.text) for r in dev_rows], enc, encoded, "train"
                )
            if borrowed:
                negative_vectors = store.embed(
                    [normalize(t) for t in borrowed], enc, encoded, "train"
                )
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        job = bar.add_task(f"training {task} on {len(rows)} examples", total=1.0)

        def report(msg: str, frac: float) -> None:
            bar.update(job, completed=frac, description=f"{task}: {msg}")

        try:
            model = train_task(
                task,
                rows,
                dev_rows,
                c=c,
                balanced=balanced,
                progress=report,
                vectors=vectors,
                dev_vectors=dev_vectors,
                negatives=borrowed,
                negative_vectors=negative_vectors,
            )
        except ValueError as exc:
            raise _fail(str(exc)) from exc
        model.save(out, {"trained_on": str(data), "n_train": len(rows)})
    console.print(
        f"saved {task} model to {out} ({model_bytes(out) / 1e6:.2f} MB, "
        f"{len(model.classifier.classes)} labels)"
    )


@app.command("eval")
def evaluate(
    data: Annotated[
        pathlib.Path,
        typer.Option(help="test JSONL: (text, label) for one task, or the shopper set's rows"),
    ],
    task: Annotated[
        str | None,
        typer.Option(help="intent | emotion | abuse | act (omit for a shopper-set file)"),
    ] = None,
    model: Annotated[
        pathlib.Path | None,
        typer.Option(help="model directory (a task's, or for the shopper set the whole set)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Score a model on labelled data, one message at a time (accuracy, F1, latency).

    Without --task, DATA is an in-domain set (`id, text, lang, intent, act, faq` rows, e.g.
    the shipped shopper_test.jsonl) and the whole understanding step is scored: intent
    (out-of-scope included) and dialogue act, overall and per language."""
    try:
        if task is None:
            understanding = load_understanding(model)
            result = evaluate_shopper(understanding, read_shopper(data))
            result["encoder"] = understanding.encoder_status()
        else:
            if task not in TASKS:
                raise _fail(f"--task must be one of {', '.join(TASKS)}, not {task!r}.")
            if model is None:
                raise _fail("--task needs --model DIR (the directory `tandem nlu train` wrote).")
            rows = read_jsonl(data)
            enc = load_encoder()
            result = evaluate_task(
                task, model, rows, (lambda t: enc.encode(normalize(t))) if enc.available else None
            )
    except (FileNotFoundError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    title = f"{task or 'understanding'} on {data.name}"
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    table = Table(title=title)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in result.items():
        table.add_row(key, str(value))
    Console().print(table)


@app.command()
def predict(
    text: Annotated[str, typer.Argument(help="the customer message")],
    model: Annotated[
        pathlib.Path | None, typer.Option(help="model directory (default: the demo shop's)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the analysis as JSON")] = False,
) -> None:
    """Show what the understanding step sees in one message."""
    try:
        understanding = load_understanding(model)
    except FileNotFoundError as exc:
        raise _fail(str(exc)) from exc
    analysis = understanding.analyze(text)
    if as_json:
        typer.echo(json.dumps(analysis.to_dict(), ensure_ascii=False, indent=1))
        return
    out = Console()
    out.print(f"[dim]{understanding.encoder_status()}[/dim]")
    out.print(f"[bold]text[/bold]        {analysis.text}")
    out.print(f"[bold]normalized[/bold]  {analysis.normalized}   ({analysis.language})")
    verdict = "[yellow]out of scope[/yellow]" if analysis.out_of_scope else "in scope"
    out.print(f"[bold]intent[/bold]      {analysis.intent}  {analysis.confidence:.2f}  {verdict}")
    out.print(
        "[bold]top 3[/bold]       "
        + ", ".join(f"{s.label} {s.confidence:.2f}" for s in analysis.intents)
    )
    out.print(f"[bold]act[/bold]         {analysis.act}  {analysis.act_confidence:.2f}")
    out.print(
        f"[bold]emotion[/bold]     {analysis.emotion.label}  {analysis.emotion.intensity:.2f}"
    )
    if analysis.abuse.is_abusive:
        spans = ", ".join(f"{text[s.start : s.end]!r} ({s.kind})" for s in analysis.abuse.spans)
        out.print(f"[bold]abuse[/bold]       [red]{', '.join(analysis.abuse.kinds)}[/red]  {spans}")
    else:
        out.print("[bold]abuse[/bold]       none")
    for e in analysis.entities:
        out.print(
            f"[bold]entity[/bold]      {e.kind}: {e.text!r} -> {e.value}  [{e.start}:{e.end}]"
        )


if __name__ == "__main__":
    app()
