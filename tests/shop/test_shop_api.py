"""The shop API over real HTTP: every policy rule, proposals in the desk, ownership checks."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tandem.services import Services
from tandem.shop.models import ShopOrder
from tandem.shop.provider import build_shop
from tandem.shop.schemas import ActionOutcome, Actor
from tandem.shop.seed import demo_customers, seed_demo_shop
from tandem.shop.service import list_actions, perform_action
from tandem.shop.types import ActionKind, ActionRequest

Demo = dict[str, dict[str, str]]


@pytest.fixture
async def demo(services: Services) -> Demo:
    async with services.unit_of_work() as uow:
        await seed_demo_shop(uow.session, now=services.clock.now())
        return await demo_customers(uow.session, services.settings.widget_secret)


class Shopper:
    def __init__(self, client: httpx.AsyncClient, conversation_id: str, token: str) -> None:
        self.client, self.id, self.token = client, conversation_id, token

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def orders(self) -> httpx.Response:
        return await self.client.get(
            f"/api/v1/conversations/{self.id}/orders", headers=self.headers
        )

    async def order(self, order_id: str) -> httpx.Response:
        return await self.client.get(
            f"/api/v1/conversations/{self.id}/orders/{order_id}", headers=self.headers
        )

    async def ask_for_a_person(self) -> None:
        r = await self.client.post(
            f"/api/v1/conversations/{self.id}/messages", json={"text": "人工"}, headers=self.headers
        )
        assert r.status_code == 201, r.text

    async def act(self, order_id: str, **request: Any) -> httpx.Response:
        return await self.client.post(
            f"/api/v1/conversations/{self.id}/orders/{order_id}/actions",
            json=request,
            headers=self.headers,
        )


async def shopper(client: httpx.AsyncClient, entry: dict[str, str] | None = None) -> Shopper:
    body: dict[str, Any] = {}
    if entry is not None:
        body["customer"] = {"external_id": entry["external_id"], "signature": entry["signature"]}
    r = await client.post("/api/v1/conversations", json=body)
    assert r.status_code == 201, r.text
    return Shopper(client, r.json()["id"], r.json()["customer_token"])


async def test_anonymous_customer_gets_no_orders_and_a_hint(
    client: httpx.AsyncClient, demo: Demo
) -> None:
    anon = await shopper(client)
    r = await anon.orders()
    assert r.status_code == 200
    assert r.json()["orders"] == [] and "登录" in r.json()["hint_zh"]
    r = await anon.act(demo["unshipped"]["order_id"], kind="refund")
    assert r.status_code == 403 and "sign" in r.json()["message"]


async def test_customer_sees_only_own_orders(client: httpx.AsyncClient, demo: Demo) -> None:
    me = await shopper(client, demo["several_orders"])
    r = await me.orders()
    orders = r.json()["orders"]
    assert len(orders) >= 2
    assert {o["order"]["customer_id"] for o in orders} == {demo["several_orders"]["external_id"]}
    assert all(o["title_zh"] and o["status_zh"] for o in orders)
    # Typing another customer's order number shows nothing and does nothing.
    other = demo["unshipped"]["order_id"]
    r = await me.order(other)
    assert r.status_code == 404 and "not one of your orders" in r.json()["message"]
    r = await me.act(other, kind="refund")
    assert r.status_code == 404
    owner = await shopper(client, demo["unshipped"])
    r = await owner.order(other)
    assert r.status_code == 200 and r.json()["order"]["order"]["status"] == "paid"
    # A wrong token for the conversation is refused outright.
    r = await client.get(
        f"/api/v1/conversations/{me.id}/orders", headers={"Authorization": "Bearer nope"}
    )
    assert r.status_code in (401, 403)


async def test_shipped_order_shows_where_the_parcel_is(
    client: httpx.AsyncClient, demo: Demo
) -> None:
    me = await shopper(client, demo["in_transit"])
    r = await me.order(demo["in_transit"]["order_id"])
    body = r.json()
    assert body["order"]["order"]["status"] == "shipped"
    assert body["order"]["order"]["promised_delivery_by"]
    assert body["tracking"] and body["tracking"][0]["code"] == "picked_up"


NEW_ADDRESS = {
    "recipient": "李四",
    "phone": "13900000000",
    "province": "上海市",
    "city": "上海市",
    "line": "南京东路 100 号",
}

# situation, request, expected (outcome, rule, order status after). Run in this order on one
# demo shop: for each customer the attempts that change the order come last.
RULES: list[tuple[str, dict[str, Any], tuple[str, str, str]]] = [
    ("unpaid", {"kind": "refund"}, ("declined", "unpaid_nothing_to_refund", "unpaid")),
    ("unpaid", {"kind": "cancel"}, ("allowed", "unpaid_cancel", "cancelled")),
    ("unshipped", {"kind": "change_address"}, ("needs_info", "address_needed", "paid")),
    ("unshipped", {"kind": "change_address", "new_address": NEW_ADDRESS}, ("allowed", "address_change_before_shipping", "paid")),
    ("unshipped", {"kind": "urge_shipping"}, ("allowed", "urge_shipping_recorded", "paid")),
    ("unshipped", {"kind": "refund"}, ("allowed", "unshipped_refund_immediate", "refunded")),
    ("otc_medicine_unshipped", {"kind": "urge_shipping"}, ("allowed", "urge_shipping_overdue", "paid")),
    ("otc_medicine_unshipped", {"kind": "cancel"}, ("allowed", "unshipped_refund_immediate", "refunded")),
    ("high_value", {"kind": "refund"}, ("needs_approval", "refund_above_threshold", "paid")),
    ("in_transit", {"kind": "cancel"}, ("declined", "shipped_cannot_cancel", "shipped")),
    ("in_transit", {"kind": "refund"}, ("declined", "in_transit_refund_after_return", "shipped")),
    ("in_transit", {"kind": "return", "reason": "no_reason"}, ("declined", "not_delivered_yet", "shipped")),
    ("in_transit", {"kind": "change_address", "new_address": NEW_ADDRESS}, ("declined", "address_change_after_shipping", "shipped")),
    ("in_transit", {"kind": "urge_shipping"}, ("declined", "already_shipped", "shipped")),
    ("delivered_recent", {"kind": "refund"}, ("needs_info", "delivered_refund_via_return", "delivered")),
    ("delivered_recent", {"kind": "return"}, ("needs_info", "return_needs_reason", "delivered")),
    ("delivered_recent", {"kind": "set_return_tracking", "return_tracking_number": "YT1234567890123"}, ("declined", "no_return_started", "delivered")),
    ("delivered_recent", {"kind": "return", "reason": "no_reason", "condition": "used"}, ("declined", "no_reason_requires_unused", "delivered")),
    ("delivered_recent", {"kind": "return", "reason": "no_reason"}, ("allowed", "seven_day_no_reason", "return_in_progress")),
    ("vip", {"kind": "exchange", "reason": "size"}, ("allowed", "seven_day_no_reason", "return_in_progress")),
    ("delivered_over_7_days", {"kind": "return", "reason": "no_reason"}, ("declined", "outside_window", "delivered")),
    ("worn_clothing_old", {"kind": "return", "reason": "no_reason", "condition": "used"}, ("declined", "outside_window_worn", "delivered")),
    ("worn_clothing_old", {"kind": "return", "reason": "quality", "evidence_urls": ["https://img.example/1.jpg"]}, ("declined", "outside_quality_window", "delivered")),
    ("customised_delivered", {"kind": "return", "reason": "no_reason"}, ("declined", "excluded_category", "delivered")),
    ("fresh_food_delivered", {"kind": "return", "reason": "no_reason"}, ("declined", "excluded_category", "delivered")),
    ("fresh_food_delivered", {"kind": "return", "reason": "damaged"}, ("needs_evidence", "quality_needs_evidence", "delivered")),
    ("fresh_food_delivered", {"kind": "return", "reason": "damaged", "evidence_urls": ["https://img.example/crab.mp4"]}, ("allowed", "quality_return", "return_in_progress")),
    ("return_in_progress", {"kind": "refund"}, ("needs_info", "return_needs_tracking", "return_in_progress")),
    ("return_in_progress", {"kind": "set_return_tracking", "return_tracking_number": "x1"}, ("needs_info", "return_needs_tracking", "return_in_progress")),
    ("return_in_progress", {"kind": "set_return_tracking", "return_tracking_number": "YT1234567890123"}, ("allowed", "return_tracking_recorded", "refunded")),
    ("refunded", {"kind": "refund"}, ("declined", "order_closed", "refunded")),
]  # fmt: skip


async def test_every_policy_rule_through_the_api(
    client: httpx.AsyncClient, demo: Demo, subtests: pytest.Subtests
) -> None:
    shoppers: dict[str, Shopper] = {}
    for situation, request, (outcome, rule, status) in RULES:
        with subtests.test(situation=situation, rule=rule):
            entry = demo[situation]
            if situation not in shoppers:
                shoppers[situation] = await shopper(client, entry)
            me = shoppers[situation]
            r = await me.act(entry["order_id"], **request)
            assert r.status_code == 200, r.text
            out = r.json()
            assert (out["verdict"]["outcome"], out["verdict"]["rule"]) == (outcome, rule)
            assert out["verdict"]["reason_zh"] and out["verdict"]["reason_en"]
            if outcome == "declined":
                assert out["verdict"]["human_review_offered"] is True
            assert out["performed"] is (outcome == "allowed")
            # The order as the customer now sees it.
            seen = (await me.order(entry["order_id"])).json()["order"]["order"]
            assert seen["status"] == status


async def test_every_attempt_is_recorded_and_visible_in_the_desk(
    client: httpx.AsyncClient, agent_client: httpx.AsyncClient, demo: Demo
) -> None:
    entry = demo["worn_clothing_old"]
    me = await shopper(client, entry)
    await me.act(entry["order_id"], kind="return", reason="no_reason", condition="used")
    await me.act(entry["order_id"], kind="refund")
    # The order's history is the supervisors'; an agent sees a conversation's once it is theirs.
    r = await agent_client.get(f"/api/v1/shop/orders/{entry['order_id']}/actions")
    assert r.status_code == 403
    assert (
        await agent_client.get(f"/api/v1/desk/conversations/{me.id}/shop-actions")
    ).status_code == 403
    async with httpx.AsyncClient(base_url=str(client.base_url)) as lead:
        r = await lead.post(
            "/api/v1/auth/login", json={"username": "lead", "password": "tandem-demo"}
        )
        assert r.status_code == 200
        r = await lead.get(f"/api/v1/shop/orders/{entry['order_id']}/actions")
    assert r.status_code == 200
    records = r.json()
    assert sorted(a["rule"] for a in records) == [
        "delivered_refund_via_return",
        "outside_window_worn",
    ]
    assert {(a["actor_kind"], a["actor_id"]) for a in records} == {
        ("customer", entry["external_id"])
    }
    assert all(a["at"] and a["conversation_id"] == me.id for a in records)
    await me.ask_for_a_person()
    r = await agent_client.get(f"/api/v1/desk/conversations/{me.id}/shop-actions")
    assert len(r.json()) == 2
    assert (await client.get(f"/api/v1/shop/orders/{entry['order_id']}/actions")).status_code == 401


async def test_refund_above_threshold_is_approved_in_the_desk(
    client: httpx.AsyncClient, agent_client: httpx.AsyncClient, demo: Demo
) -> None:
    entry = demo["high_value"]
    me = await shopper(client, entry)
    r = await me.act(entry["order_id"], kind="refund")
    proposal_id = r.json()["proposal_id"]
    assert proposal_id and r.json()["verdict"]["rule"] == "refund_above_threshold"
    # Not the agent's conversation yet: not theirs to decide.
    r = await agent_client.post(f"/api/v1/shop/proposals/{proposal_id}/approve", json={})
    assert r.status_code == 403
    await me.ask_for_a_person()
    # More than the order can refund (¥1,899): refused with what can be, nothing refunded.
    r = await agent_client.post(
        f"/api/v1/shop/proposals/{proposal_id}/approve",
        json={"amount_cents": 500000, "note": "客户很着急"},
    )
    assert r.status_code == 422 and "1899" in r.json()["message"]

    pending = (await agent_client.get("/api/v1/shop/proposals")).json()
    assert [p["id"] for p in pending] == [proposal_id]
    assert pending[0]["conversation_id"] == me.id and pending[0]["amount_cents"] == 189900
    r = await agent_client.post(
        f"/api/v1/shop/proposals/{proposal_id}/approve", json={"note": "客户很着急"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["performed"] and r.json()["order"]["status"] == "refunded"
    r = await agent_client.post(f"/api/v1/shop/proposals/{proposal_id}/approve", json={})
    assert r.status_code == 409 and "already approved" in r.json()["message"]
    assert (await agent_client.get("/api/v1/shop/proposals")).json() == []
    done = (await agent_client.get("/api/v1/shop/proposals?status=approved")).json()
    assert done[0]["decided_by"] and done[0]["decided_at"]
    assert done[0]["decision_note"] == "客户很着急"
    # The customer is told in the conversation.
    msgs = (await client.get(f"/api/v1/conversations/{me.id}/messages", headers=me.headers)).json()
    texts = [m["text"] for m in (msgs["messages"] if isinstance(msgs, dict) else msgs)]
    assert any("审核通过" in t and "1899" in t for t in texts)
    seen = (await me.order(entry["order_id"])).json()["order"]["order"]
    assert seen["status"] == "refunded"


async def test_rejected_proposal_is_explained_and_agents_act_in_the_desk(
    client: httpx.AsyncClient, agent_client: httpx.AsyncClient, demo: Demo
) -> None:
    entry = demo["high_value"]
    me = await shopper(client, entry)
    proposal_id = (await me.act(entry["order_id"], kind="refund")).json()["proposal_id"]
    await me.ask_for_a_person()
    r = await agent_client.post(f"/api/v1/shop/proposals/{proposal_id}/reject", json={"note": ""})
    assert r.status_code == 422
    r = await agent_client.post(
        f"/api/v1/shop/proposals/{proposal_id}/reject", json={"note": "订单已由仓库拦截，改为换货"}
    )
    assert r.status_code == 200 and r.json()["status"] == "rejected"

    # The desk sees the conversation's customer's orders and acts on them, approval implied.
    r = await agent_client.get(f"/api/v1/desk/conversations/{me.id}/orders")
    assert [o["order"]["order_id"] for o in r.json()["orders"]] == [entry["order_id"]]
    r = await agent_client.post(
        f"/api/v1/desk/conversations/{me.id}/orders/{entry['order_id']}/actions",
        json={"kind": "refund"},
    )
    assert r.json()["performed"] and r.json()["verdict"]["rule"] == "unshipped_refund_immediate"
    # ...but never on an order that is not that customer's.
    r = await agent_client.post(
        f"/api/v1/desk/conversations/{me.id}/orders/{demo['unshipped']['order_id']}/actions",
        json={"kind": "refund"},
    )
    assert r.status_code == 404
    # ...nor, by the shop's customer id, on an order outside a conversation the agent owns.
    r = await agent_client.post(
        f"/api/v1/shop/orders/{demo['unshipped']['order_id']}/actions",
        json={"customer_id": demo["unshipped"]["external_id"], "request": {"kind": "refund"}},
    )
    assert r.status_code == 403
    records = (await agent_client.get(f"/api/v1/desk/conversations/{me.id}/shop-actions")).json()
    kinds = sorted((a["actor_kind"], a["rule"]) for a in records)
    assert kinds == [
        ("agent", "proposal_rejected"),
        ("agent", "unshipped_refund_immediate"),
        ("customer", "refund_above_threshold"),
    ]


async def test_desk_shows_the_written_policy(agent_client: httpx.AsyncClient) -> None:
    r = await agent_client.get("/api/v1/shop/policy")
    assert r.status_code == 200
    body = r.json()
    assert body["policy"]["refund"]["approval_threshold_yuan"] == 1000
    assert "七天无理由" in body["text"] and body["source"] == "default"


async def test_bad_action_request_says_what_is_wrong(client: httpx.AsyncClient, demo: Demo) -> None:
    me = await shopper(client, demo["unshipped"])
    r = await me.act(demo["unshipped"]["order_id"], kind="teleport")
    assert r.status_code == 422 and "kind" in r.json()["message"]


async def test_racing_refunds_pay_once(services: Services, demo: Demo) -> None:
    """Two refunds of one order at the same time (a double tap, or the AI and an agent):
    the money goes back once, and both attempts are recorded."""
    if services.settings.is_sqlite:
        pytest.skip("SQLite serialises writers; the row lock matters on PostgreSQL")
    entry = demo["unshipped"]
    shop = build_shop(services.settings)

    async def refund(actor: Actor) -> ActionOutcome:
        async with services.unit_of_work() as uow:
            return await perform_action(
                uow.session,
                shop.adapter(uow.session),
                shop.policy,
                customer_id=entry["external_id"],
                order_id=entry["order_id"],
                request=ActionRequest(kind=ActionKind.REFUND),
                actor=actor,
                now=services.clock.now(),
            )

    results = await asyncio.gather(
        refund(Actor(kind="ai", id="tandem-ai")), refund(Actor(kind="agent", id="acc_1"))
    )
    assert sorted(r.performed for r in results) == [False, True]
    loser = next(r for r in results if not r.performed)
    assert loser.verdict.rule in ("shop_refused", "order_closed")
    async with services.sessions() as session:
        order = await session.get(ShopOrder, entry["order_id"])
        assert order is not None and order.refunded_cents == order.total_cents
        assert len(await list_actions(session, order_id=entry["order_id"])) == 2
