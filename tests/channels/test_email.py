"""Email end to end against a real SMTP server (aiosmtpd): a customer who left while waiting
gets the ticket's promised time and then the agent's answer by email; one who has the chat open
does not; a server down for a while loses nothing and sends nothing twice; transcripts."""

from __future__ import annotations

import json
from datetime import timedelta
from email.message import Message
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import websockets
from sqlalchemy import select

from tandem.channels.dispatcher import Dispatcher
from tandem.channels.models import ChannelFollow, Delivery
from tandem.conversations.models import Conversation
from tests.channels.conftest import Mailbox
from tests.conftest import Customer

pytestmark = pytest.mark.asyncio


async def next_round(server: Any, d: Any) -> None:
    """One more dispatcher round, with the test's fixed clock moved past any retry's backoff
    (the dispatcher schedules retries on the app's clock)."""
    clock = server.services.clock
    clock.set(clock.now() + timedelta(seconds=server.services.settings.webhook_retry_max_seconds))
    d.wake()
    await d.wait_rounds(1)


def body_of(m: Message) -> str:
    return str(m.get_content())  # type: ignore[attr-defined]


async def dispatcher(server: Any, client: httpx.AsyncClient) -> Dispatcher:
    assert (await client.get("/healthz")).status_code == 200  # start-up done
    d = server.services.extras["channels"]
    assert isinstance(d, Dispatcher)
    return d


async def agent_online(server: Any) -> httpx.AsyncClient:
    agent = httpx.AsyncClient(base_url=server.url, timeout=30)
    r = await agent.post(
        "/api/v1/auth/login", json={"username": "agent1", "password": "tandem-demo"}
    )
    assert r.status_code == 200
    await agent.put("/api/v1/desk/presence", json={"presence": "online"})
    return agent


async def waiting_customer(open_customer: Any) -> Customer:
    customer: Customer = await open_customer()
    r = await customer.say("人工")
    assert r.json()["conversation"]["state"] == "queued"
    return customer


async def test_a_customer_who_left_gets_the_promise_and_then_the_answer_by_email(
    server: Any, client: httpx.AsyncClient, open_customer: Any, mailbox: Mailbox
) -> None:
    customer = await waiting_customer(open_customer)  # nobody online: a ticket
    r = await client.post(
        f"/api/v1/channels/conversations/{customer.id}/email",
        json={"email": "li.lei@example.com"},
        headers=customer.headers,
    )
    assert r.status_code == 201, r.text
    await mailbox.wait_for(1)
    ticket = mailbox.messages[0]
    assert ticket["To"] == "li.lei@example.com"
    assert str(ticket["Subject"]).startswith("Tandem：我们将在 ")
    assert "前回复您" in body_of(ticket)
    # The promised time is in the shop's time zone (Asia/Shanghai), as the chat said it.
    async with server.services.sessions() as session:
        conversation = await session.get(Conversation, customer.id)
        assert conversation is not None and conversation.callback_at is not None
    local = conversation.callback_at.astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"{local.month}月{local.day}日 {local:%H:%M}" in str(ticket["Subject"])
    assert "Asia/Shanghai" in body_of(ticket)

    agent = await agent_online(server)
    try:
        r = await agent.post(
            f"/api/v1/desk/conversations/{customer.id}/messages",
            json={"text": "您好，您的订单我查过了，明天上午发出。"},
        )
        assert r.status_code == 201, r.text
        await mailbox.wait_for(2)
    finally:
        await agent.aclose()
    answer = mailbox.messages[1]
    assert "客服回复了您的问题" in str(answer["Subject"])
    assert "明天上午发出" in body_of(answer)
    assert answer["Message-ID"].startswith(f"<mail_{customer.id}_")


async def test_a_customer_with_the_chat_open_is_not_emailed(
    server: Any, client: httpx.AsyncClient, open_customer: Any, mailbox: Mailbox
) -> None:
    d = await dispatcher(server, client)
    customer = await waiting_customer(open_customer)
    await client.post(
        f"/api/v1/channels/conversations/{customer.id}/email",
        json={"email": "han.mei@example.com"},
        headers=customer.headers,
    )
    await mailbox.wait_for(1)  # the ticket's promise
    url = f"{server.ws_url}/api/v1/conversations/{customer.id}/events?token={customer.token}"
    async with websockets.connect(url) as ws:
        first = json.loads(await ws.recv())  # the backlog has begun: the stream is subscribed
        assert first["seq"] == 1
        agent = await agent_online(server)
        try:
            r = await agent.post(
                f"/api/v1/desk/conversations/{customer.id}/messages",
                json={"text": "在的，马上帮您看。"},
            )
            reply_seq = r.json()["seq"]
        finally:
            await agent.aclose()

        async def cursor() -> int:
            async with server.services.sessions() as session:
                follow = await session.get(ChannelFollow, (customer.id, "email"))
                assert follow is not None
                return follow.cursor_seq

        while await cursor() < reply_seq:
            await next_round(server, d)
    async with server.services.sessions() as session:
        kinds = (
            await session.scalars(
                select(Delivery.type).where(Delivery.conversation_id == customer.id)
            )
        ).all()
    assert list(kinds) == ["ticket.opened"]
    assert len(mailbox.messages) == 1


async def test_an_smtp_server_down_for_a_while_loses_nothing_and_sends_nothing_twice(
    server: Any, client: httpx.AsyncClient, open_customer: Any, mailbox: Mailbox
) -> None:
    d = await dispatcher(server, client)
    customer = await waiting_customer(open_customer)
    await client.post(
        f"/api/v1/channels/conversations/{customer.id}/transcript",
        json={"email": "wang.fang@example.com"},
        headers=customer.headers,
    )
    await mailbox.wait_for(1)
    transcript = body_of(mailbox.messages[0])
    assert "您: 人工" in transcript and "智能客服:" in transcript
    await mailbox.down()
    await client.post(
        f"/api/v1/channels/conversations/{customer.id}/email",
        json={"email": "wang.fang@example.com"},
        headers=customer.headers,
    )

    async def attempts() -> list[Delivery]:
        async with server.services.sessions() as session:
            return list(
                (
                    await session.scalars(select(Delivery).where(Delivery.type == "ticket.opened"))
                ).all()
            )

    while not (rows := await attempts()) or rows[0].attempts < 2:
        await next_round(server, d)
    assert rows[0].status == "pending" and rows[0].last_error
    await mailbox.up()
    # The retry is due on the app's clock: rounds move it on until the mail goes out.
    while (await attempts())[0].status != "delivered":
        await next_round(server, d)
    await mailbox.wait_for(2)
    assert len(mailbox.messages) == 2
    assert [m["Message-ID"] for m in mailbox.messages].count(mailbox.messages[1]["Message-ID"]) == 1


async def test_a_bad_address_is_refused_in_words(
    client: httpx.AsyncClient, open_customer: Any
) -> None:
    customer = await open_customer()
    r = await client.post(
        f"/api/v1/channels/conversations/{customer.id}/email",
        json={"email": "not-an-address"},
        headers=customer.headers,
    )
    assert r.status_code == 422 and "email" in r.json()["message"]
