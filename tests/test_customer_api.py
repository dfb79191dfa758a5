"""The customer API end to end over real HTTP, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import websockets

from tandem.identity.signing import sign_external_id

pytestmark = pytest.mark.asyncio


async def test_open_conversation_returns_token_and_bot_state(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/v1/conversations", json={})
    assert r.status_code == 201
    body = r.json()
    assert body["state"] == "bot"
    assert body["id"] and len(body["customer_token"]) >= 32


async def test_greeting_is_answered_and_off_topic_is_not(open_customer) -> None:  # type: ignore[no-untyped-def]
    c = await open_customer()
    r = await c.say("你好")
    assert r.status_code == 201
    assert r.json()["replies"][0]["author"] == "bot"
    assert r.json()["conversation"] == {"state": "bot", "queue": None}
    # Not something the shop's AI can answer: it does not guess, it asks and offers a person.
    r = await c.say("明天北京天气怎么样")
    reply = r.json()["replies"][-1]
    assert r.json()["conversation"]["state"] == "bot"
    assert {"label": "转人工", "payload": "handoff"} in reply["quick_replies"]
    assert "晴" not in reply["text"] and "雨" not in reply["text"]


@pytest.mark.parametrize(
    "phrase",
    [
        "人工客服",
        "转人工",
        "找真人",
        "人工",
        "轉人工",
        "human",
        "I want a real person",
        "agent please",
    ],
)
async def test_human_request_hands_off_in_the_same_turn(open_customer, phrase: str) -> None:  # type: ignore[no-untyped-def]
    c = await open_customer()
    r = await c.say(phrase)
    assert r.status_code == 201
    conv = r.json()["conversation"]
    assert conv["state"] == "queued"
    assert conv["queue"]["position"] == 1
    assert conv["queue"]["eta_seconds"] > 0
    assert r.json()["replies"], "the hand-off is announced to the customer in the same turn"


async def test_asking_again_while_queued_is_always_answered_and_never_repeats(
    open_customer,
) -> None:  # type: ignore[no-untyped-def]
    c = await open_customer()
    await c.say("人工客服")
    texts = []
    for _ in range(8):
        r = await c.say("人工客服")
        replies = r.json()["replies"]
        assert len(replies) == 1, "typing it again never goes unanswered"
        assert r.json()["conversation"]["state"] == "queued"
        texts.append(replies[0]["text"])
    assert len(set(texts)) == len(texts), "the same reply is never sent twice"


async def test_quick_reply_payload_hands_off(open_customer) -> None:  # type: ignore[no-untyped-def]
    c = await open_customer()
    r = await c.say("转人工", payload="handoff")
    assert r.json()["conversation"]["state"] == "queued"


async def test_same_client_msg_id_is_stored_once_and_answers_the_same(
    open_customer, client: httpx.AsyncClient
) -> None:  # type: ignore[no-untyped-def]
    c = await open_customer()
    first = await c.say("你好", client_msg_id="m-1")
    second = await c.say("你好", client_msg_id="m-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    msgs = (await client.get(f"/api/v1/conversations/{c.id}/messages", headers=c.headers)).json()[
        "messages"
    ]
    assert [m["text"] for m in msgs if m["author"] == "customer"] == ["你好"]


async def test_concurrent_retries_of_one_message_store_it_once(
    open_customer, client: httpx.AsyncClient
) -> None:  # type: ignore[no-untyped-def]
    c = await open_customer()
    results = await asyncio.gather(*[c.say("你好", client_msg_id="same") for _ in range(5)])
    assert {r.status_code for r in results} == {201}
    assert len({r.json()["message"]["id"] for r in results}) == 1
    msgs = (await client.get(f"/api/v1/conversations/{c.id}/messages", headers=c.headers)).json()[
        "messages"
    ]
    assert sum(1 for m in msgs if m["author"] == "customer") == 1


async def test_messages_after_seq_and_sequence_is_gapless(
    open_customer, client: httpx.AsyncClient
) -> None:  # type: ignore[no-untyped-def]
    c = await open_customer()
    for text in ("你好", "谢谢", "人工"):
        await c.say(text)
    msgs = (await client.get(f"/api/v1/conversations/{c.id}/messages", headers=c.headers)).json()[
        "messages"
    ]
    seqs = [m["seq"] for m in msgs]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    later = (
        await client.get(
            f"/api/v1/conversations/{c.id}/messages?after_seq={seqs[2]}", headers=c.headers
        )
    ).json()
    assert [m["seq"] for m in later["messages"]] == seqs[3:]


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({"text": ""}, "empty"),
        ({"text": "   "}, "empty"),
        ({"text": "字" * 2001}, "2000"),
        ({"txt": "hi"}, "text"),
        ({"text": 5}, "text"),
        ({"text": "hi", "client_msg_id": "x" * 101}, "client_msg_id"),
    ],
)
async def test_bad_messages_get_422_with_a_useful_message(
    open_customer, body: dict[str, object], fragment: str
) -> None:  # type: ignore[no-untyped-def]
    c = await open_customer()
    r = await c.client.post(f"/api/v1/conversations/{c.id}/messages", json=body, headers=c.headers)
    assert r.status_code == 422
    assert fragment in r.json()["message"]


async def test_malformed_json_is_a_422_not_a_500(open_customer) -> None:  # type: ignore[no-untyped-def]
    c = await open_customer()
    r = await c.client.post(
        f"/api/v1/conversations/{c.id}/messages",
        content=b'{"text": "hi"',
        headers={**c.headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 422
    assert "JSON" in r.json()["message"]


async def test_a_token_opens_only_its_own_conversation(
    open_customer, client: httpx.AsyncClient
) -> None:  # type: ignore[no-untyped-def]
    alice = await open_customer()
    bob = await open_customer()
    await alice.say("我的地址是北京市海淀区")
    for method, path in (
        ("GET", f"/api/v1/conversations/{alice.id}"),
        ("GET", f"/api/v1/conversations/{alice.id}/messages"),
        ("POST", f"/api/v1/conversations/{alice.id}/messages"),
    ):
        r = await client.request(
            method, path, headers=bob.headers, json={"text": "hi"} if method == "POST" else None
        )
        assert r.status_code in (403, 404)
        assert "海淀" not in r.text
    r = await client.get(f"/api/v1/conversations/{alice.id}")
    assert r.status_code == 401


async def test_signed_customer_is_trusted_and_wrong_signature_is_401(
    client: httpx.AsyncClient, server
) -> None:  # type: ignore[no-untyped-def]
    secret = server.services.settings.widget_secret
    good = {
        "customer": {
            "external_id": "c0001",
            "name": "张三",
            "signature": sign_external_id(secret, "c0001"),
        }
    }
    assert (await client.post("/api/v1/conversations", json=good)).status_code == 201
    bad = {"customer": {"external_id": "c0001", "signature": "00" * 32}}
    r = await client.post("/api/v1/conversations", json=bad)
    assert r.status_code == 401
    assert "signature" in r.json()["message"]
    unsigned = {"customer": {"external_id": "c0001"}}
    assert (await client.post("/api/v1/conversations", json=unsigned)).status_code == 201


async def test_an_expiring_signature_is_good_for_ten_minutes_only(
    client: httpx.AsyncClient, server
) -> None:  # type: ignore[no-untyped-def]
    secret = server.services.settings.widget_secret
    now = int(server.services.clock.now().timestamp())

    def signed(ts: int, signature: str | None = None) -> dict[str, object]:
        sig = signature or sign_external_id(secret, "c0001", ts)
        return {"customer": {"external_id": "c0001", "signature": sig, "ts": ts}}

    # Signed 9 minutes ago (the default limit is 600 s): trusted as c0001.
    r = await client.post("/api/v1/conversations", json=signed(now - 540))
    assert r.status_code == 201, r.text
    # 11 minutes ago: refused, and the message says what the shop must do.
    r = await client.post("/api/v1/conversations", json=signed(now - 660))
    assert r.status_code == 401 and "expired" in r.json()["message"]
    # The plain signature does not stand in for the timestamped one (other message signed).
    r = await client.post(
        "/api/v1/conversations", json=signed(now, sign_external_id(secret, "c0001"))
    )
    assert r.status_code == 401
    # Five minutes ahead of our clock is not a clock's drift.
    r = await client.post("/api/v1/conversations", json=signed(now + 300))
    assert r.status_code == 401 and "future" in r.json()["message"]
    # A shop that requires expiring signatures refuses the plain one.
    server.services.settings.widget_require_timestamp = True
    plain = {"customer": {"external_id": "c0001", "signature": sign_external_id(secret, "c0001")}}
    r = await client.post("/api/v1/conversations", json=plain)
    assert r.status_code == 401 and "ts" in r.json()["message"]
    assert (await client.post("/api/v1/conversations", json=signed(now))).status_code == 201


async def test_rate_limit_answers_429_with_retry_after(server, open_customer) -> None:  # type: ignore[no-untyped-def]
    server.services.rate_limiter.limit = 3
    c = await open_customer()
    codes = [(await c.say(f"你好{i}")).status_code for i in range(4)]
    assert codes == [201, 201, 201, 429]
    r = await c.say("还在吗")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert "per minute" in r.json()["message"]


async def test_websocket_replays_missed_events_then_streams_live(
    server, open_customer, agent_client: httpx.AsyncClient
) -> None:  # type: ignore[no-untyped-def]
    c = await open_customer()
    await c.say("你好")
    await c.say("人工客服")
    url = f"{server.ws_url}/api/v1/conversations/{c.id}/events?token={c.token}&after_seq=2"
    async with websockets.connect(url) as ws:
        seen = []
        # Everything after seq 2 that already happened comes first, in order.
        msgs = (await c.client.get(f"/api/v1/conversations/{c.id}", headers=c.headers)).json()
        while not seen or seen[-1]["seq"] < msgs["last_seq"]:
            seen.append(json.loads(await ws.recv()))
        assert [e["seq"] for e in seen] == list(range(3, msgs["last_seq"] + 1))
        # Then live: the agent accepts and replies; the customer sees it.
        await agent_client.post(f"/api/v1/desk/conversations/{c.id}/accept")
        await agent_client.post(
            f"/api/v1/desk/conversations/{c.id}/messages", json={"text": "您好，我是小林"}
        )
        while True:
            event = json.loads(await ws.recv())
            assert event["seq"] == seen[-1]["seq"] + 1, "no gaps, no duplicates"
            seen.append(event)
            if event["type"] == "message.created" and event["data"]["author"] == "agent":
                break
        assert event["data"]["text"] == "您好，我是小林"


async def test_websocket_refuses_a_wrong_token(server, open_customer) -> None:  # type: ignore[no-untyped-def]
    c = await open_customer()
    url = f"{server.ws_url}/api/v1/conversations/{c.id}/events?token=wrong"
    with pytest.raises(websockets.exceptions.ConnectionClosed) as caught:
        async with websockets.connect(url) as ws:
            await ws.recv()
    assert caught.value.rcvd is not None and caught.value.rcvd.code == 4403
