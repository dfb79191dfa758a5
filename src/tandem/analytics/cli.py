"""`tandem report`: the self-contained weekly report, written to a file."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from tandem.analytics import report as report_html
from tandem.analytics.refresh import refresh
from tandem.analytics.service import build_filters
from tandem.config import Settings
from tandem.core.errors import TandemError
from tandem.db.migrate import upgrade
from tandem.services import build_services

console = Console()


def report(
    start: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default: 7 days ago).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day, YYYY-MM-DD (default: yesterday).")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Where to write the HTML.")] = Path(
        "report.html"
    ),
    granularity: Annotated[str, typer.Option(help="hour, day or week.")] = "day",
    lang: Annotated[str, typer.Option(help="zh (default) or en.")] = "zh",
) -> None:
    """Write the weekly report (charts and a summary of what changed versus the period
    before) as one HTML file that opens anywhere, offline."""
    if lang not in ("zh", "en"):
        console.print("[red]error:[/red] --lang 只能是 zh 或 en；--lang must be zh or en")
        raise typer.Exit(code=2)
    settings = Settings()

    async def run() -> tuple[str, int]:
        services = build_services(settings)
        try:
            await upgrade(settings, services.engine)
            now = services.clock.now()
            zone = services.shop.policy.service_hours.zone
            yesterday = (now.astimezone(zone) - timedelta(days=1)).date()
            f = build_filters(
                zone,
                now,
                start=start,
                end=end or yesterday.isoformat(),
                granularity=granularity,
            )
            with console.status("汇总数据 Folding in new conversations…"):
                async with services.unit_of_work() as uow:
                    stats = await refresh(uow.session, now, zone, sweep=True)
            with console.status("生成报告 Writing the report…"):
                async with services.sessions() as session:
                    text = await report_html.build(session, f, lang)
            return text, stats.conversations
        finally:
            await services.engine.dispose()

    try:
        text, folded = asyncio.run(run())
    except TandemError as exc:
        console.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(code=2) from None
    out.write_text(text, encoding="utf-8")
    console.print(
        f"report written to {out} ({len(text) // 1024} KB; {folded} conversations folded in)"
    )
