"""`tandem demo customers`: the demo shop's hand-made customers, for people and scripts.

Mounted by the main CLI under `tandem demo`. Prepares the database first (migrations and
the demo shop are idempotent), so it works before or while `tandem demo` runs.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tandem.config import Settings
from tandem.core.clock import SystemClock
from tandem.db.migrate import upgrade
from tandem.db.session import build_engine, build_sessionmaker, transaction
from tandem.shop.seed import SITUATIONS, demo_customers, seed_demo_shop

app = typer.Typer(help="The demo shop.", no_args_is_help=True)
console = Console()


@app.callback()
def _group() -> None:
    """The demo shop."""


async def load_demo_customers(settings: Settings) -> dict[str, dict[str, str]]:
    engine = build_engine(settings)
    try:
        await upgrade(settings, engine)
        async with transaction(build_sessionmaker(engine)) as session:
            await seed_demo_shop(session, now=SystemClock().now())
            return await demo_customers(session, settings.widget_secret)
    finally:
        await engine.dispose()


@app.command("customers")
def customers(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object keyed by situation.")
    ] = False,
) -> None:
    """Demo customers by situation: external id, widget signature and the order to try."""
    settings = Settings()
    data = asyncio.run(load_demo_customers(settings))
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"Demo shop customers (data: {settings.data_dir})")
    table.add_column("situation")
    table.add_column("external_id")
    table.add_column("order_id")
    table.add_column("what to try")
    for key, entry in data.items():
        table.add_row(key, entry["external_id"], entry["order_id"], SITUATIONS[key].notes)
    console.print(table)
    console.print(
        "Open a conversation as one of them with "
        '{"customer": {"external_id": ..., "signature": ...}} (signatures: --json).'
    )
