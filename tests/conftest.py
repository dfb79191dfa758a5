"""Shared fixtures: real databases (SQLite, and PostgreSQL started from the installed binaries),
a real server on loopback, and HTTP clients. No fakes for what we can run."""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from bench.local_servers import NotInstalled, local_postgres, local_redis
from bench.local_servers import Postgres as PgServer
from playwright.async_api import Browser, async_playwright

from tandem.app import create_app
from tandem.config import Settings
from tandem.core.clock import FixedClock
from tandem.db.migrate import upgrade
from tandem.demo import seed_demo
from tandem.identity.signing import sign_external_id
from tandem.knowledge.service import load_index
from tandem.services import Services, build_services
from tandem.shop.seed import SITUATIONS


def _missing(what: str) -> None:
    message = f"{what} is not installed: run .ci/run (or apt-get install it) to run these tests"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A private PostgreSQL cluster on a free loopback port, for this test session only."""
    try:
        with local_postgres(fsync=False) as pg:
            yield pg
    except NotInstalled as missing:
        _missing(str(missing))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Each API test runs once on SQLite and once on PostgreSQL, each time on a fresh database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tandem.db'}"
        return
    pg: PgServer = request.getfixturevalue("pg_server")
    name = "t_" + uuid.uuid4().hex[:12]
    admin = await asyncpg.connect(host=pg.host, port=pg.port, user=pg.user, database="postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg.url(name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=db_url,
        argon2_time_cost=1,
        argon2_memory_cost=64,
        rate_limit_per_minute=1000,
        log_level="warning",
        # The tests' clock stands still: a background fold would mark the rollups fresh for
        # good before a test seeds its conversations. Requests fold (tests/analytics).
        analytics_fold_seconds=0,
    )


def staffed_today() -> datetime:
    """14:00 in Shanghai today: inside the demo shop's service hours, whenever tests run."""
    return datetime.now(UTC).replace(hour=6, minute=0, second=0, microsecond=0)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(staffed_today())


# Migrating and seeding the demo shop takes a second or two; most tests need exactly that
# state. It is built once per worker and per (database kind, clock), into a template that each
# test's fresh database is copied from: SQLite's backup API, PostgreSQL's CREATE DATABASE
# ... TEMPLATE. Each test still gets its own database.
_TEMPLATES: dict[tuple[str, datetime], str] = {}


async def _migrated_and_seeded(settings: Settings, clock: FixedClock) -> None:
    services = build_services(settings, clock)
    try:
        await upgrade(settings, services.engine)
        await seed_demo(services)
    finally:
        await services.engine.dispose()


def _sqlite_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


async def _copy_sqlite_template(settings: Settings, clock: FixedClock) -> None:
    key = ("sqlite", clock.now())
    if key not in _TEMPLATES:
        base = Path(tempfile.mkdtemp(prefix="tandem-template-"))
        template = base / "template.db"
        await _migrated_and_seeded(
            settings.model_copy(update={"database_url": f"sqlite:///{template}", "data_dir": base}),
            clock,
        )
        _TEMPLATES[key] = str(template)
    with (
        sqlite3.connect(_TEMPLATES[key]) as source,
        sqlite3.connect(_sqlite_path(settings.database_url)) as target,
    ):
        source.backup(target)


async def _copy_postgres_template(settings: Settings, clock: FixedClock, pg: PgServer) -> None:
    key = ("postgres", clock.now())
    if key not in _TEMPLATES:
        name = "tpl_" + uuid.uuid4().hex[:12]
        admin = await asyncpg.connect(host=pg.host, port=pg.port, user=pg.user, database="postgres")
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        await _migrated_and_seeded(
            settings.model_copy(update={"database_url": pg.url(name)}), clock
        )
        _TEMPLATES[key] = name
    target = settings.database_url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(host=pg.host, port=pg.port, user=pg.user, database="postgres")
    try:
        await admin.execute(f'DROP DATABASE "{target}"')
        await admin.execute(f'CREATE DATABASE "{target}" TEMPLATE "{_TEMPLATES[key]}"')
    finally:
        await admin.close()


@pytest.fixture
async def services(
    request: pytest.FixtureRequest, settings: Settings, clock: FixedClock
) -> AsyncIterator[Services]:
    """The demo shop, migrated and seeded, on this test's own database."""
    if settings.is_sqlite:
        await _copy_sqlite_template(settings, clock)
    else:
        await _copy_postgres_template(settings, clock, request.getfixturevalue("pg_server"))
    services = build_services(settings, clock)
    async with services.sessions() as session:
        await load_index(session, services.knowledge)
    yield services
    await services.engine.dispose()


@dataclass
class LiveServer:
    url: str
    ws_url: str
    services: Services


@asynccontextmanager
async def serve(settings: Settings, services: Services) -> AsyncIterator[LiveServer]:
    """The real app under uvicorn on a loopback port. The socket is bound before serving, so
    clients can connect at once (the kernel queues them): nothing to wait for."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings, services), log_level="warning", ws="websockets-sansio", lifespan="on"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", services)
    finally:
        server.should_exit = True
        await task
        sock.close()


@pytest.fixture
async def server(settings: Settings, services: Services) -> AsyncIterator[LiveServer]:
    async with serve(settings, services) as live:
        yield live


@pytest.fixture
async def client(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as c:
        yield c


@pytest.fixture
async def agent_client(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    """A desk client logged in as the demo agent `agent1`, online."""
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as c:
        r = await c.post(
            "/api/v1/auth/login", json={"username": "agent1", "password": "tandem-demo"}
        )
        assert r.status_code == 200, r.text
        r = await c.put("/api/v1/desk/presence", json={"presence": "online"})
        assert r.status_code == 200, r.text
        yield c


@dataclass
class Customer:
    id: str
    token: str
    client: httpx.AsyncClient

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def say(
        self, text: str, client_msg_id: str | None = None, payload: str | None = None
    ) -> httpx.Response:
        body: dict[str, object] = {"text": text, "client_msg_id": client_msg_id or uuid.uuid4().hex}
        if payload is not None:
            body["payload"] = payload
        return await self.client.post(
            f"/api/v1/conversations/{self.id}/messages", json=body, headers=self.headers
        )


@pytest.fixture
async def open_customer(client: httpx.AsyncClient):  # type: ignore[no-untyped-def]
    async def _open(body: dict[str, object] | None = None) -> Customer:
        r = await client.post("/api/v1/conversations", json=body or {})
        assert r.status_code == 201, r.text
        data = r.json()
        return Customer(data["id"], data["customer_token"], client)

    return _open


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A private redis-server on a free loopback port, for this test session only."""
    try:
        with local_redis() as url:
            yield url
    except NotInstalled as missing:
        _missing(str(missing))


# --- real headless Chromium (Debian's), driven by Playwright ---------------------------

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # The widget test serves a shop page from a routed origin; Chromium would treat it as
    # public and refuse its script request to loopback, which a real deployment never meets.
    "--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests",
]


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not Path(CHROMIUM).exists():  # noqa: ASYNC240 (once per session, before any I/O)
        message = (
            "Chromium is not installed: run .ci/run (apt-get install chromium) for browser tests"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        await browser.close()


# Known failures of the product (not of the tests), each with why, in tests/known_failures.txt:
# they run and are reported as xfail until fixed (an unexpected pass is reported as XPASS).
KNOWN_FAILURES = Path(__file__).parent / "known_failures.txt"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not KNOWN_FAILURES.is_file():
        return
    known: dict[str, str] = {}
    for line in KNOWN_FAILURES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            node, _, why = line.partition("  # ")
            known[node.strip()] = why.strip() or "known failure"
    for item in items:
        why = known.get(item.nodeid)
        if why is not None:
            item.add_marker(pytest.mark.xfail(reason=why, strict=False))


async def signed_customer(
    server: Any, client: httpx.AsyncClient, situation: str
) -> tuple[str, dict[str, str]]:
    """A conversation opened as the demo shop's customer for `situation` (signed as the shop's
    page signs it): its id and the customer's auth headers."""
    ext = SITUATIONS[situation].external_id
    signature = sign_external_id(server.services.settings.widget_secret, ext)
    body = {"language": "zh", "customer": {"external_id": ext, "signature": signature}}
    opened = (await client.post("/api/v1/conversations", json=body)).json()
    return opened["id"], {"Authorization": f"Bearer {opened['customer_token']}"}
