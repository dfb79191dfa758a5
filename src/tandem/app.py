"""create_app(settings): the ASGI application with its services, routers and web pages."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import swagger_ui_bundle
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from tandem import __version__, ops
from tandem.analytics.routes import keep_fresh as keep_analytics_fresh
from tandem.analytics.routes import router as analytics_router
from tandem.attachments.routes import router as attachments_router
from tandem.channels.routes import router as channels_router
from tandem.config import Settings
from tandem.contacts.routes import router as contacts_router
from tandem.deps import ServicesDep
from tandem.desk.order_routes import router as shop_router
from tandem.desk.routes import router as desk_router
from tandem.http.errors import install_error_handlers
from tandem.http.logs import install_redaction
from tandem.http.openapi import install_error_responses
from tandem.http.security import install_security_headers
from tandem.identity.routes import router as auth_router
from tandem.knowledge.routes import router as knowledge_router
from tandem.knowledge.service import follow_changes, load_index
from tandem.llm.routes import router as llm_router
from tandem.routing.assignment import run_round
from tandem.services import Services, build_services
from tandem.simulation.routes import router as simulation_router
from tandem.turns.routes import router as customer_router
from tandem.turns.upload import router as upload_router
from tandem.turns.widget import router as widget_router

STATIC = Path(__file__).parent / "web" / "static"
SWAGGER_UI = Path(swagger_ui_bundle.swagger_ui_path)
log = logging.getLogger("tandem")


def create_app(settings: Settings, services: Services | None = None) -> FastAPI:
    services = services or build_services(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        log.info("understanding: %s", services.understanding.encoder_status())
        if not len(services.knowledge):
            # The live knowledge base, indexed in memory; every change updates it at once.
            # (An index handed in already filled, as by the demo's seeding, is kept.)
            async with services.sessions() as session:
                await load_index(session, services.knowledge)
        await services.hub.start()
        rounds = asyncio.create_task(_assignment_rounds(services))
        folds = asyncio.create_task(keep_analytics_fresh(services))
        # Entries changed by another instance or `tandem kb import` go live here too.
        follow = asyncio.create_task(
            follow_changes(
                services.sessions, services.knowledge, redis_url=services.settings.redis_url
            )
        )
        try:
            yield
        finally:
            for task in (rounds, folds, follow):
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
            await services.hub.stop()
            await services.shop.aclose()
            await services.engine.dispose()

    app = FastAPI(
        title="Tandem",
        version=__version__,
        description="Customer service where the AI agent and human agents work as one team.",
        lifespan=lifespan,
        # A body over the limit is refused with 413 before it is read into memory (uploads set
        # their own, larger limit on their route).
        max_body_size=settings.max_request_bytes,
        # Served below from the installed swagger-ui-bundle-v2: the CDN defaults are a blank page
        # offline. ReDoc has no packaged copy, so it is not offered.
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = services
    install_error_handlers(app)
    ops.install(app)
    install_security_headers(app, settings.widget_frame_ancestors)
    install_error_responses(app)
    app.include_router(auth_router)
    app.include_router(customer_router)
    app.include_router(desk_router)
    app.include_router(shop_router)
    app.include_router(knowledge_router)
    app.include_router(upload_router)
    app.include_router(attachments_router)
    app.include_router(contacts_router)
    app.include_router(widget_router)
    app.include_router(analytics_router)
    app.include_router(simulation_router)
    app.include_router(llm_router)
    app.include_router(channels_router)

    app.include_router(_pages)
    # Mounted before /static so that it is matched first.
    app.mount("/static/swagger", StaticFiles(directory=SWAGGER_UI), name="swagger")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def app_from_environment() -> FastAPI:
    """The app of one worker of `tandem serve --workers N`: settings from the environment."""
    install_redaction()
    return create_app(Settings())


ROUND_EVERY_SECONDS = 30


async def _assignment_rounds(services: Services) -> None:
    """Breaks end and silent agents are noticed even when nothing else happens: an assignment
    round every half minute (every change runs one too)."""
    while True:
        await asyncio.sleep(ROUND_EVERY_SECONDS)
        try:
            async with services.unit_of_work() as uow:
                await run_round(uow, services.clock.now())
        except Exception:  # a failed round must not stop the next one
            log.exception("assignment round failed")


def _page(name: str) -> Callable[[], Awaitable[FileResponse]]:
    async def serve() -> FileResponse:
        return FileResponse(STATIC / name, headers={"Cache-Control": "no-cache"})

    return serve


# The pages and small endpoints of every app, as module functions that read the app from the
# request: FastAPI keeps process-wide caches keyed by endpoint, so a closure per app (over its
# services) would keep every app built in the process alive.
_pages = APIRouter(include_in_schema=False)


@_pages.get("/docs")
async def docs(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url or "/openapi.json",
        title="Tandem API",
        swagger_js_url="/static/swagger/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger/swagger-ui.css",
        swagger_favicon_url="/static/swagger/favicon-32x32.png",
    )


@_pages.get("/healthz")
async def healthz(services: ServicesDep) -> dict[str, str]:
    return {
        "status": "ok",
        "version": __version__,
        "understanding": services.understanding.encoder_status(),
    }


@_pages.get("/")
async def index() -> RedirectResponse:
    return RedirectResponse("/chat")


for _name in ("chat", "desk"):
    _pages.add_api_route(f"/{_name}", _page(f"{_name}.html"))
_pages.add_api_route("/widget.js", _page("widget.js"))
