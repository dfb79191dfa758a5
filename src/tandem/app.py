"""create_app(settings): the ASGI application with its services, routers and web pages."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from tandem import __version__
from tandem.config import Settings
from tandem.conversations.routes import router as conversations_router
from tandem.core.clock import Clock, SystemClock, utcnow
from tandem.db.session import build_engine, build_sessionmaker
from tandem.desk.routes import router as desk_router
from tandem.http.errors import install_error_handlers
from tandem.http.openapi import install_error_responses
from tandem.http.ratelimit import RateLimiter
from tandem.http.security import install_security_headers
from tandem.http.services import Services
from tandem.identity.routes import router as auth_router
from tandem.identity.service import password_hasher
from tandem.knowledge.index import KnowledgeIndex
from tandem.knowledge.routes import router as knowledge_router
from tandem.knowledge.service import load_index
from tandem.realtime.hub import LocalHub, RedisHub
from tandem.routing.assignment import run_round
from tandem.shop.provider import build_shop
from tandem.shop.routes import router as shop_router
from tandem.understanding import load_understanding

STATIC = Path(__file__).parent / "web" / "static"
log = logging.getLogger("tandem")


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    """Everything the app needs, built once. `clock` is for tests and the simulator."""
    engine = build_engine(settings)
    clock = clock or SystemClock()
    return Services(
        settings=settings,
        engine=engine,
        sessions=build_sessionmaker(engine),
        hub=RedisHub(settings.redis_url) if settings.redis_url else LocalHub(),
        hasher=password_hasher(settings.argon2_time_cost, settings.argon2_memory_cost),
        rate_limiter=RateLimiter(settings.rate_limit_per_minute),
        login_limiter=RateLimiter(10),
        understanding=load_understanding(settings.nlu_model_dir),
        knowledge=KnowledgeIndex(),
        shop=build_shop(settings, clock=clock),
        clock=clock,
    )


def create_app(settings: Settings, services: Services | None = None) -> FastAPI:
    services = services or build_services(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with services.sessions() as session:
            # The live knowledge base, indexed in memory; every change updates it at once.
            await load_index(session, services.knowledge)
        await services.hub.start()
        rounds = asyncio.create_task(_assignment_rounds(services))
        try:
            yield
        finally:
            rounds.cancel()
            with suppress(asyncio.CancelledError):
                await rounds
            await services.hub.stop()
            await services.shop.aclose()
            await services.engine.dispose()

    app = FastAPI(
        title="Tandem",
        version=__version__,
        description="Customer service where the AI agent and human agents work as one team.",
        lifespan=lifespan,
    )
    app.state.services = services
    install_error_handlers(app)
    install_security_headers(app, settings.widget_frame_ancestors)
    install_error_responses(app)
    app.include_router(auth_router)
    app.include_router(conversations_router)
    app.include_router(desk_router)
    app.include_router(shop_router)
    app.include_router(knowledge_router)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/", include_in_schema=False)
    async def index() -> RedirectResponse:
        return RedirectResponse("/chat")

    for page in ("chat", "desk"):
        app.add_api_route(f"/{page}", _page(f"{page}.html"), include_in_schema=False)
    app.add_api_route("/widget.js", _page("widget.js"), include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


ROUND_EVERY_SECONDS = 30


async def _assignment_rounds(services: Services) -> None:
    """Breaks end and silent agents are noticed even when nothing else happens: an assignment
    round every half minute (every change runs one too)."""
    while True:
        await asyncio.sleep(ROUND_EVERY_SECONDS)
        try:
            async with services.unit_of_work() as uow:
                await run_round(uow, utcnow())
        except Exception:  # a failed round must not stop the next one
            log.exception("assignment round failed")


def _page(name: str) -> Callable[[], Awaitable[FileResponse]]:
    async def serve() -> FileResponse:
        return FileResponse(STATIC / name, headers={"Cache-Control": "no-cache"})

    return serve
