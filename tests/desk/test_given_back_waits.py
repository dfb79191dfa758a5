"""A conversation an agent gives back (break, offline, back to the queue, escalation) while
every colleague is at capacity waits in the queue with one place and one wait, and the desk
keeps working around it (issue 13: it used to answer 500 from the wait estimate)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

pytestmark = pytest.mark.asyncio


@asynccontextmanager
async def desk(server, username: str, presence: str = "online") -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as c:
        r = await c.post(
            "/api/v1/auth/login", json={"username": username, "password": "tandem-demo"}
        )
        assert r.status_code == 200, r.text
        r = await c.put("/api/v1/desk/presence", json={"presence": presence})
        assert r.status_code == 200, r.text
        yield c


async def _colleague_full_and_mine(server, open_customer):  # type: ignore[no-untyped-def]
    """agent2 holds three (their cap); agent1 then comes online and gets the fourth."""
    async with desk(server, "agent1", presence="away"):
        pass
    full = []
    async with desk(server, "agent2") as a2:
        for _ in range(3):
            c = await open_customer()
            r = await c.say("人工客服")
            assert r.json()["conversation"]["state"] == "agent"
            full.append(c)
        mine = (await a2.get("/api/v1/desk/conversations")).json()
        assert len(mine) == 3
    return full


@pytest.mark.parametrize(
    "give_back",
    [
        ("presence", {"presence": "break", "break_minutes": 15}),
        ("presence", {"presence": "offline"}),
        ("transfer", {}),
    ],
    ids=["break", "offline", "back_to_queue"],
)
async def test_given_back_with_colleagues_at_capacity_waits_with_its_wait(
    server, open_customer, give_back
) -> None:  # type: ignore[no-untyped-def]
    await _colleague_full_and_mine(server, open_customer)
    async with desk(server, "agent1") as a1:
        c = await open_customer()
        r = await c.say("人工客服")
        assert r.json()["conversation"]["state"] == "agent"
        kind, body = give_back
        if kind == "presence":
            r = await a1.put("/api/v1/desk/presence", json=body)
        else:
            r = await a1.post(f"/api/v1/desk/conversations/{c.id}/transfer", json=body)
        assert r.status_code == 200, r.text
        async with desk(server, "lead") as lead:
            queue = (await lead.get("/api/v1/desk/queue")).json()
            assert [q["id"] for q in queue] == [c.id]
            assert queue[0]["position"] == 1
            # Three slots of agent2's busy, one ahead (itself): one slot must free first, so
            # the wait is positive (a handling time over three slots at the default 300 s).
            assert queue[0]["eta_seconds"] > 0
            # The rest of the desk still works around it: another hand-off, a round.
            other = await open_customer()
            r = await other.say("人工客服")
            assert r.status_code == 201, r.text
            assert (await lead.post("/api/v1/desk/assign")).status_code == 200


async def test_escalation_with_supervisor_busy_waits(server, open_customer) -> None:  # type: ignore[no-untyped-def]
    await _colleague_full_and_mine(server, open_customer)
    async with desk(server, "agent1") as a1, desk(server, "lead", presence="away") as lead:
        c = await open_customer()
        await c.say("人工客服")
        r = await a1.post(f"/api/v1/desk/conversations/{c.id}/escalate", json={"note": "要主管"})
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "queued" and r.json()["skill"] == "supervisor"
        r = await lead.put("/api/v1/desk/presence", json={"presence": "online"})
        assert r.status_code == 200, r.text
        mine = (await lead.get("/api/v1/desk/conversations")).json()
        assert [m["id"] for m in mine] == [c.id]
