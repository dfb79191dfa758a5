"""Abusers are limited (issue 12, class 10): a cool-down on new conversations per customer
and per IP, far stricter after abuse, and supervisor blocks, recorded and liftable."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from tandem.identity.signing import sign_external_id
from tests.attachments.images import photo_with_exif
from tests.attachments.test_attachments_api import _upload

pytestmark = pytest.mark.asyncio

INSULT = "你个傻逼客服"


def _signed(server, external_id: str, language: str = "zh") -> dict[str, object]:  # type: ignore[no-untyped-def]
    secret = server.services.settings.widget_secret
    return {
        "customer": {
            "external_id": external_id,
            "signature": sign_external_id(secret, external_id),
        },
        "language": language,
    }


async def _lead(server) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    lead = httpx.AsyncClient(base_url=server.url, timeout=30)
    r = await lead.post("/api/v1/auth/login", json={"username": "lead", "password": "tandem-demo"})
    assert r.status_code == 200
    return lead


async def test_after_abuse_new_conversations_cool_down(open_customer, client, clock) -> None:  # type: ignore[no-untyped-def]
    abuser = await open_customer()
    for _ in range(8):
        r = await abuser.say(INSULT)
        assert r.status_code == 201
    # The engine warned and flagged the conversation; now the 40 new ones of the report.
    statuses = []
    for _ in range(40):
        r = await client.post("/api/v1/conversations", json={})
        statuses.append(r.status_code)
    # After abuse one conversation per 10 minutes: the abusive one was it.
    assert statuses == [429] * 40
    refused = await client.post("/api/v1/conversations", json={"language": "en"})
    assert refused.json()["error"] == "cooling_down"
    # The abusive conversation opened at the frozen "now": the window frees in 600 s.
    assert refused.headers["Retry-After"] == "600"
    assert "600 s" in refused.json()["message"]
    zh = await client.post("/api/v1/conversations", json={})
    assert "请 600 秒后再试" in zh.json()["message"]
    # The earlier conversation still works: the customer is limited, not cut off.
    assert (await abuser.say("好的")).status_code == 201
    # Ten minutes later one may open again.
    clock.set(clock.now() + timedelta(seconds=601))
    assert (await client.post("/api/v1/conversations", json={})).status_code == 201
    assert (await client.post("/api/v1/conversations", json={})).status_code == 429


async def test_per_ip_and_per_customer_limits_without_abuse(server, client, clock) -> None:  # type: ignore[no-untyped-def]
    settings = server.services.settings
    settings.new_conversations_per_ip = 5
    settings.new_conversations_per_customer = 2
    c0001 = _signed(server, "c0001")
    assert [
        (await client.post("/api/v1/conversations", json=c0001)).status_code for _ in range(3)
    ] == [201, 201, 429]
    # Another customer from the same address still has room under the address's limit.
    opened = [(await client.post("/api/v1/conversations", json={})).status_code for _ in range(4)]
    # 2 (c0001) + 3 anonymous = 5 per address; the 4th anonymous is refused.
    assert opened == [201, 201, 201, 429]
    clock.set(clock.now() + timedelta(seconds=30))
    r = await client.post("/api/v1/conversations", json={})
    # All five openings happened at the same frozen instant, 30 s ago: 570 s to wait.
    assert r.status_code == 429 and r.headers["Retry-After"] == "570"


async def test_a_supervisor_blocks_and_unblocks_a_contact(
    server, client, open_customer, agent_client
) -> None:  # type: ignore[no-untyped-def]
    customer = await open_customer(_signed(server, "c0003"))
    assert (await customer.say("你好")).status_code == 201
    # An agent may not block; a supervisor may, with a reason.
    r = await agent_client.post(
        "/api/v1/contacts/blocks", json={"conversation_id": customer.id, "reason": "骚扰"}
    )
    assert r.status_code == 403
    lead = await _lead(server)
    try:
        r = await lead.post(
            "/api/v1/contacts/blocks",
            json={"conversation_id": customer.id, "reason": "反复辱骂客服"},
        )
        assert r.status_code == 201, r.text
        block = r.json()
        me = (await lead.get("/api/v1/auth/me")).json()
        assert (block["kind"], block["value"], block["active"]) == ("customer", "c0003", True)
        assert block["blocked_by"] == me["id"] and block["reason"] == "反复辱骂客服"
        assert block["blocked_at"] is not None

        # Blocked: a clear, polite message, no new message stored, no new conversation.
        refused = await customer.say("为什么不理我")
        assert refused.status_code == 403
        assert refused.json()["error"] == "contact_blocked"
        assert "很抱歉，您暂时无法使用在线客服" in refused.json()["message"]
        photo = await _upload(customer, photo_with_exif())
        assert photo.status_code == 403 and photo.json()["error"] == "contact_blocked"
        again = await client.post("/api/v1/conversations", json=_signed(server, "c0003", "en"))
        assert again.status_code == 403 and "Sorry" in again.json()["message"]
        history = await client.get(
            f"/api/v1/conversations/{customer.id}/messages", headers=customer.headers
        )
        assert "为什么不理我" not in [m["text"] for m in history.json()["messages"]]
        # Someone else is not affected.
        assert (await client.post("/api/v1/conversations", json={})).status_code == 201

        listed = (await lead.get("/api/v1/contacts/blocks")).json()
        assert [b["id"] for b in listed] == [block["id"]]
        r = await lead.post(
            f"/api/v1/contacts/blocks/{block['id']}/unblock", json={"reason": "顾客已道歉"}
        )
        assert r.status_code == 200
        lifted = r.json()
        assert lifted["active"] is False and lifted["unblocked_by"] == me["id"]
        assert lifted["unblock_reason"] == "顾客已道歉" and lifted["unblocked_at"] is not None
        assert (await customer.say("谢谢")).status_code == 201
        assert (await lead.get("/api/v1/contacts/blocks")).json() == []
        history = (await lead.get("/api/v1/contacts/blocks?active=false")).json()
        assert [b["id"] for b in history] == [block["id"]]
        twice = await lead.post(f"/api/v1/contacts/blocks/{block['id']}/unblock", json={})
        assert twice.status_code == 409
        # Both acts are in the audit log, by whom, newest first; the refused second lift is not.
        log = (await lead.get("/api/v1/auth/audit?limit=5")).json()
        acts = [(e["action"], e["target"], e["actor_id"]) for e in log if e["action"] != "login"]
        assert acts[:2] == [("unblock", block["id"], me["id"]), ("block", block["id"], me["id"])]
        assert log[0]["details"] == {"reason": "顾客已道歉"}
    finally:
        await lead.aclose()


async def test_an_anonymous_contact_is_blocked_by_address(server, client, open_customer) -> None:  # type: ignore[no-untyped-def]
    anonymous = await open_customer()
    lead = await _lead(server)
    try:
        r = await lead.post(
            "/api/v1/contacts/blocks", json={"conversation_id": anonymous.id, "reason": "刷屏"}
        )
        assert r.status_code == 201
        assert (r.json()["kind"], r.json()["value"]) == ("ip", "127.0.0.1")
        assert (await anonymous.say("在吗")).status_code == 403
        assert (await client.post("/api/v1/conversations", json={})).status_code == 403
        empty = await lead.post(
            "/api/v1/contacts/blocks", json={"conversation_id": anonymous.id, "reason": ""}
        )
        assert empty.status_code == 422
    finally:
        await lead.aclose()
