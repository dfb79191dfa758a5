"""Two server instances sharing PostgreSQL and Redis: a customer connected to one sees, live,
what an agent does on the other."""

from __future__ import annotations

import json

import asyncpg
import httpx
import pytest
import websockets

from tandem.config import Settings
from tandem.db.migrate import upgrade
from tandem.demo import seed_demo
from tandem.services import build_services
from tests.conftest import PgServer, serve

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
async def pg_url(pg_server: PgServer) -> str:
    admin = await asyncpg.connect(
        host=pg_server.host, port=pg_server.port, user=pg_server.user, database="postgres"
    )
    await admin.execute('DROP DATABASE IF EXISTS "multi" WITH (FORCE)')
    await admin.execute('CREATE DATABASE "multi"')
    await admin.close()
    return pg_server.url("multi")


async def test_events_cross_instances_through_redis(tmp_path, pg_url: str, redis_url: str) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(
        data_dir=tmp_path,
        database_url=pg_url,
        redis_url=redis_url,
        argon2_time_cost=1,
        argon2_memory_cost=64,
    )
    a, b = build_services(settings), build_services(settings)
    await upgrade(settings, a.engine)
    await seed_demo(a)
    async with (
        serve(settings, a) as one,
        serve(settings, b) as two,
        httpx.AsyncClient(base_url=one.url) as customer,
        httpx.AsyncClient(base_url=two.url) as agent,
    ):
        if True:
            opened = (await customer.post("/api/v1/conversations", json={})).json()
            headers = {"Authorization": f"Bearer {opened['customer_token']}"}
            await customer.post(
                f"/api/v1/conversations/{opened['id']}/messages",
                json={"text": "人工"},
                headers=headers,
            )
            last = (
                await customer.get(f"/api/v1/conversations/{opened['id']}", headers=headers)
            ).json()["last_seq"]
            url = f"{one.ws_url}/api/v1/conversations/{opened['id']}/events?token={opened['customer_token']}&after_seq={last}"
            async with websockets.connect(url) as ws:
                await agent.post(
                    "/api/v1/auth/login", json={"username": "agent1", "password": "tandem-demo"}
                )
                await agent.put("/api/v1/desk/presence", json={"presence": "online"})
                assert (
                    await agent.post(f"/api/v1/desk/conversations/{opened['id']}/accept")
                ).status_code == 200
                await agent.post(
                    f"/api/v1/desk/conversations/{opened['id']}/messages",
                    json={"text": "来自另一台服务器"},
                )
                seen = []
                while not (
                    seen
                    and seen[-1]["type"] == "message.created"
                    and seen[-1]["data"]["author"] == "agent"
                ):
                    seen.append(json.loads(await ws.recv()))
                assert [e["seq"] for e in seen] == list(range(last + 1, last + 1 + len(seen)))
                assert seen[-1]["data"]["text"] == "来自另一台服务器"
    await a.engine.dispose()
    await b.engine.dispose()
