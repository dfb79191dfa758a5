"""The `tandem` command: serve, demo, db, users (and the packages' own: nlu, kb, ...)."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from tandem.app import build_services, create_app
from tandem.config import Settings
from tandem.core.errors import TandemError
from tandem.db.migrate import upgrade
from tandem.demo import DEMO_ACCOUNTS, seed_demo
from tandem.evaluation.cli import app as eval_app
from tandem.http.logs import install_redaction
from tandem.identity.service import create_account
from tandem.identity.signing import unsafe_widget_secret
from tandem.knowledge.cli import app as kb_app
from tandem.shop.cli import customers as demo_customers_command
from tandem.shop.seed import demo_customers
from tandem.understanding.cli import app as nlu_app

console = Console()
app = typer.Typer(
    help="Tandem: AI and human customer service, working as one team.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Agent, supervisor and admin accounts.", no_args_is_help=True)
demo_app = typer.Typer(
    help="Run the product with a demo shop (what `make demo` runs).", invoke_without_command=True
)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(demo_app, name="demo")
app.add_typer(nlu_app, name="nlu", help="Understanding models: train, evaluate, try.")
app.add_typer(kb_app, name="kb", help="Knowledge base: import, export, evaluate.")
app.add_typer(eval_app, name="eval", help="Evaluation commands (hand-off summaries, ...).")
demo_app.command("customers")(demo_customers_command)

PortOption = Annotated[
    int | None, typer.Option("--port", help="Port to listen on (default 8000, or TANDEM_PORT).")
]
HostOption = Annotated[
    str | None, typer.Option("--host", help="Address to bind (default 127.0.0.1).")
]


def _settings(port: int | None = None, host: str | None = None) -> Settings:
    settings = Settings()
    updates: dict[str, object] = {}
    if port is not None:
        updates["port"] = port
    if host is not None:
        updates["host"] = host
    return settings.model_copy(update=updates) if updates else settings


def _fail(message: str) -> typer.Exit:
    console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code=1)


async def _prepare(settings: Settings, *, demo: bool) -> dict[str, dict[str, str]]:
    """Migrate (and seed the demo); returns the demo customers to try, by situation."""
    services = build_services(settings)
    try:
        await upgrade(settings, services.engine)
        if not demo:
            return {}
        await seed_demo(services)
        async with services.sessions() as session:
            return await demo_customers(session, settings.widget_secret)
    finally:
        await services.engine.dispose()


def _run_server(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        ws="websockets-sansio",
    )
    install_redaction()  # after uvicorn configured its loggers
    uvicorn.Server(config).run()


@app.command()
def serve(port: PortOption = None, host: HostOption = None) -> None:
    """Apply migrations and start the server."""
    settings = _settings(port, host)
    if (unsafe := unsafe_widget_secret(settings.widget_secret)) is not None:
        raise _fail(f"{unsafe}: set it to a long random string (e.g. `openssl rand -hex 32`)")
    asyncio.run(_prepare(settings, demo=False))
    console.print(f"Tandem on http://{settings.host}:{settings.port}  (data: {settings.data_dir})")
    _run_server(settings)


@demo_app.callback()
def demo(ctx: typer.Context, port: PortOption = None, host: HostOption = None) -> None:
    """Create the demo shop, accounts and knowledge (idempotent), then start the server."""
    if ctx.invoked_subcommand is not None:
        return
    settings = _settings(port, host)
    with console.status("Preparing the demo database (migrations, demo shop, accounts, FAQ)..."):
        customers = asyncio.run(_prepare(settings, demo=True))
    base = f"http://{settings.host}:{settings.port}"
    out = console.print
    out(f"\n[bold]Tandem demo[/bold]  (data directory: {settings.data_dir})\n", soft_wrap=True)
    out(f"  Customer chat:  {base}/chat   (English: {base}/chat?lang=en)", soft_wrap=True)
    out(f"  Agent desk:     {base}/desk", soft_wrap=True)
    out(f"  API docs:       {base}/docs   (OpenAPI: {base}/openapi.json)\n", soft_wrap=True)
    out("  Demo logins (desk):")
    for username, password, role, name in DEMO_ACCOUNTS:
        out(f"    {username:<12} password: {password:<14} {role} ({name})", soft_wrap=True)
    out("\n  Chat as a demo-shop customer (all of them: `tandem demo customers`):")
    for situation in ("unshipped", "in_transit", "delivered_recent", "high_value"):
        if situation in customers:
            c = customers[situation]
            link = f"{base}/chat?external_id={c['external_id']}&signature={c['signature']}"
            out(f"    {situation:<18} {link}", soft_wrap=True)
    out("\n  Stop with Ctrl+C.\n")
    _run_server(settings)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema up to date."""
    settings = _settings()
    asyncio.run(_prepare(settings, demo=False))
    console.print(f"database is up to date ({settings.sqlalchemy_url.split('://')[0]})")


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Option(help="Login name.")],
    password: Annotated[str, typer.Option(help="At least 6 characters.")],
    role: Annotated[str, typer.Option(help="agent, supervisor or admin.")] = "agent",
    name: Annotated[str | None, typer.Option(help="Display name shown to customers.")] = None,
    skills: Annotated[
        str, typer.Option(help="Comma-separated skills, e.g. pre_sale,after_sale,en")
    ] = "",
) -> None:
    """Create a desk account."""

    async def run() -> None:
        settings = _settings()
        services = build_services(settings)
        try:
            await upgrade(settings, services.engine)
            async with services.unit_of_work() as uow:
                await create_account(
                    uow.session,
                    services.hasher,
                    username=username,
                    password=password,
                    role=role,
                    display_name=name,
                    skills=[s.strip() for s in skills.split(",") if s.strip()],
                )
        finally:
            await services.engine.dispose()

    try:
        asyncio.run(run())
    except TandemError as exc:
        raise _fail(exc.message) from None
    console.print(f"created {role} account {username!r}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
