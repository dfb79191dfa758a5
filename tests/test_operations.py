"""Operating the server: body limits at the edge, Prometheus metrics, readiness, workers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from tandem.cli import app as cli
from tandem.config import Settings
from tandem.ops import Metrics, observer
from tandem.services import Services


@pytest.mark.asyncio
async def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    limit = settings.max_request_bytes
    big = b'{"username": "' + b"x" * (limit + 10) + b'", "password": "p"}'
    r = await client.post(
        "/api/v1/auth/login", content=big, headers={"content-type": "application/json"}
    )
    # Refused on its Content-Length alone (Starlette's own short answer).
    assert r.status_code == 413


@pytest.mark.asyncio
async def test_a_chunked_body_over_the_limit_is_refused_too(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    chunk = b"y" * 4096
    chunks = settings.max_request_bytes // len(chunk) + 2

    async def body() -> AsyncIterator[bytes]:
        yield b'{"username": "'
        for _ in range(chunks):
            yield chunk
        yield b'", "password": "p"}'

    r = await client.post(
        "/api/v1/auth/login", content=body(), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413
    assert r.json()["message"].startswith("请求内容太大")


@pytest.mark.asyncio
async def test_a_message_under_the_limit_still_goes_through(open_customer) -> None:  # type: ignore[no-untyped-def]
    c = await open_customer()
    r = await c.say("你好" * 900)  # 1,800 characters: under the 2,000 the API allows
    assert r.status_code == 201


@pytest.mark.asyncio
async def test_metrics_count_requests_and_show_the_queue(
    client: httpx.AsyncClient, open_customer, services: Services
) -> None:  # type: ignore[no-untyped-def]
    c = await open_customer()
    await c.say("你好")
    r = await c.say("转人工")
    assert r.json()["conversation"]["state"] in ("queued", "agent")
    queued = 1 if r.json()["conversation"]["state"] == "queued" else 0
    text = (await client.get("/metrics")).text
    assert (
        'tandem_http_requests_total{method="POST",route="/api/v1/conversations/{conversation_id}/messages",status="201"} 2.0'
        in text
    )
    assert f"tandem_queue_length {float(queued)}" in text
    assert "tandem_http_server_errors_total" in text


@pytest.mark.asyncio
async def test_ready_when_the_database_answers(client: httpx.AsyncClient) -> None:
    r = await client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ready", "checks": {"database": "ok"}}


def test_several_workers_on_sqlite_are_refused_with_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("TANDEM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TANDEM_WIDGET_SECRET", "a-long-random-test-secret-0123456789")
    result = CliRunner().invoke(cli, ["serve", "--workers", "2", "--port", "1"])
    assert result.exit_code != 0
    assert "PostgreSQL" in result.output


@pytest.mark.asyncio
async def test_the_observer_labels_by_route_template_and_counts_a_raising_app_as_500() -> None:
    app = FastAPI()

    @app.get("/items/{item_id}")
    async def item(item_id: str) -> dict[str, str]:
        return {"id": item_id}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    metrics = Metrics()
    app.add_middleware(observer(metrics))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        assert (await c.get("/items/a")).status_code == 200
        assert (await c.get("/items/b")).status_code == 200
        assert (await c.get("/nowhere")).status_code == 404
        assert (await c.get("/boom")).status_code == 500

    def sample(name: str, **labels: str) -> float | None:
        return metrics.registry.get_sample_value(name, labels)

    # Two ids, one label set: the template, not the path.
    ok = {"method": "GET", "route": "/items/{item_id}", "status": "200"}
    assert sample("tandem_http_requests_total", **ok) == 2.0
    assert sample("tandem_http_request_seconds_count", method="GET", route="/items/{item_id}") == 2
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert sample("tandem_http_requests_total", **unmatched) == 1.0
    failed = {"method": "GET", "route": "/boom", "status": "500"}
    assert sample("tandem_http_requests_total", **failed) == 1.0
    assert sample("tandem_http_server_errors_total", route="/boom") == 1.0
    assert sample("tandem_http_server_errors_total", route="/items/{item_id}") is None
