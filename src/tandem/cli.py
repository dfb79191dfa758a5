"""The `tandem` command: serve, demo, db, users (and the packages' own: nlu, kb, ...)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer
import uvicorn
from rich.console import Console

from tandem.analytics.cli import report as report_command
from tandem.app import create_app
from tandem.config import Settings
from tandem.core.errors import TandemError
from tandem.db.migrate import upgrade
from tandem.demo import DEMO_ACCOUNTS, reset_demo_shop, seed_demo
from tandem.engine.wording import WordingError
from tandem.evaluation.cli import app as eval_app
from tandem.http.logs import install_redaction
from tandem.identity import audit
from tandem.identity.service import create_account
from tandem.identity.signing import unsafe_widget_secret
from tandem.knowledge.cli import app as kb_app
from tandem.ops import configure_logging, log_config
from tandem.services import build_services
from tandem.shop.cli import customers as demo_customers_command
from tandem.shop.seed import SITUATIONS, demo_customers
from tandem.simulation.cli import app as simulate_app
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
app.add_typer(simulate_app, name="simulate", help="模拟与排班 / Simulation and staffing.")
demo_app.command("customers")(demo_customers_command)
app.command("report")(report_command)

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
    """Migrate (and seed the demo); returns the demo customers to try, by situation. A shop
    wording file that cannot be used stops here, with the key to fix."""
    try:
        services = build_services(settings)
    except WordingError as exc:
        raise _fail(str(exc)) from None
    try:
        await upgrade(settings, services.engine)
        if not demo:
            return {}
        await seed_demo(services)
        async with services.sessions() as session:
            return await demo_customers(session, settings.widget_secret)
    finally:
        await services.engine.dispose()


# Edge limits of the HTTP server itself (docs/operations.md): idle keep-alive connections
# close, oversized headers are refused, and the process stops taking connections past a cap
# instead of running out of file descriptors; on shutdown, in-flight turns get time to finish.
SERVER_LIMITS: dict[str, Any] = {
    "timeout_keep_alive": 5,
    "h11_max_incomplete_event_size": 16 * 1024,
    "limit_concurrency": 2000,
    "timeout_graceful_shutdown": 20,
}


def _run_server(settings: Settings) -> None:
    configure_logging(settings)
    if settings.workers > 1:
        if settings.is_sqlite:
            raise _fail(
                "SQLite 只支持一个服务进程：多进程请使用 PostgreSQL（设置 TANDEM_DATABASE_URL，"
                "另设 TANDEM_REDIS_URL 让各进程互通）。SQLite takes one server process: for "
                "--workers use PostgreSQL (TANDEM_DATABASE_URL) and Redis (TANDEM_REDIS_URL)."
            )
        if not settings.redis_url:
            raise _fail(
                "多个进程需要 Redis 转发实时事件：请设置 TANDEM_REDIS_URL。Several workers need "
                "Redis for live events: set TANDEM_REDIS_URL."
            )
        # Each worker process builds its own app from the same environment.
        uvicorn.run(
            "tandem.app:app_from_environment",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_level=settings.log_level,
            log_config=log_config(settings),
            ws="websockets-sansio",
            **SERVER_LIMITS,
        )
        return
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        log_config=log_config(settings),
        ws="websockets-sansio",
        **SERVER_LIMITS,
    )
    install_redaction()  # after uvicorn configured its loggers
    uvicorn.Server(config).run()


WorkersOption = Annotated[
    int | None,
    typer.Option("--workers", min=1, help="Server processes (PostgreSQL + Redis only)."),
]


@app.command()
def serve(port: PortOption = None, host: HostOption = None, workers: WorkersOption = None) -> None:
    """Apply migrations and start the server."""
    settings = _settings(port, host)
    if workers is not None:
        settings = settings.model_copy(update={"workers": workers})
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
    out("\n  Chat as a demo-shop customer, one link per situation (`tandem demo reset` restores")
    out("  used-up cases; `tandem demo customers --json` for scripts):")
    for situation, c in customers.items():
        link = f"{base}/chat?external_id={c['external_id']}&signature={c['signature']}"
        out(f"    [bold]{situation}[/bold]: {SITUATIONS[situation].notes}", soft_wrap=True)
        out(f"      {link}", soft_wrap=True)
    out("\n  Stop with Ctrl+C.\n")
    _run_server(settings)


@demo_app.command("reset")
def demo_reset() -> None:
    """Put the demo shop back as seeded (dated from now): used-up cases work again."""

    async def run() -> None:
        settings = _settings()
        services = build_services(settings)
        try:
            await upgrade(settings, services.engine)
            await reset_demo_shop(services)
        finally:
            await services.engine.dispose()

    asyncio.run(run())
    console.print(
        f"demo shop reset: {len(SITUATIONS)} situations ready again (data: {_settings().data_dir})"
    )


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
                account = await create_account(
                    uow.session,
                    services.hasher,
                    username=username,
                    password=password,
                    role=role,
                    display_name=name,
                    skills=[s.strip() for s in skills.split(",") if s.strip()],
                )
                await audit.record(
                    uow,
                    actor=None,
                    action="account_created",
                    at=services.clock.now(),
                    target=account.id,
                    address="cli",
                    details={"username": username, "role": role},
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
