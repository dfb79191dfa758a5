"""The workbench beside the chat and the lead's control room, through the HTTP API: internal
notes never reach the customer, a transfer note travels with the chat, tags, the customer's
name and history, the board of open conversations and taking one over (audited)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import signed_customer

pytestmark = pytest.mark.asyncio
SECRET_NOTE = "内部备注：此客户上次退款有争议"


async def _login(base: str, username: str) -> httpx.AsyncClient:
    c = httpx.AsyncClient(base_url=base, timeout=30)
    r = await c.post("/api/v1/auth/login", json={"username": username, "password": "tandem-demo"})
    assert r.status_code == 200
    await c.put("/api/v1/desk/presence", json={"presence": "online"})
    return c


async def _customer_hands_off(
    server: Any, client: httpx.AsyncClient, situation: str
) -> tuple[str, dict[str, str]]:
    cid, headers = await signed_customer(server, client, situation)
    r = await client.post(
        f"/api/v1/conversations/{cid}/messages", json={"text": "转人工"}, headers=headers
    )
    assert r.status_code == 201
    return cid, headers


async def test_notes_tags_customer_and_transfer_note(server: Any) -> None:
    agent1 = await _login(server.url, "agent1")
    customer = httpx.AsyncClient(base_url=server.url, timeout=30)
    agent2 = None
    try:
        cid, headers = await _customer_hands_off(server, customer, "in_transit")
        mine = (await agent1.get("/api/v1/desk/conversations")).json()
        assert [c["id"] for c in mine] == [cid]
        # The list names the customer from the shop, not by "c0002".
        assert mine[0]["customer_name"] not in (None, "", "c0002")
        assert mine[0]["waited_seconds"] == 0  # an agent was free: no wait
        assert mine[0]["last_customer_at"] is not None
        r = await agent1.post(f"/api/v1/desk/conversations/{cid}/notes", json={"text": SECRET_NOTE})
        assert r.status_code == 201 and r.json()["author_name"]
        empty = await agent1.post(f"/api/v1/desk/conversations/{cid}/notes", json={"text": "  "})
        assert empty.status_code == 422 and "备注不能为空" in empty.json()["message"]
        r = await agent1.post(f"/api/v1/desk/conversations/{cid}/tags", json={"tag": "物流异常"})
        assert r.json() == {"tags": ["物流异常"]}
        bad = await agent1.post(f"/api/v1/desk/conversations/{cid}/tags", json={"tag": "<b>"})
        assert bad.status_code == 422 and "标签" in bad.json()["message"]
        # The customer's own view of the conversation never carries the note.
        seen = await customer.get(f"/api/v1/conversations/{cid}/messages", headers=headers)
        assert seen.status_code == 200
        assert SECRET_NOTE not in seen.text
        assert (
            SECRET_NOTE
            not in (await customer.get(f"/api/v1/conversations/{cid}", headers=headers)).text
        )
        profile = (await agent1.get(f"/api/v1/desk/conversations/{cid}/customer")).json()
        assert profile["external_id"] == "c0002" and profile["name"] and profile["name"] != "c0002"
        assert profile["orders"] >= 1 and profile["conversations"] == 1
        # Passed to a colleague with a note: they read it first.
        agent2 = await _login(server.url, "agent2")
        ids = {a["username"]: a["id"] for a in (await agent1.get("/api/v1/desk/agents")).json()}
        r = await agent1.post(
            f"/api/v1/desk/conversations/{cid}/transfer",
            json={"agent_id": ids["agent2"], "note": "已查物流，客户要改地址"},
        )
        assert r.status_code == 200, r.text
        detail = (await agent2.get(f"/api/v1/desk/conversations/{cid}")).json()
        assert [(n["kind"], n["text"]) for n in detail["notes"]] == [
            ("note", SECRET_NOTE),
            ("transfer", "已查物流，客户要改地址"),
        ]
        assert detail["conversation"]["tags"] == ["物流异常"]
        seen = await customer.get(f"/api/v1/conversations/{cid}/messages", headers=headers)
        assert "已查物流，客户要改地址" not in seen.text and SECRET_NOTE not in seen.text
    finally:
        for c in (agent1, agent2, customer):
            if c is not None:
                await c.aclose()


async def test_board_take_over_and_audit(server: Any) -> None:
    agent1 = await _login(server.url, "agent1")
    lead = await _login(server.url, "lead")
    customer = httpx.AsyncClient(base_url=server.url, timeout=30)
    try:
        cid, _ = await _customer_hands_off(server, customer, "delivered_recent")
        forbidden = await agent1.get("/api/v1/desk/supervisor/board")
        assert forbidden.status_code == 403
        rows = {r["id"]: r for r in (await lead.get("/api/v1/desk/supervisor/board")).json()}
        row = rows[cid]
        assert row["state"] == "agent" and row["agent_name"]
        assert row["customer_name"] and row["customer_name"] != "c0003"
        assert row["emotion"]["label"] == "neutral"
        assert row["flagged"] is False
        r = await lead.post(f"/api/v1/desk/supervisor/conversations/{cid}/take-over")
        assert r.status_code == 200, r.text
        me = (await lead.get("/api/v1/auth/me")).json()
        assert r.json()["assigned_agent_id"] == me["id"]
        assert (await agent1.get("/api/v1/desk/conversations")).json() == []
        audit = (await lead.get("/api/v1/auth/audit")).json()
        entries = audit if isinstance(audit, list) else audit.get("entries", audit.get("items", []))
        assert any(e["action"] == "supervisor_take_over" and e["target"] == cid for e in entries)
        # Closed by the lead: gone from the board.
        assert (await lead.post(f"/api/v1/desk/conversations/{cid}/resolve")).status_code == 200
        rows = {r["id"] for r in (await lead.get("/api/v1/desk/supervisor/board")).json()}
        assert cid not in rows
        again = await lead.post(f"/api/v1/desk/supervisor/conversations/{cid}/take-over")
        assert again.status_code == 409 and "已结束" in again.json()["message"]
    finally:
        for c in (agent1, lead, customer):
            await c.aclose()


async def test_lead_takes_over_a_chat_the_ai_is_serving(server: Any) -> None:
    lead = await _login(server.url, "lead")
    customer = httpx.AsyncClient(base_url=server.url, timeout=30)
    try:
        opened = (await customer.post("/api/v1/conversations", json={"language": "zh"})).json()
        cid, headers = opened["id"], {"Authorization": f"Bearer {opened['customer_token']}"}
        r = await customer.post(
            f"/api/v1/conversations/{cid}/messages", json={"text": "你好"}, headers=headers
        )
        assert r.status_code == 201
        rows = {r["id"]: r for r in (await lead.get("/api/v1/desk/supervisor/board")).json()}
        assert rows[cid]["state"] == "bot" and rows[cid]["agent_name"] is None
        r = await lead.post(f"/api/v1/desk/supervisor/conversations/{cid}/take-over")
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "agent"
        seen = (await customer.get(f"/api/v1/conversations/{cid}", headers=headers)).json()
        assert seen["state"] == "agent"
    finally:
        await lead.aclose()
        await customer.aclose()
