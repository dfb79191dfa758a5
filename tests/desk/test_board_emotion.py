"""The board and the agent's list state how the customer feels now, not at the hand-off: the
packet is written once, when the AI hands over; the customer goes on writing to the agent."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.asyncio


async def test_the_board_follows_the_customer_after_the_hand_off(server: Any) -> None:
    agent = httpx.AsyncClient(base_url=server.url, timeout=30)
    lead = httpx.AsyncClient(base_url=server.url, timeout=30)
    customer = httpx.AsyncClient(base_url=server.url, timeout=30)
    try:
        for c, name in ((agent, "agent1"), (lead, "lead")):
            r = await c.post(
                "/api/v1/auth/login", json={"username": name, "password": "tandem-demo"}
            )
            assert r.status_code == 200
        await agent.put("/api/v1/desk/presence", json={"presence": "online"})
        opened = (await customer.post("/api/v1/conversations", json={"language": "zh"})).json()
        cid, headers = opened["id"], {"Authorization": f"Bearer {opened['customer_token']}"}

        async def say(text: str) -> None:
            r = await customer.post(
                f"/api/v1/conversations/{cid}/messages", json={"text": text}, headers=headers
            )
            assert r.status_code == 201, r.text

        async def shown() -> tuple[str, str]:
            board = (await lead.get("/api/v1/desk/supervisor/board")).json()
            row = next(r for r in board if r["id"] == cid)
            mine = (await agent.get("/api/v1/desk/conversations")).json()
            assert next(c for c in mine if c["id"] == cid)["emotion"] == row["emotion"]
            return row["emotion"]["label"], row["emotion"]["text"]

        await say("转人工")
        assert await shown() == ("neutral", "平静")
        await say("等了十天还没到，气死我了！！")
        assert await shown() == ("anger", "愤怒")
        detail = (await lead.get(f"/api/v1/desk/conversations/{cid}")).json()
        assert detail["conversation"]["handoff_packet"]["emotion"]["label"] == "neutral"
        # Still angry two calm messages later (the last three count), calm after three.
        await say("好的")
        await say("那我再等等")
        assert (await shown())[0] == "anger"
        await say("好的")
        assert await shown() == ("neutral", "平静")
    finally:
        for c in (agent, lead, customer):
            await c.aclose()
