"""`ShopAdapter` over a shop's own backend, speaking the JSON contract in docs/shop-adapter.md.

The shop's answers are validated into our domain types; an order the shop returns for a
different customer is treated as not found (ownership is enforced on our side too).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from tandem.shop.adapter import ShopActionRejected, ShopUnavailable
from tandem.shop.types import (
    Address,
    Customer,
    ItemCondition,
    Order,
    ReturnReason,
    TrackingEvent,
)


def _seg(value: str) -> str:
    return quote(value, safe="")


class HttpShopAdapter:
    """Calls `{base_url}/customers/{customer_id}/...` on the shop's backend.

    Pass an `httpx.AsyncClient` to share a connection pool (and to test); otherwise one is
    made and `aclose()` closes it.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout: float = 5.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(timeout=timeout)
        self._base = base_url.rstrip("/")
        self._headers = headers

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any | None:
        """The decoded JSON body; None on 404. Raises on refusals and failures."""
        url = self._base + path
        try:
            resp = await self._client.request(method, url, json=body, headers=self._headers)
        except httpx.HTTPError as e:
            raise ShopUnavailable(
                f"the shop backend at {self._base} did not answer ({type(e).__name__}); "
                "check TANDEM_SHOP_HTTP_URL and that the shop's service is running"
            ) from e
        if resp.status_code == 404:
            return None
        if resp.status_code in (409, 422):
            raise ShopActionRejected(_message(resp) or "the shop refused the action")
        if resp.status_code >= 400:
            raise ShopUnavailable(
                f"the shop backend answered {resp.status_code} for {method} {path}: "
                f"{_message(resp) or resp.text[:200]}"
            )
        try:
            return resp.json()
        except ValueError as e:
            raise ShopUnavailable(f"the shop backend sent non-JSON for {method} {path}") from e

    def _order(self, customer_id: str, data: Any) -> Order | None:
        try:
            order = Order.model_validate(data)
        except ValidationError as e:
            raise ShopUnavailable(
                f"the shop backend sent an order that does not match the contract: {e}"
            ) from e
        return order if order.customer_id == customer_id else None

    async def _act(
        self, customer_id: str, order_id: str, action: str, body: dict[str, Any]
    ) -> Order:
        path = f"/customers/{_seg(customer_id)}/orders/{_seg(order_id)}/actions/{action}"
        data = await self._call("POST", path, body)
        order = self._order(customer_id, data) if data is not None else None
        if order is None:
            raise ShopActionRejected(f"order {order_id} not found for this customer")
        return order

    async def get_customer(self, customer_id: str) -> Customer | None:
        data = await self._call("GET", f"/customers/{_seg(customer_id)}")
        if data is None:
            return None
        try:
            return Customer.model_validate(data)
        except ValidationError as e:
            raise ShopUnavailable(f"the shop backend sent a bad customer: {e}") from e

    async def list_orders(self, customer_id: str) -> list[Order]:
        data = await self._call("GET", f"/customers/{_seg(customer_id)}/orders")
        if data is None:
            return []
        orders = [self._order(customer_id, o) for o in data.get("orders", [])]
        return sorted(
            (o for o in orders if o is not None), key=lambda o: o.created_at, reverse=True
        )

    async def get_order(self, customer_id: str, order_id: str) -> Order | None:
        data = await self._call("GET", f"/customers/{_seg(customer_id)}/orders/{_seg(order_id)}")
        return self._order(customer_id, data) if data is not None else None

    async def tracking(self, customer_id: str, order_id: str) -> list[TrackingEvent]:
        path = f"/customers/{_seg(customer_id)}/orders/{_seg(order_id)}/tracking"
        data = await self._call("GET", path)
        if data is None:
            return []
        try:
            events = [TrackingEvent.model_validate(e) for e in data.get("events", [])]
        except ValidationError as e:
            raise ShopUnavailable(f"the shop backend sent bad tracking events: {e}") from e
        return sorted(events, key=lambda e: e.at)

    async def cancel(self, customer_id: str, order_id: str) -> Order:
        return await self._act(customer_id, order_id, "cancel", {})

    async def refund(self, customer_id: str, order_id: str, amount_cents: int) -> Order:
        return await self._act(customer_id, order_id, "refund", {"amount_cents": amount_cents})

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
        body = {
            "kind": kind,
            "reason": reason.value,
            "condition": condition.value,
            "evidence_urls": list(evidence_urls),
            "note": note,
        }
        return await self._act(customer_id, order_id, "return", body)

    async def set_return_tracking(
        self, customer_id: str, order_id: str, tracking_number: str, carrier: str | None
    ) -> Order:
        body = {"tracking_number": tracking_number, "carrier": carrier}
        return await self._act(customer_id, order_id, "return-tracking", body)

    async def change_address(self, customer_id: str, order_id: str, address: Address) -> Order:
        return await self._act(
            customer_id, order_id, "address", {"address": address.model_dump(mode="json")}
        )

    async def urge_shipping(self, customer_id: str, order_id: str) -> Order:
        return await self._act(customer_id, order_id, "urge", {})


def _message(resp: httpx.Response) -> str | None:
    try:
        data = resp.json()
    except ValueError:
        return None
    if isinstance(data, dict):
        msg = data.get("message") or data.get("error")
        return str(msg) if msg else None
    return None
