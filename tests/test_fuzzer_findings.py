"""What a fuzzer against /openapi.json found (issue 13), each now a clear answer instead of a
500 or a wrong result (SQLite and PostgreSQL)."""

from __future__ import annotations

import httpx
import pytest

from tandem.http.ratelimit import RateLimiter

pytestmark = pytest.mark.asyncio


async def test_a_non_ascii_signature_is_refused_not_a_crash(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/v1/conversations",
        json={"customer": {"external_id": "c1", "signature": "签名不对"}},
    )
    assert 400 <= r.status_code < 500, r.text


async def test_two_messages_with_an_empty_id_are_two_messages(open_customer) -> None:  # type: ignore[no-untyped-def]
    c = await open_customer()
    first = await c.say("你好", client_msg_id="")
    second = await c.say("在吗", client_msg_id="")
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["message"]["id"] != second.json()["message"]["id"]
    assert second.json()["message"]["text"] == "在吗"


async def test_a_huge_sequence_number_is_refused_with_a_reason(open_customer) -> None:  # type: ignore[no-untyped-def]
    c = await open_customer()
    r = await c.client.get(
        f"/api/v1/conversations/{c.id}/messages", params={"after_seq": 10**30}, headers=c.headers
    )
    assert r.status_code == 422 and "after_seq" in r.json()["message"]


async def test_customer_ids_do_not_collide_with_the_desks(
    open_customer, agent_client: httpx.AsyncClient
) -> None:  # type: ignore[no-untyped-def]
    c = await open_customer()
    r = await c.say("人工")
    assert r.json()["conversation"]["state"] == "agent"
    r = await agent_client.post(
        f"/api/v1/desk/conversations/{c.id}/messages", json={"text": "您好", "client_msg_id": "m1"}
    )
    assert r.status_code == 201 and r.json()["client_msg_id"] == "m1"
    r = await c.say("我的订单呢", client_msg_id="m1")
    assert r.status_code == 201
    assert r.json()["message"]["author"] == "customer"
    assert r.json()["message"]["text"] == "我的订单呢"
    # The desk's retry still finds the agent's own message.
    r = await agent_client.post(
        f"/api/v1/desk/conversations/{c.id}/messages", json={"text": "您好", "client_msg_id": "m1"}
    )
    assert r.status_code == 201 and r.json()["text"] == "您好"


async def test_a_retry_during_a_burst_gets_the_stored_result(open_customer, services) -> None:  # type: ignore[no-untyped-def]
    services.rate_limiter = RateLimiter(2)
    c = await open_customer()
    first = await c.say("你好", client_msg_id="a")
    assert (await c.say("在吗", client_msg_id="b")).status_code == 201
    assert (await c.say("还有人吗", client_msg_id="c")).status_code == 429
    again = await c.say("你好", client_msg_id="a")
    assert again.status_code == 201
    assert again.json()["message"]["id"] == first.json()["message"]["id"]


async def test_bad_json_is_422_with_advice(open_customer) -> None:  # type: ignore[no-untyped-def]
    c = await open_customer()
    for body in (b'{"text": "hi"', b'\xff\xfe{"text"'):
        r = await c.client.post(
            f"/api/v1/conversations/{c.id}/messages",
            content=body,
            headers={**c.headers, "Content-Type": "application/json"},
        )
        assert r.status_code == 422, (body, r.text)
        assert "JSON" in r.json()["message"]
