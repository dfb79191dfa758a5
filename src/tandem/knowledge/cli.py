"""`tandem kb ...`: evaluate retrieval, import and export the knowledge base."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import track

from tandem.knowledge.evaluate import evaluate_kb, evaluate_pairs, read_jsonl

T = TypeVar("T")

app = typer.Typer(help="Knowledge base: evaluate, import, export.", no_args_is_help=True)
console = Console(stderr=True)


@app.callback()
def kb() -> None:
    """Knowledge base: evaluate, import, export."""


def _progress(description: str, quiet: bool) -> Any:
    def wrap(items: Iterable[T]) -> Iterable[T]:
        return items if quiet else track(items, description=description, console=console)

    return wrap


def _read(path: Path, what: str) -> list[dict[str, Any]]:
    if not path.exists():
        raise typer.BadParameter(f"{what} file {path} does not exist")
    try:
        return read_jsonl(path)
    except ValueError as exc:
        raise typer.BadParameter(f"{exc}; every line must be one JSON object") from exc


@app.command("eval")
def eval_command(
    kb: Annotated[
        Path | None, typer.Option("--kb", help="KB JSONL: id, question, answer[, alternatives]")
    ] = None,
    queries: Annotated[
        Path | None,
        typer.Option("--queries", help="Query JSONL: text, expected_id (null = unanswerable)"),
    ] = None,
    pairs: Annotated[
        Path | None, typer.Option("--pairs", help="Pair JSONL: text_a, text_b, label")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object only")] = False,
) -> None:
    """Measure answer-or-abstain (--kb + --queries) or the match judgement (--pairs)."""
    if pairs is not None:
        result = evaluate_pairs(_read(pairs, "pairs"), progress=_progress("judging pairs", as_json))
    elif kb is not None and queries is not None:
        result = evaluate_kb(
            _read(kb, "KB"),
            _read(queries, "queries"),
            progress=_progress("searching", as_json),
        )
    else:
        raise typer.BadParameter("give --kb and --queries, or --pairs")
    if as_json:
        typer.echo(json.dumps(result))
    else:
        for key, value in result.items():
            console.print(f"{key:>22}  {value}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
