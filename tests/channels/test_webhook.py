"""The webhook channel end to end: a signed inbound message becomes a customer turn through
the same function the HTTP API uses; every event of that conversation reaches the platform's
receiver, signed, in order, once — also when the receiver is down for a while, and across a
restart of the dispatcher; supervisors read and replay the delivery log."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tandem.channels.dispatcher import Dispatcher
from tandem.channels.models import Delivery
from tandem.channels.signing import headers_for
from tandem.conversations.models import Event, Message
from tests.channels.conftest import INBOUND_SECRET, Receiver

pytestmark = pytest.mark.asyncio


async def next_round(server: Any, d: Any) -> None:
    """One more dispatcher round, with the test's fixed clock moved past any retry's backoff
    (the dispatcher schedules retries on the app's clock)."""
    clock = server.services.clock
    clock.set(clock.now() + timedelta(seconds=server.services.settings.webhook_retry_max_seconds))
    d.wake()
    await d.wait_rounds(1)


async def post_inbound(
    client: httpx.AsyncClient,
    server: Any,
    webhook_id: str,
    text: str,
    conversation: str = "wx-1001",
    stamp: int | None = None,
    **data: Any,
) -> httpx.Response:
    body = json.dumps(
        {
            "type": "message.received",
            "data": {"conversation_id": conversation, "text": text, **data},
        },
        ensure_ascii=False,
    ).encode()
    now = int(server.services.clock.now().timestamp()) if stamp is None else stamp
    headers = headers_for(INBOUND_SECRET, webhook_id, now, body) | {
        "content-type": "application/json"
    }
    return await client.post("/api/v1/channels/webhook", content=body, headers=headers)


async def event_seqs(server: Any, conversation_id: str) -> list[int]:
    async with server.services.sessions() as session:
        return list(
            (
                await session.scalars(
                    select(Event.seq)
                    .where(Event.conversation_id == conversation_id)
                    .order_by(Event.seq)
                )
            ).all()
        )


async def _dispatcher(server: Any, client: httpx.AsyncClient) -> Dispatcher:
    # An answered request means the app's start-up (which starts the dispatcher) is done.
    assert (await client.get("/healthz")).status_code == 200
    d = server.services.extras["channels"]
    assert isinstance(d, Dispatcher)
    return d


async def test_a_signed_message_is_a_customer_turn_and_a_replay_is_not_taken_twice(
    server: Any, client: httpx.AsyncClient
) -> None:
    r = await post_inbound(client, server, "evt_1", "怎么开发票")
    assert r.status_code == 200, r.text
    first = r.json()
    assert first["external_conversation_id"] == "wx-1001" and first["state"] == "bot"
    assert "发票" in first["replies"][0]["text"] and first["duplicate"] is False
    again = await post_inbound(client, server, "evt_1", "怎么开发票")
    assert again.status_code == 200
    assert again.json()["replies"] == first["replies"] and again.json()["duplicate"] is True
    # The same platform conversation continues the same conversation.
    second = (await post_inbound(client, server, "evt_2", "你们发什么快递")).json()
    assert second["conversation_id"] == first["conversation_id"]
    async with server.services.sessions() as session:
        said = (
            await session.scalars(
                select(Message.text)
                .where(
                    Message.conversation_id == first["conversation_id"],
                    Message.author == "customer",
                )
                .order_by(Message.seq)
            )
        ).all()
    assert list(said) == ["怎么开发票", "你们发什么快递"]


async def test_bad_webhooks_get_a_clear_refusal(server: Any, client: httpx.AsyncClient) -> None:
    stale = int(server.services.clock.now().timestamp()) - 301
    r = await post_inbound(client, server, "evt_old", "你好", stamp=stale)
    assert (
        r.status_code == 401
        and "签名校验失败" in r.json()["message"]
        and "s old" in r.json()["message"]
    )
    body = b'{"type":"message.received","data":{"conversation_id":"x","text":"hi"}}'
    bad = headers_for(
        "whsec_" + "QUFBQUFBQUFBQUFBQUFBQQ==",
        "evt_x",
        int(server.services.clock.now().timestamp()),
        body,
    )
    r = await client.post("/api/v1/channels/webhook", content=body, headers=bad)
    assert r.status_code == 401 and "no webhook-signature matches" in r.json()["message"]
    r = await client.post("/api/v1/channels/webhook", content=body)
    assert r.status_code == 401 and "missing webhook-id" in r.json()["message"]
    now = int(server.services.clock.now().timestamp())
    wrong = b'{"type":"message.received","data":{"text":"hi"}}'
    r = await client.post(
        "/api/v1/channels/webhook",
        content=wrong,
        headers=headers_for(INBOUND_SECRET, "evt_y", now, wrong),
    )
    assert r.status_code == 422 and "data.conversation_id" in r.json()["message"]
    r = await post_inbound(client, server, "evt_z", "   ")
    assert r.status_code == 422 and "消息内容为空" in r.json()["message"]


async def test_every_event_reaches_the_receiver_signed_in_order_once(
    server: Any, client: httpx.AsyncClient, receiver: Receiver
) -> None:
    opened = (await post_inbound(client, server, "evt_1", "怎么开发票")).json()
    conv = opened["conversation_id"]
    seqs = await event_seqs(server, conv)
    # conversation.opened (seq 1) is the platform's own doing; everything after it is delivered.
    expected = [s for s in seqs if s > 1]
    assert expected
    await receiver.wait_for(lambda got: len(got) >= len(expected))
    got = [r["body"]["data"]["seq"] for r in receiver.received]
    assert got == expected
    assert [r["id"] for r in receiver.received] == [f"msg_{conv}_{s}" for s in expected]
    reply = next(
        r["body"] for r in receiver.received if r["body"]["data"]["event"].get("author") == "bot"
    )
    assert reply["type"] == "message.created"
    assert reply["data"]["conversation_id"] == "wx-1001"
    assert reply["data"]["event"]["text"] == opened["replies"][0]["text"]
    assert receiver.refused == 0  # every signature verified by the reference package


async def test_a_receiver_down_for_a_while_loses_nothing_and_gets_nothing_twice(
    server: Any, client: httpx.AsyncClient, receiver: Receiver
) -> None:
    await receiver.down()
    dispatcher = await _dispatcher(server, client)
    opened = (await post_inbound(client, server, "evt_1", "你好")).json()
    await post_inbound(client, server, "evt_2", "怎么开发票")
    await post_inbound(client, server, "evt_3", "人工")
    conv = opened["conversation_id"]

    async def failed_attempts() -> int:
        async with server.services.sessions() as session:
            return int(
                await session.scalar(
                    select(func.coalesce(func.sum(Delivery.attempts), 0)).where(
                        Delivery.conversation_id == conv, Delivery.last_error.is_not(None)
                    )
                )
                or 0
            )

    # Wait on the dispatcher's rounds until it has been refused three times.
    while await failed_attempts() < 3:
        await next_round(server, dispatcher)
    async with server.services.sessions() as session:
        pending = (
            await session.scalars(select(Delivery).where(Delivery.status == "pending"))
        ).all()
    assert pending and all(d.delivered_at is None for d in pending)
    tried = [d for d in pending if d.attempts]
    # Only the conversation's first delivery is tried; the later ones wait behind it (order).
    assert len(tried) == 1 and tried[0].seq == min(d.seq for d in pending)
    assert "ConnectError" in (tried[0].last_error or "")

    await receiver.up()
    expected = [s for s in await event_seqs(server, conv) if s > 1]
    # The retries are due on the app's clock: rounds move it on until all have gone out.
    while len(receiver.received) < len(expected):
        await next_round(server, dispatcher)
    ids = [r["id"] for r in receiver.received]
    assert ids == [f"msg_{conv}_{s}" for s in expected]  # all of them, in order, once

    async def statuses() -> set[str]:
        async with server.services.sessions() as session:
            rows = await session.scalars(
                select(Delivery.status).where(Delivery.conversation_id == conv)
            )
            return set(rows.all())

    # The receiver has them; the dispatcher records each success right after its answer.
    while await statuses() != {"delivered"}:
        assert "failed" not in await statuses()
        await next_round(server, dispatcher)


async def test_deliveries_survive_a_restart_of_the_dispatcher(
    server: Any, client: httpx.AsyncClient, receiver: Receiver
) -> None:
    old = await _dispatcher(server, client)
    await old.stop()
    opened = (await post_inbound(client, server, "evt_1", "怎么开发票")).json()
    conv = opened["conversation_id"]
    assert receiver.received == []
    # A new process would start a new dispatcher: it reads the log from the stored cursor.
    fresh = Dispatcher(server.services)
    server.services.extras["channels"] = fresh
    await fresh.start()
    try:
        expected = [s for s in await event_seqs(server, conv) if s > 1]
        await receiver.wait_for(lambda got: len(got) >= len(expected))
        assert [r["body"]["data"]["seq"] for r in receiver.received] == expected
    finally:
        await fresh.stop()


async def test_supervisors_read_and_replay_the_delivery_log(
    server: Any, client: httpx.AsyncClient, receiver: Receiver
) -> None:
    opened = (await post_inbound(client, server, "evt_1", "怎么开发票")).json()
    conv = opened["conversation_id"]
    expected = [s for s in await event_seqs(server, conv) if s > 1]
    await receiver.wait_for(lambda got: len(got) >= len(expected))
    async with httpx.AsyncClient(base_url=server.url) as agent:
        await agent.post(
            "/api/v1/auth/login", json={"username": "agent1", "password": "tandem-demo"}
        )
        assert (await agent.get("/api/v1/channels/deliveries")).status_code == 403
    async with httpx.AsyncClient(base_url=server.url) as lead:
        await lead.post("/api/v1/auth/login", json={"username": "lead", "password": "tandem-demo"})
        log = (
            await lead.get("/api/v1/channels/deliveries", params={"conversation_id": conv})
        ).json()
        assert log["counts"] == {"delivered": len(expected)}
        first = log["deliveries"][-1]
        assert (
            first["status"] == "delivered"
            and first["attempts"] == 1
            and first["last_status"] == 200
        )
        r = await lead.post(f"/api/v1/channels/deliveries/{first['id']}/replay")
        assert r.status_code == 200 and r.json()["status"] == "pending"
        await receiver.wait_for(lambda got: len(got) >= len(expected) + 1)
        assert receiver.received[-1]["id"] == first["id"]  # the same idempotency key
        missing = await lead.post("/api/v1/channels/deliveries/nope/replay")
        assert missing.status_code == 404 and "没有这条投递记录" in missing.json()["message"]
