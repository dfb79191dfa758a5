"""The shop adapter protocol: how Tandem reads a customer's orders and acts on them.

Two implementations: `DemoShopAdapter` (the demo shop in our database) and `HttpShopAdapter`
(a shop's own backend, docs/shop-adapter.md). Adapters do what they are told; the written
policy is applied before, in `tandem.shop.service`. Ownership is enforced here (an order that
is not the customer's is `None`) and again in the service.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from tandem.core.errors import TandemError
from tandem.shop.types import (
    Address,
    Customer,
    ItemCondition,
    Order,
    ReturnReason,
    TrackingEvent,
)


class ShopActionRejected(Exception):
    """The shop's backend refused an action the policy allowed (its state moved on, say).

    `message` is safe to show to an agent; the service records the attempt as failed.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ShopUnavailable(TandemError):
    """The shop's backend cannot be reached or answered nonsense (HTTP 503 at our edge)."""

    status_code = 503
    code = "shop_unavailable"


class ShopAdapter(Protocol):
    async def get_customer(self, customer_id: str) -> Customer | None: ...

    async def list_orders(self, customer_id: str) -> list[Order]:
        """The customer's orders, newest first."""
        ...

    async def get_order(self, customer_id: str, order_id: str) -> Order | None:
        """The order, or None when it does not exist *or is not this customer's*."""
        ...

    async def tracking(self, customer_id: str, order_id: str) -> list[TrackingEvent]:
        """Carrier events, oldest first; empty when not shipped or not the customer's."""
        ...

    async def cancel(self, customer_id: str, order_id: str) -> Order: ...

    async def refund(self, customer_id: str, order_id: str, amount_cents: int) -> Order: ...

    async def start_return(
        self,
        customer_id: str,
        order_id: str,
        *,
        kind: str,
        reason: ReturnReason,
        condition: ItemCondition,
        evidence_urls: Sequence[str],
        note: str,
    ) -> Order:
        """Start a return (`kind="return"`) or exchange (`kind="exchange"`)."""
        ...

    async def set_return_tracking(
        self, customer_id: str, order_id: str, tracking_number: str, carrier: str | None
    ) -> Order: ...

    async def change_address(self, customer_id: str, order_id: str, address: Address) -> Order: ...

    async def urge_shipping(self, customer_id: str, order_id: str) -> Order: ...
