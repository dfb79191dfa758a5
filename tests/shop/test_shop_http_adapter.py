"""The HTTP adapter against a real local HTTP service speaking the documented contract."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tandem.core.errors import NotFound
from tandem.shop.adapter import ShopActionRejected, ShopUnavailable
from tandem.shop.http_adapter import HttpShopAdapter
from tandem.shop.policy_config import load_policy
from tandem.shop.schemas import Actor
from tandem.shop.service import list_actions, perform_action
from tandem.shop.types import ActionKind, ActionRequest, OrderStatus, TrackingEvent

from .factories import ADDRESS, NOW, order
from .fake_shop import FakeShop, running

POLICY = load_policy()


@pytest.fixture
def shop() -> Iterator[tuple[FakeShop, str]]:
    orders = [
        order(OrderStatus.PAID, order_id="TD20261121000001", customer_id="u1"),
        order(OrderStatus.SHIPPED, order_id="TD20261120000002", customer_id="u1"),
        order(OrderStatus.PAID, order_id="TD20261121000003", customer_id="u2"),
    ]
    events = {
        "TD20261120000002": [
            TrackingEvent(
                at=NOW - timedelta(hours=h),
                code=code,
                description_zh=zh,
                description_en=en,
                location="杭州市",
            )
            for h, code, zh, en in [
                (3, "in_transit", "快件已从杭州转运中心发出", "Left the Hangzhou hub"),
                (20, "picked_up", "顺丰速运已揽收", "Picked up"),
            ]
        ]
    }
    fake = FakeShop(orders, events)
    with running(fake) as url:
        yield fake, url


async def test_reads_orders_and_tracking_over_http(shop: tuple[FakeShop, str]) -> None:
    fake, url = shop
    adapter = HttpShopAdapter(url, token="shop-token")
    try:
        orders = await adapter.list_orders("u1")
        assert [o.order_id for o in orders] == ["TD20261121000001", "TD20261120000002"]
        detail = await adapter.get_order("u1", "TD20261120000002")
        assert detail is not None and detail.status == OrderStatus.SHIPPED
        events = await adapter.tracking("u1", "TD20261120000002")
        assert [e.code for e in events] == ["picked_up", "in_transit"]  # sorted oldest first
        customer = await adapter.get_customer("u1")
        assert customer is not None and customer.external_id == "u1"
        assert await adapter.get_customer("nobody") is None
    finally:
        await adapter.aclose()
    assert all(h.get("Authorization") == "Bearer shop-token" for _, _, h in fake.requests)


async def test_other_customers_orders_are_invisible(
    shop: tuple[FakeShop, str], shop_sessions: async_sessionmaker[AsyncSession]
) -> None:
    fake, url = shop
    adapter = HttpShopAdapter(url)
    try:
        assert await adapter.get_order("u1", "TD20261121000003") is None
        assert await adapter.tracking("u1", "TD20261121000003") == []
        # Even a shop backend that leaks other customers' orders is not believed, and the
        # service never acts on them.
        fake.leak_other_customers = True
        assert await adapter.get_order("u1", "TD20261121000003") is None
        async with shop_sessions() as s:
            with pytest.raises(NotFound):
                await perform_action(
                    s,
                    adapter,
                    POLICY,
                    customer_id="u1",
                    order_id="TD20261121000003",
                    request=ActionRequest(kind=ActionKind.REFUND),
                    actor=Actor(kind="customer", id="u1"),
                    now=NOW,
                )
        assert fake.orders["TD20261121000003"].refunded_cents == 0
        assert not [p for m, p, _ in fake.requests if m == "POST"]
    finally:
        await adapter.aclose()


async def test_actions_and_refusals(shop: tuple[FakeShop, str]) -> None:
    fake, url = shop
    adapter = HttpShopAdapter(url)
    try:
        refunded = await adapter.refund("u1", "TD20261121000001", 19900)
        assert refunded.status == OrderStatus.REFUNDED
        with pytest.raises(ShopActionRejected, match="exceeds"):
            await adapter.refund("u1", "TD20261121000001", 1)
        urged = await adapter.urge_shipping("u1", "TD20261120000002")
        assert urged.urge_count == 1
        moved = await adapter.change_address(
            "u1", "TD20261120000002", ADDRESS.model_copy(update={"line": "新地址"})
        )
        assert moved.address.line == "新地址"
        with pytest.raises(ShopActionRejected, match="not supported"):
            await adapter.set_return_tracking("u1", "TD20261120000002", "YT123456789", None)
    finally:
        await adapter.aclose()
    posts = [p for m, p, _ in fake.requests if m == "POST"]
    assert "/api/customers/u1/orders/TD20261121000001/actions/refund" in posts


async def test_unreachable_shop_says_what_to_check() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    adapter = HttpShopAdapter(f"http://127.0.0.1:{port}", timeout=2)
    try:
        with pytest.raises(ShopUnavailable, match="TANDEM_SHOP_HTTP_URL"):
            await adapter.list_orders("u1")
    finally:
        await adapter.aclose()


async def test_policy_and_recording_work_over_http(
    shop: tuple[FakeShop, str], shop_sessions: async_sessionmaker[AsyncSession]
) -> None:
    fake, url = shop
    adapter = HttpShopAdapter(url)
    try:
        async with shop_sessions() as s, s.begin():
            out = await perform_action(
                s,
                adapter,
                POLICY,
                customer_id="u1",
                order_id="TD20261121000001",
                request=ActionRequest(kind=ActionKind.REFUND),
                actor=Actor(kind="ai", id="tandem-ai"),
                now=NOW,
            )
            declined = await perform_action(
                s,
                adapter,
                POLICY,
                customer_id="u1",
                order_id="TD20261120000002",
                request=ActionRequest(kind=ActionKind.CANCEL),
                actor=Actor(kind="ai", id="tandem-ai"),
                now=NOW,
            )
        assert out.performed and out.order.status == OrderStatus.REFUNDED
        assert fake.orders["TD20261121000001"].status == OrderStatus.REFUNDED
        assert (declined.performed, declined.verdict.rule) == (False, "shipped_cannot_cancel")
        assert fake.orders["TD20261120000002"].status == OrderStatus.SHIPPED
        async with shop_sessions() as s:
            [rec] = await list_actions(s, order_id="TD20261121000001")
        assert (rec.outcome, rec.rule) == ("allowed", "unshipped_refund_immediate")
    finally:
        await adapter.aclose()
