"""A failing effect never loses the customer's message and never leaves them without an answer.

The shop platform is the one thing here we cannot run, so it is the fake (tests/shop/fake_shop.py,
a real HTTP server on loopback) and it is the effect that fails: it answers 500 to every action.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tandem.conversations.models import Decision, Message
from tandem.engine import ConversationView
from tandem.engine.recovery import after_failure
from tandem.identity.signing import sign_external_id
from tandem.services import Services
from tandem.shop.http_adapter import HttpShopAdapter
from tandem.shop.provider import Shop
from tandem.shop.types import Order, OrderStatus

from ..shop.factories import order
from ..shop.fake_shop import FakeShop, running

ORDER_ID = "TD20261121000001"


class BrokenShop(FakeShop):
    """Reads work; every action fails the way a shop platform's outage does."""

    def act(self, order: Order, action: str, body: dict[str, Any]) -> tuple[int, Any]:
        return 500, {"error": "internal", "message": "database timeout"}


@pytest.fixture
def broken_shop() -> Iterator[str]:
    shop = BrokenShop([order(OrderStatus.PAID, order_id=ORDER_ID, customer_id="u1")], {})
    with running(shop) as url:
        yield url


async def test_a_failing_shop_action_hands_off_and_keeps_the_message(
    services: Services, client: httpx.AsyncClient, broken_shop: str
) -> None:
    services.shop = Shop(services.shop.policy, http=HttpShopAdapter(broken_shop))
    secret = services.settings.widget_secret
    r = await client.post(
        "/api/v1/conversations",
        json={"customer": {"external_id": "u1", "signature": sign_external_id(secret, "u1")}},
    )
    assert r.status_code == 201, r.text
    cid, token = r.json()["id"], r.json()["customer_token"]
    headers = {"Authorization": f"Bearer {token}"}

    r = await client.post(
        f"/api/v1/conversations/{cid}/messages",
        json={"text": "我不想要了，帮我退款", "client_msg_id": "m-1"},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    # A refund is irreversible: the customer is asked first, and says yes.
    assert "确认" in r.json()["replies"][-1]["text"]
    r = await client.post(
        f"/api/v1/conversations/{cid}/messages",
        json={"text": "确定", "client_msg_id": "m-2"},
        headers=headers,
    )

    assert r.status_code == 201, r.text
    body = r.json()
    assert body["message"]["text"] == "确定"
    assert len(body["replies"]) == 1
    assert "转接人工" in body["replies"][0]["text"]
    # Nobody of the demo desk is online in this fixture: the conversation waits in the queue.
    assert body["conversation"]["state"] == "queued"
    assert body["conversation"]["queue"]["position"] == 1

    async with services.sessions() as session:
        texts = (
            await session.scalars(
                select(Message.text).where(
                    Message.conversation_id == cid, Message.author == "customer"
                )
            )
        ).all()
        decisions = (
            await session.scalars(select(Decision).where(Decision.conversation_id == cid))
        ).all()
    assert sorted(texts) == sorted(["我不想要了，帮我退款", "确定"])
    failed = [d for d in decisions if d.rule == "effect_failed"]
    assert [(d.action, d.handoff_reason) for d in failed] == [("hand_off", "system_error")]
    assert failed[0].data["failed"] == "ShopUnavailable"

    # The retry of the same message gets the stored answer, not a second turn.
    again = await client.post(
        f"/api/v1/conversations/{cid}/messages",
        json={"text": "确定", "client_msg_id": "m-2"},
        headers=headers,
    )
    assert again.status_code == 201
    assert again.json()["replies"] == body["replies"]


def test_without_a_person_to_ask_the_customer_gets_an_apology() -> None:
    decision = after_failure(
        ConversationView(state="queued", language="zh"), "RuntimeError", can_hand_off=True
    )
    assert decision.action == "reply"
    assert "消息我们已经收到" in decision.replies[0].text
    english = after_failure(
        ConversationView(state="bot", language="en"), "RuntimeError", can_hand_off=False
    )
    assert english.action == "reply" and "We have your message" in english.replies[0].text
