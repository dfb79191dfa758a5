"""The widget's server pieces (issue 12, class 11): welcome with the shop's name and FAQ
shortcuts, leaving the queue, ending an AI-only chat and rating it, typing hints."""

from __future__ import annotations

import json

import pytest
import websockets

pytestmark = pytest.mark.asyncio


async def test_welcome_names_the_shop_and_offers_faq_and_a_person(client, services) -> None:  # type: ignore[no-untyped-def]
    r = await client.get("/api/v1/widget/welcome")
    assert r.status_code == 200
    w = r.json()
    assert w["shop_name"] == services.settings.shop_name
    assert services.settings.shop_name in w["greeting"]
    assert w["timezone"] == "Asia/Shanghai" and w["max_message_chars"] == 2000
    assert len(w["faq"]) == 4
    zh_entries = {e.id: e for e in services.knowledge.entries() if e.language == "zh"}
    for shortcut in w["faq"]:
        entry = zh_entries[shortcut["payload"].removeprefix("kb:")]
        assert shortcut["label"] == entry.question and "{" not in entry.answer
    assert w["human"]["payload"] == "handoff"
    en = (await client.get("/api/v1/widget/welcome?lang=en")).json()
    assert all(s["payload"].startswith("kb:faq-en") for s in en["faq"]), en["faq"]


async def test_a_faq_shortcut_is_answered_from_its_entry(client, open_customer, services) -> None:  # type: ignore[no-untyped-def]
    shortcut = (await client.get("/api/v1/widget/welcome")).json()["faq"][0]
    customer = await open_customer()
    r = await customer.say(shortcut["label"], payload=shortcut["payload"])
    entry = services.knowledge.get(shortcut["payload"].removeprefix("kb:"))
    assert entry is not None
    assert r.json()["replies"][0]["text"].startswith(entry.answer[:10])


async def test_leaving_the_queue_goes_back_to_the_ai(open_customer) -> None:  # type: ignore[no-untyped-def]
    customer = await open_customer()
    r = await customer.say("转人工", payload="handoff")
    assert r.json()["conversation"]["state"] == "queued"
    left = await customer.client.post(
        f"/api/v1/conversations/{customer.id}/leave-queue", headers=customer.headers
    )
    assert left.status_code == 200 and left.json()["state"] == "bot"
    conv = (
        await customer.client.get(f"/api/v1/conversations/{customer.id}", headers=customer.headers)
    ).json()
    assert conv["state"] == "bot" and conv["queue"] is None
    again = await customer.client.post(
        f"/api/v1/conversations/{customer.id}/leave-queue", headers=customer.headers
    )
    assert again.status_code == 409 and "没有在排队" in again.json()["message"]


async def test_an_ai_only_chat_can_be_ended_and_rated(open_customer, agent_client) -> None:  # type: ignore[no-untyped-def]
    customer = await open_customer()
    await customer.say("你好")
    early = await customer.client.post(
        f"/api/v1/conversations/{customer.id}/rating",
        json={"rating": "satisfied"},
        headers=customer.headers,
    )
    assert early.status_code == 409
    r = await customer.client.post(
        f"/api/v1/conversations/{customer.id}/close", headers=customer.headers
    )
    assert r.status_code == 200 and r.json()["state"] == "resolved"
    rated = await customer.client.post(
        f"/api/v1/conversations/{customer.id}/rating",
        json={"rating": "satisfied", "comment": "AI 回答得很快"},
        headers=customer.headers,
    )
    assert rated.status_code == 200 and rated.json()["rating"] == "satisfied"
    # With a person, the person closes the chat.
    other = await open_customer()
    await other.say("转人工", payload="handoff")
    r = await other.client.post(f"/api/v1/conversations/{other.id}/close", headers=other.headers)
    assert r.status_code == 409


async def test_typing_hints_reach_the_customer_live_and_are_not_logged(
    server, open_customer, agent_client
) -> None:  # type: ignore[no-untyped-def]
    customer = await open_customer()
    url = f"{server.ws_url}/api/v1/conversations/{customer.id}/events?token={customer.token}"
    async with websockets.connect(url) as ws:
        opened = json.loads(await ws.recv())
        assert opened["type"] == "conversation.opened"
        await customer.say("你好")
        typing = json.loads(await ws.recv())
        assert typing["type"] == "typing" and typing.get("seq") is None
        assert typing["data"]["author"] == "bot"
        created = json.loads(await ws.recv())
        assert created["type"] == "message.created" and created["data"]["author"] == "customer"
        # The agent serving the conversation types: the customer sees their name.
        await customer.say("转人工", payload="handoff")
        while True:
            event = json.loads(await ws.recv())
            if event["type"] == "conversation.state_changed" and event["data"]["state"] == "agent":
                break
        r = await agent_client.post(f"/api/v1/desk/conversations/{customer.id}/typing", json={})
        assert r.status_code == 204
        while (event := json.loads(await ws.recv()))["type"] != "typing":
            pass
        assert event["data"] == {"author": "agent", "active": True, "name": "小林"}
    # A reconnecting client gets the log only: no typing in it.
    async with websockets.connect(url) as ws:
        seen = []
        while not seen or seen[-1]["seq"] < (await _last_seq(customer)):
            seen.append(json.loads(await ws.recv()))
        assert all(e["type"] != "typing" for e in seen)


async def _last_seq(customer) -> int:  # type: ignore[no-untyped-def]
    r = await customer.client.get(f"/api/v1/conversations/{customer.id}", headers=customer.headers)
    return int(r.json()["last_seq"])
