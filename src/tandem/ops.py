"""Operating the server: Prometheus metrics (`/metrics`), readiness (`/readyz`) and the
logs' configuration (JSON or text, personal data masked).

Metrics live in a registry of the app's own (two apps in one process, as in the tests, never
share counters). Request counts and latencies are observed per route template, so ids in paths
do not explode the label set; the queue and staffing gauges are read from the database when
Prometheus scrapes, so no request pays for them.
"""

from __future__ import annotations

import logging
import logging.config
import time
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from redis.asyncio import Redis
from sqlalchemy import func, select, text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tandem.config import Settings
from tandem.conversations.models import Conversation
from tandem.core.logs import TEXT_FORMAT, JsonFormatter, MaskingFormatter
from tandem.http.logs import redact_secrets
from tandem.identity.models import Account
from tandem.services import Services
from tandem.understanding.normalize import mask_personal_data

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "tandem_http_requests_total",
            "HTTP requests by route template, method and status",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "tandem_http_request_seconds",
            "HTTP request latency by route template",
            ("method", "route"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "tandem_http_server_errors_total",
            "Responses with a 5xx status (should stay 0)",
            ("route",),
            registry=self.registry,
        )
        self.queued = Gauge(
            "tandem_queue_length", "Conversations waiting for a person", registry=self.registry
        )
        self.oldest_wait = Gauge(
            "tandem_queue_oldest_wait_seconds",
            "How long the longest-waiting customer has waited",
            registry=self.registry,
        )
        self.agents_online = Gauge(
            "tandem_agents_online", "Agents whose presence is online", registry=self.registry
        )


def _route(scope: Scope) -> str:
    route = scope.get("route")
    return str(getattr(route, "path", "unmatched"))


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


def observer(metrics: Metrics) -> Callable[[ASGIApp], ASGIApp]:
    """Counts and times every HTTP request by route template, as a pure ASGI layer (a
    `BaseHTTPMiddleware` runs each request's app in a task of its own behind a memory stream,
    a cost every message paid). The route is known once the router has matched it (Starlette
    writes it into the request's scope); a request whose app raised counts as a 500."""

    def middleware(inner: ASGIApp) -> ASGIApp:
        async def observed(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await inner(scope, receive, send)
                return
            started = time.perf_counter()
            status = 500

            async def send_observed(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                await send(message)

            try:
                await inner(scope, receive, send_observed)
            finally:
                method, route = scope["method"], _route(scope)
                metrics.latency.labels(method, route).observe(time.perf_counter() - started)
                metrics.requests.labels(method, route, str(status)).inc()
                if status >= 500:
                    metrics.errors.labels(route).inc()

        return observed

    return middleware


# The endpoints are module functions that find the app's services and metrics on the request:
# a closure per app would be kept alive by FastAPI's (process-wide) callable caches.
router = APIRouter(include_in_schema=False)


@router.get("/metrics")
async def prometheus(request: Request) -> Response:
    services, metrics = _services(request), _metrics(request)
    now = services.clock.now()
    async with services.sessions() as session:
        queued, oldest = (
            await session.execute(
                select(func.count(), func.min(Conversation.queued_at)).where(
                    Conversation.state == "queued"
                )
            )
        ).one()
        online = await session.scalar(
            select(func.count()).select_from(Account).where(Account.presence == "online")
        )
    metrics.queued.set(queued or 0)
    metrics.oldest_wait.set((now - oldest).total_seconds() if oldest else 0)
    metrics.agents_online.set(online or 0)
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Ready when the database answers and, if configured, Redis does: a load balancer
    sends traffic only to instances that say so."""
    services = _services(request)
    checks: dict[str, str] = {}
    try:
        async with services.sessions() as session:
            await session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure means not ready; the reason is reported
        checks["database"] = f"error: {type(exc).__name__}"
    if services.settings.redis_url:
        client = Redis.from_url(services.settings.redis_url)
        try:
            await client.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
        finally:
            await client.aclose()
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": checks},
        status_code=200 if ready else 503,
    )


def install(app: FastAPI) -> Metrics:
    """Metrics of this app (on `app.state.metrics`), its request observer and endpoints."""
    metrics = Metrics()
    app.state.metrics = metrics
    app.add_middleware(observer(metrics))
    app.include_router(router)
    return metrics


# --- logs ---------------------------------------------------------------------------------------


def mask_log_text(text: str) -> str:
    """What a log line may not carry: customer tokens and signatures, then personal data
    (phone numbers, addresses, ID numbers, e-mails; order numbers are kept)."""
    return mask_personal_data(redact_secrets(text))


def json_formatter() -> logging.Formatter:
    return JsonFormatter(mask=mask_log_text)


def text_formatter() -> logging.Formatter:
    return MaskingFormatter(TEXT_FORMAT, mask=mask_log_text)


def log_config(settings: Settings) -> dict[str, Any]:
    """`logging.config.dictConfig` for the server, uvicorn's loggers included (handed to
    uvicorn as its `log_config`, so every worker process logs the same way):
    `TANDEM_LOG_FORMAT` json or text, `TANDEM_LOG_LEVEL`, masked, on standard error."""
    level = settings.log_level.upper()
    factory = json_formatter if settings.log_format == "json" else text_formatter
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "tandem",
        "stream": "ext://sys.stderr",
    }
    quiet = {"handlers": ["console"], "level": level, "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"tandem": {"()": factory}},
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {name: dict(quiet) for name in ("uvicorn", "uvicorn.error", "uvicorn.access")},
    }


def configure_logging(settings: Settings) -> None:
    logging.config.dictConfig(log_config(settings))
