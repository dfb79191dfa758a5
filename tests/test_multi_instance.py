"""Two server instances sharing PostgreSQL and Redis: a customer connected to one sees, live,
what an agent does on the other."""

from __future__ import annotations

import json

import asyncpg
import httpx
import pytest
import websockets

from tandem.config import Settings
from tandem.core.errors import RateLimited
from tandem.db.migrate import upgrade
from tandem.demo import seed_demo
from tandem.http.ratelimit import RateLimiter, storage_for
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


async def test_two_instances_count_one_rate_limit_in_redis(  # type: ignore[no-untyped-def]
    tmp_path, pg_url: str, redis_url: str
) -> None:
    # Three messages a minute per conversation, whichever instance each one reaches: the
    # fourth is refused even though each instance saw only two.
    settings = Settings(
        data_dir=tmp_path,
        database_url=pg_url,
        redis_url=redis_url,
        argon2_time_cost=1,
        argon2_memory_cost=64,
        rate_limit_per_minute=3,
    )
    a, b = build_services(settings), build_services(settings)
    await upgrade(settings, a.engine)
    await seed_demo(a)
    async with (
        serve(settings, a) as one,
        serve(settings, b) as two,
        httpx.AsyncClient(base_url=one.url, timeout=60) as first,
        httpx.AsyncClient(base_url=two.url, timeout=60) as second,
    ):
        opened = (await first.post("/api/v1/conversations", json={})).json()
        headers = {"Authorization": f"Bearer {opened['customer_token']}"}
        url = f"/api/v1/conversations/{opened['id']}/messages"
        statuses = []
        for client, text in (
            (first, "你好"),
            (second, "在吗"),
            (first, "发货了吗"),
            (second, "？"),
        ):
            r = await client.post(url, json={"text": text}, headers=headers)
            statuses.append(r.status_code)
        assert statuses == [201, 201, 201, 429]
        assert "每分钟最多 3 条" in r.json()["message"]
        assert int(r.headers["Retry-After"]) >= 1
        # Another conversation has its own window, on either instance.
        other = (await second.post("/api/v1/conversations", json={})).json()
        r = await first.post(
            f"/api/v1/conversations/{other['id']}/messages",
            json={"text": "你好"},
            headers={"Authorization": f"Bearer {other['customer_token']}"},
        )
        assert r.status_code == 201
        # The refused message was not stored: three customer messages in the conversation.
        listed = await first.get(url, headers=headers)
        messages = listed.json()["messages"]
    await a.engine.dispose()
    await b.engine.dispose()
    customer = [m for m in messages if m["author"] == "customer"]
    assert [m["text"] for m in customer] == ["你好", "在吗", "发货了吗"]


async def test_without_redis_the_limit_is_counted_in_memory() -> None:
    limiter = RateLimiter(2, storage=storage_for(None))
    await limiter.check("c1")
    await limiter.check("c1")
    with pytest.raises(RateLimited):
        await limiter.check("c1")
    await limiter.check("c2")  # a key of its own


async def test_limiters_on_one_redis_share_their_counts(redis_url: str) -> None:
    # Two processes' limiters, each with its own connection to the same Redis.
    one = RateLimiter(2, storage=storage_for(redis_url), namespace="shared-test")
    two = RateLimiter(2, storage=storage_for(redis_url), namespace="shared-test")
    await one.check("conv-x")
    await two.check("conv-x")
    with pytest.raises(RateLimited):
        await one.check("conv-x")
    with pytest.raises(RateLimited):
        await two.check("conv-x")
