"""The desk flow over real HTTP: login, automatic assignment, claim, reply, transfer, resolve,
rating. Assignment is automatic (issue 5): a hand-off goes straight to an eligible online agent,
and only waits in the queue when nobody eligible has room."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import delete, select, update

from tandem.conversations.models import Message
from tandem.identity.models import Account, StaffSession

pytestmark = pytest.mark.asyncio


async def test_desk_needs_a_session(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/desk/queue")).status_code == 401
    r = await client.post("/api/v1/auth/login", json={"username": "agent1", "password": "wrong"})
    assert r.status_code == 401
    assert "wrong username or password" in r.json()["message"]


async def test_full_flow_queue_accept_reply_resolve_rate(
    open_customer, agent_client: httpx.AsyncClient
) -> None:  # type: ignore[no-untyped-def]
    c = await open_customer()
    await c.say("你好")
    r = await c.say("人工客服")
    # agent1 is online with room: assigned at once, nobody waits in the queue.
    assert r.json()["conversation"]["state"] == "agent"
    assert (await agent_client.get("/api/v1/desk/queue")).json() == []
    mine = (await agent_client.get("/api/v1/desk/conversations")).json()
    assert [m["id"] for m in mine] == [c.id]
    assert mine[0]["handoff_reason"] == "customer_request"

    # Claiming a conversation one already has is a no-op.
    r = await agent_client.post(f"/api/v1/desk/conversations/{c.id}/accept")
    assert r.status_code == 200 and r.json()["state"] == "agent"
    detail = (await agent_client.get(f"/api/v1/desk/conversations/{c.id}")).json()
    assert [m["text"] for m in detail["messages"] if m["author"] == "customer"] == [
        "你好",
        "人工客服",
    ]
    assert any(d["rule"] == "explicit_human_request" for d in detail["decisions"])

    # A suggestion sent with a value still to fill in is refused, naming it; nothing is sent.
    r = await agent_client.post(
        f"/api/v1/desk/conversations/{c.id}/messages",
        json={"text": "您的包裹由 {carrier} 承运，运单号 {tracking_number}。"},
    )
    assert r.status_code == 422
    assert "{carrier}" in r.text and "{tracking_number}" in r.text and "请换成实际内容" in r.text
    detail = (await agent_client.get(f"/api/v1/desk/conversations/{c.id}")).json()
    assert [m for m in detail["messages"] if m["author"] == "agent"] == []
    r = await agent_client.post(
        f"/api/v1/desk/conversations/{c.id}/messages", json={"text": "您好，请问有什么可以帮您？"}
    )
    assert r.status_code == 201
    # The AI stays silent while a person owns the conversation.
    r = await c.say("我的订单还没发货")
    assert r.json()["replies"] == [] and r.json()["conversation"]["state"] == "agent"

    r = await agent_client.post(f"/api/v1/desk/conversations/{c.id}/resolve")
    assert r.json()["state"] == "resolved"
    r = await c.client.post(
        f"/api/v1/conversations/{c.id}/rating",
        json={"rating": "satisfied", "comment": "很快"},
        headers=c.headers,
    )
    assert r.status_code == 200 and r.json()["rating"] == "satisfied"
    conv = (await c.client.get(f"/api/v1/conversations/{c.id}", headers=c.headers)).json()
    assert conv["rating"] == "satisfied"


async def test_rating_before_resolution_is_refused(open_customer) -> None:  # type: ignore[no-untyped-def]
    c = await open_customer()
    r = await c.client.post(
        f"/api/v1/conversations/{c.id}/rating", json={"rating": "satisfied"}, headers=c.headers
    )
    assert r.status_code == 409


async def test_two_agents_cannot_both_claim(
    open_customer, agent_client: httpx.AsyncClient, server
) -> None:  # type: ignore[no-untyped-def]
    # Nobody online: the conversation waits, and two agents race to claim it by hand.
    await agent_client.put("/api/v1/desk/presence", json={"presence": "away"})
    c = await open_customer()
    r = await c.say("人工")
    assert r.json()["conversation"]["state"] == "queued"
    async with httpx.AsyncClient(base_url=server.url) as other:
        await other.post(
            "/api/v1/auth/login", json={"username": "agent2", "password": "tandem-demo"}
        )
        await other.put("/api/v1/desk/presence", json={"presence": "away"})
        assert (
            await agent_client.post(f"/api/v1/desk/conversations/{c.id}/accept")
        ).status_code == 200
        r = await other.post(f"/api/v1/desk/conversations/{c.id}/accept")
        assert r.status_code == 409
        # Only the owner may reply.
        r = await other.post(f"/api/v1/desk/conversations/{c.id}/messages", json={"text": "hi"})
        assert r.status_code == 403


async def test_transfer_to_colleague_and_back_to_queue(
    open_customer, agent_client: httpx.AsyncClient, server
) -> None:  # type: ignore[no-untyped-def]
    me1 = (await agent_client.get("/api/v1/auth/me")).json()
    c = await open_customer()
    r = await c.say("人工")
    assert r.json()["conversation"]["state"] == "agent"
    async with httpx.AsyncClient(base_url=server.url) as other:
        me2 = (
            await other.post(
                "/api/v1/auth/login", json={"username": "agent2", "password": "tandem-demo"}
            )
        ).json()
        await other.put("/api/v1/desk/presence", json={"presence": "online"})
        r = await agent_client.post(
            f"/api/v1/desk/conversations/{c.id}/transfer", json={"agent_id": me2["account"]["id"]}
        )
        assert r.status_code == 200 and r.json()["assigned_agent_id"] == me2["account"]["id"]
        # Back to the queue: at the front, and not straight back to the agent who passed it
        # on, so the round gives it to agent1, who has room.
        r = await other.post(f"/api/v1/desk/conversations/{c.id}/transfer", json={"agent_id": None})
        assert r.json()["state"] == "agent"
        assert r.json()["assigned_agent_id"] == me1["id"]


async def test_agent_can_hand_back_to_the_ai(
    open_customer, agent_client: httpx.AsyncClient
) -> None:  # type: ignore[no-untyped-def]
    c = await open_customer()
    await c.say("人工")
    r = await agent_client.post(f"/api/v1/desk/conversations/{c.id}/hand-back")
    assert r.json()["state"] == "bot"
    r = await c.say("你好")
    assert r.json()["replies"], "the AI answers again once handed back"


async def test_concurrency_cap_is_enforced(open_customer, agent_client: httpx.AsyncClient) -> None:  # type: ignore[no-untyped-def]
    ids = []
    states = []
    for _ in range(4):
        c = await open_customer()
        r = await c.say("人工")
        ids.append(c.id)
        states.append(r.json()["conversation"]["state"])
    # agent1 holds three (their cap); the fourth waits and cannot be claimed past the cap.
    assert states == ["agent", "agent", "agent", "queued"]
    assert [q["id"] for q in (await agent_client.get("/api/v1/desk/queue")).json()] == [ids[3]]
    r = await agent_client.post(f"/api/v1/desk/conversations/{ids[3]}/accept")
    assert r.status_code == 409 and "limit" in r.json()["message"]


async def test_agent_text_is_stored_verbatim_and_escaped_by_clients(
    open_customer, agent_client: httpx.AsyncClient
) -> None:  # type: ignore[no-untyped-def]
    c = await open_customer()
    await c.say("<img src=x onerror=alert(1)>人工")
    detail = (await agent_client.get(f"/api/v1/desk/conversations/{c.id}")).json()
    assert detail["messages"][0]["text"] == "<img src=x onerror=alert(1)>人工"


async def test_agent_message_retried_or_refused_is_written_once_and_takes_no_number(
    open_customer, agent_client: httpx.AsyncClient, server
) -> None:  # type: ignore[no-untyped-def]
    c = await open_customer()
    assert (await c.say("人工")).json()["conversation"]["state"] == "agent"
    url = f"/api/v1/desk/conversations/{c.id}/messages"
    first = await agent_client.post(url, json={"text": "您好", "client_msg_id": "r1"})
    assert first.status_code == 201
    # The same message sent again (a retry after a lost response) is the stored one.
    again = await agent_client.post(url, json={"text": "您好", "client_msg_id": "r1"})
    assert again.status_code in (200, 201) and again.json()["id"] == first.json()["id"]
    # Refused: someone who does not hold it (403), and an empty message (422).
    async with httpx.AsyncClient(base_url=server.url) as other:
        await other.post(
            "/api/v1/auth/login", json={"username": "agent2", "password": "tandem-demo"}
        )
        assert (await other.post(url, json={"text": "插一句"})).status_code == 403
    assert (await agent_client.post(url, json={"text": "   "})).status_code == 422
    # None of the three wrote a message or used up a number: the next one follows the first.
    second = await agent_client.post(url, json={"text": "请稍等"})
    assert second.status_code == 201
    assert second.json()["seq"] == first.json()["seq"] + 1
    detail = (await agent_client.get(f"/api/v1/desk/conversations/{c.id}")).json()
    assert [m["text"] for m in detail["messages"] if m["author"] == "agent"] == ["您好", "请稍等"]


async def test_agent_message_after_the_session_ended_elsewhere_is_refused_and_not_written(
    open_customer, agent_client: httpx.AsyncClient, server, clock
) -> None:  # type: ignore[no-untyped-def]
    """The relay reads the author's session in the message's own transaction: a session signed
    out, or an account demoted, by another process (here: written straight to the database,
    past this server's memory) or expired is seen by the very next message, nothing written."""
    c = await open_customer()
    assert (await c.say("人工")).json()["conversation"]["state"] == "agent"
    url = f"/api/v1/desk/conversations/{c.id}/messages"
    assert (await agent_client.post(url, json={"text": "您好"})).status_code == 201

    # Signed out by another process.
    async with server.services.unit_of_work() as uow:
        await uow.session.execute(delete(StaffSession))
    r = await agent_client.post(url, json={"text": "还在吗", "client_msg_id": "gone"})
    assert r.status_code == 401

    # A supervisor writes into a conversation not theirs until demoted elsewhere.
    async with httpx.AsyncClient(base_url=server.url) as lead:
        r = await lead.post(
            "/api/v1/auth/login", json={"username": "lead", "password": "tandem-demo"}
        )
        assert r.status_code == 200, r.text
        assert (await lead.post(url, json={"text": "主管补充"})).status_code == 201
        async with server.services.unit_of_work() as uow:
            await uow.session.execute(
                update(Account).where(Account.username == "lead").values(role="agent")
            )
        assert (await lead.post(url, json={"text": "再补充"})).status_code == 403
        # And a session past its end (the clock moved on a week) is refused.
        clock.set(clock.now() + timedelta(days=8))
        assert (await lead.post(url, json={"text": "一周后"})).status_code == 401

    async with server.services.sessions() as session:
        texts = (
            await session.scalars(
                select(Message.text).where(
                    Message.conversation_id == c.id, Message.author == "agent"
                )
            )
        ).all()
    assert list(texts) == ["您好", "主管补充"]
