"""`tandem kb ...`: evaluate retrieval, import and export the knowledge base."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import Progress, TaskID, track

from tandem.config import Settings
from tandem.core.errors import TandemError
from tandem.db.migrate import upgrade
from tandem.db.session import build_engine, build_sessionmaker, transaction
from tandem.knowledge import service
from tandem.knowledge.dense import SHOP
from tandem.knowledge.evaluate import (
    DEMO_FAQ,
    evaluate_kb,
    evaluate_pairs,
    read_jsonl,
    shopper_queries,
)
from tandem.knowledge.formats import format_of
from tandem.knowledge.messages import Problem, pick_language
from tandem.knowledge.service import ImportReport

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
    shopper: Annotated[
        Path | None,
        typer.Option(
            "--shopper",
            help="In-domain set (id, text, lang, intent, act, faq) against the demo FAQ",
        ),
    ] = None,
    domain: Annotated[
        str,
        typer.Option(
            "--domain",
            help="Whose pair layer judges --pairs: shop (the product's) or banking",
        ),
    ] = SHOP,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object only")] = False,
) -> None:
    """Measure answer-or-abstain (--kb + --queries, or --shopper FILE against the demo FAQ,
    `--kb` replacing it) or the match judgement (--pairs)."""
    if shopper is not None:
        result = evaluate_kb(
            _read(kb or DEMO_FAQ, "KB"),
            shopper_queries(_read(shopper, "shopper")),
            progress=_progress("searching", as_json),
        )
    elif pairs is not None:
        try:
            result = evaluate_pairs(
                _read(pairs, "pairs"),
                progress=_progress("judging pairs", as_json),
                domain=domain,
            )
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--domain") from exc
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


async def _import(
    data: bytes, fmt: str, name: str, actor: str, preview: bool, language: str
) -> ImportReport:
    settings = Settings()
    engine = build_engine(settings)
    try:
        await upgrade(settings, engine)
        sessions = build_sessionmaker(engine)
        parsed = service.read_file(data, fmt, language)
        # The live entries, indexed, so near-duplicates are found as the server would find them.
        async with sessions() as session:
            index = await service.load_index(session)
        with Progress(console=console, transient=True) as bar:
            tasks: dict[str, TaskID] = {}

            async def progress(phase: str, done: int, total: int) -> None:
                if phase not in tasks:
                    tasks[phase] = bar.add_task(f"{phase} {name}", total=total)
                bar.update(tasks[phase], completed=done)

            async with transaction(sessions) as session:
                return await service.import_entries(
                    session,
                    index,
                    parsed,
                    actor=actor,
                    preview=preview,
                    progress=progress,
                    update_index=False,  # this process ends here; the servers catch up
                )
    finally:
        await engine.dispose()


async def _export(fmt: str, status: str | None) -> tuple[bytes, int]:
    settings = Settings()
    engine = build_engine(settings)
    try:
        await upgrade(settings, engine)
        async with build_sessionmaker(engine)() as session:
            data = await service.export_entries(session, fmt, status=status)
            _, count = await service.list_entries(session, status=status, limit=1)
    finally:
        await engine.dispose()
    return data, count


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="A .csv, .xlsx, .jsonl or .md file")],
    actor: Annotated[str, typer.Option(help="Recorded as who made the change")] = "import",
    preview: Annotated[
        bool, typer.Option("--preview", help="Show what would be added, updated or skipped")
    ] = False,
    lang: Annotated[str, typer.Option(help="Language of the row messages: en or zh")] = "en",
) -> None:
    """Import entries into the database (TANDEM_DATABASE_URL); bad rows are listed, good rows go in.

    A row with an `id` updates that entry; a row without one updates the entry with the same
    question, so importing a sheet again never duplicates it. A near-duplicate of an entry or
    of an earlier row is skipped and named. Running servers apply the changes within seconds.
    Exits with 1 when the file or any row could not be imported.
    """
    if not file.exists():
        raise typer.BadParameter(f"{file} does not exist")
    language = pick_language(lang)
    try:
        report = asyncio.run(
            _import(file.read_bytes(), format_of(file), file.name, actor, preview, language)
        )
    except (ValueError, TandemError) as exc:
        text = exc.text(language) if isinstance(exc, Problem) else getattr(exc, "message", exc)
        console.print(f"[red]Nothing imported:[/red] {text}")
        raise typer.Exit(1) from exc
    for kind, rows in (("error", report.errors), ("skipped", report.duplicates)):
        for error in rows:
            console.print(f"  row {error.row} ({kind}): {error.text(language)}")
    for warning in report.warnings:
        console.print(f"  row {warning.row} (note): {warning.text(language)}")
    console.print(
        ("preview, nothing written: " if preview else "")
        + f"{report.created} added, {report.updated} updated, {report.unchanged} unchanged, "
        f"{len(report.duplicates)} skipped as duplicates, {len(report.errors)} failed"
        + ("; fix the failed rows and import again" if report.errors else "")
    )
    if report.errors:
        raise typer.Exit(1)


@app.command("export")
def export_command(
    file: Annotated[Path, typer.Argument(help="Where to write: .csv, .xlsx, .jsonl or .md")],
    status: Annotated[str, typer.Option(help="live, pending, retired or all")] = "live",
) -> None:
    """Export the knowledge base; the format follows the file's extension."""
    try:
        data, count = asyncio.run(_export(format_of(file), None if status == "all" else status))
        file.write_bytes(data)
    except (ValueError, TandemError) as exc:
        console.print(f"[red]Nothing exported:[/red] {getattr(exc, 'message', exc)}")
        raise typer.Exit(1) from exc
    console.print(f"wrote {count} entries to {file}")


async def _dedupe(apply: bool, actor: str) -> list[list[tuple[str, str]]]:
    settings = Settings()
    engine = build_engine(settings)
    try:
        await upgrade(settings, engine)
        async with transaction(build_sessionmaker(engine)) as session:
            groups = await service.duplicate_groups(session)
            shown = [[(e.id, e.question) for e in g] for g in groups]
            if apply:
                for group in groups:
                    for extra in group[1:]:
                        await service.set_status(session, None, extra.id, "retired", actor=actor)
            return shown
    finally:
        await engine.dispose()


@app.command("dedupe")
def dedupe_command(
    apply: Annotated[bool, typer.Option("--apply", help="Retire the duplicates")] = False,
    actor: Annotated[str, typer.Option(help="Recorded as who made the change")] = "dedupe",
) -> None:
    """List live entries that ask the same question (left by earlier imports); with --apply,
    keep the most recently changed of each group and retire the others (history is kept,
    running servers drop them within seconds)."""
    groups = asyncio.run(_dedupe(apply, actor))
    for group in groups:
        (keep_id, question), *extras = group
        console.print(f"{question}: keep {keep_id}, retire {', '.join(i for i, _ in extras)}")
    retired = sum(len(g) - 1 for g in groups)
    if not groups:
        console.print("no duplicate entries")
    elif apply:
        console.print(f"retired {retired} duplicate entries")
    else:
        console.print(f"{retired} duplicate entries; run with --apply to retire them")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
