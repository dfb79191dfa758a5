"""A conversation flagged for repeated abuse while an agent serves it leaves the agent for a
supervisor (the policy's abuse_limit), and the agent's exposure counts it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.asyncio

ABUSE = ("你们这群傻逼客服", "垃圾客服，滚")


async def _login(base: str, username: str, online: bool = True) -> httpx.AsyncClient:
    c = httpx.AsyncClient(base_url=base, timeout=30)
    r = await c.post("/api/v1/auth/login", json={"username": username, "password": "tandem-demo"})
    assert r.status_code == 200
    if online:
        await c.put("/api/v1/desk/presence", json={"presence": "online"})
    return c


@pytest.mark.parametrize("lead_online", [True, False])
async def test_abuse_over_the_limit_moves_the_chat_to_a_supervisor(
    server: Any, lead_online: bool
) -> None:
    agent = await _login(server.url, "agent1")
    lead = await _login(server.url, "lead", online=lead_online)
    customer = httpx.AsyncClient(base_url=server.url, timeout=30)
    try:
        opened = (await customer.post("/api/v1/conversations", json={"language": "zh"})).json()
        cid, headers = opened["id"], {"Authorization": f"Bearer {opened['customer_token']}"}
        url = f"/api/v1/conversations/{cid}/messages"
        await customer.post(url, json={"text": "转人工"}, headers=headers)
        mine = (await agent.get("/api/v1/desk/conversations")).json()
        assert [c["id"] for c in mine] == [cid]
        me = (await agent.get("/api/v1/auth/me")).json()
        for text in ABUSE:
            r = await customer.post(url, json={"text": text}, headers=headers)
            assert r.status_code == 201, r.text
        c = (await lead.get(f"/api/v1/desk/conversations/{cid}")).json()["conversation"]
        assert c["flagged"] is True
        assert c["skill"] == "supervisor"
        assert c["assigned_agent_id"] != me["id"]
        assert (await agent.get("/api/v1/desk/conversations")).json() == []
        if lead_online:
            lead_me = (await lead.get("/api/v1/auth/me")).json()
            assert (c["state"], c["assigned_agent_id"]) == ("agent", lead_me["id"])
        else:
            assert c["state"] == "queued"
            queue = (await lead.get("/api/v1/desk/queue")).json()
            assert cid in [q["id"] for q in queue]
        board = (await lead.get("/api/v1/desk/supervisor")).json()
        exposure = {a["id"]: a["exposure"] for a in board["agents"]}
        assert exposure[me["id"]] > 0
    finally:
        for c in (agent, lead, customer):
            await c.aclose()
