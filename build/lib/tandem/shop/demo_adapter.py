"""The demo shop: orders kept in our own database (tables in `tandem.shop.models`).

Works inside the caller's session and never commits (the edge owns the transaction).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from tandem.core.clock import Clock, SystemClock
from tandem.shop.adapter import ShopActionRejected
from tandem.shop.models import ShopCustomer, ShopOrder, ShopTrackingEvent
from tandem.shop.types import (
    Address,
    Carrier,
    Category,
    Customer,
    ItemCondition,
    Order,
    OrderItem,
    OrderStatus,
    ReturnInfo,
    ReturnReason,
    Tier,
    TrackingEvent,
)


def order_from_row(row: ShopOrder) -> Order:
    return Order(
        order_id=row.id,
        customer_id=row.customer_id,
        status=OrderStatus(row.status),
        items=tuple(
            OrderItem(
                sku=i.sku,
                name_zh=i.name_zh,
                name_en=i.name_en,
                category=Category(i.category),
                unit_price_cents=i.unit_price_cents,
                quantity=i.quantity,
            )
            for i in row.items
        ),
        total_cents=row.total_cents,
        currency=row.currency,
        refunded_cents=row.refunded_cents,
        created_at=row.created_at,
        paid_at=row.paid_at,
        shipped_at=row.shipped_at,
        delivered_at=row.delivered_at,
        promised_ship_by=row.promised_ship_by,
        promised_delivery_by=row.promised_delivery_by,
        cancelled_at=row.cancelled_at,
        refunded_at=row.refunded_at,
        carrier=Carrier(row.carrier) if row.carrier else None,
        tracking_number=row.tracking_number,
        address=Address.model_validate(row.address),
        urge_count=row.urge_count,
        return_info=ReturnInfo.model_validate(row.return_info) if row.return_info else None,
    )


class DemoShopAdapter:
    """`ShopAdapter` over the demo shop's tables."""

    def __init__(self, session: AsyncSession, clock: Clock | None = None) -> None:
        self._session = session
        self._clock = clock or SystemClock()

    async def _row(
        self, customer_id: str, order_id: str, *, for_update: bool = False
    ) -> ShopOrder | None:
        q = (
            select(ShopOrder)
            .where(ShopOrder.id == order_id, ShopOrder.customer_id == customer_id)
            .options(selectinload(ShopOrder.items))
        )
        if for_update:
            # Two refunds racing on one order: the second waits, then sees the first's result
            # (PostgreSQL row lock; SQLite serialises writers anyway).
            q = q.with_for_update().execution_options(populate_existing=True)
        return await self._session.scalar(q)

    async def _require(self, customer_id: str, order_id: str) -> ShopOrder:
        row = await self._row(customer_id, order_id, for_update=True)
        if row is None:
            raise ShopActionRejected(f"order {order_id} not found for this customer")
        return row

    async def _done(self, row: ShopOrder) -> Order:
        await self._session.flush()
        return order_from_row(row)

    async def get_customer(self, customer_id: str) -> Customer | None:
        row = await self._session.get(ShopCustomer, customer_id)
        if row is None:
            return None
        return Customer(external_id=row.external_id, name=row.name, tier=Tier(row.tier))

    async def list_orders(self, customer_id: str) -> list[Order]:
        rows = await self._session.scalars(
            select(ShopOrder)
            .where(ShopOrder.customer_id == customer_id)
            .options(selectinload(ShopOrder.items))
            .order_by(ShopOrder.created_at.desc(), ShopOrder.id.desc())
        )
        return [order_from_row(r) for r in rows]

    async def get_order(self, customer_id: str, order_id: str) -> Order | None:
        row = await self._row(customer_id, order_id)
        return order_from_row(row) if row else None

    async def tracking(self, customer_id: str, order_id: str) -> list[TrackingEvent]:
        if await self._row(customer_id, order_id) is None:
            return []
        rows = await self._session.scalars(
            select(ShopTrackingEvent)
            .where(ShopTrackingEvent.order_id == order_id)
            .order_by(ShopTrackingEvent.at, ShopTrackingEvent.id)
        )
        return [
            TrackingEvent(
                at=r.at,
                code=r.code,
                description_zh=r.description_zh,
                description_en=r.description_en,
                location=r.location,
            )
            for r in rows
        ]

    async def cancel(self, customer_id: str, order_id: str) -> Order:
        row = await self._require(customer_id, order_id)
        now = self._clock.now()
        if row.status == OrderStatus.UNPAID:
            row.status = OrderStatus.CANCELLED
            row.cancelled_at = now
        elif row.status == OrderStatus.PAID:
            # Cancelling a paid order returns the money in full.
            row.status = OrderStatus.REFUNDED
            row.cancelled_at = now
            row.refunded_at = now
            row.refunded_cents = row.total_cents
        else:
            raise ShopActionRejected(f"order {order_id} is {row.status} and cannot be cancelled")
        return await self._done(row)

    async def refund(self, customer_id: str, order_id: str, amount_cents: int) -> Order:
        row = await self._require(customer_id, order_id)
        left = row.total_cents - row.refunded_cents
        if amount_cents <= 0 or amount_cents > left:
            raise ShopActionRejected(f"cannot refund {amount_cents} cents; {left} cents are left")
        row.refunded_cents += amount_cents
        row.refunded_at = self._clock.now()
        if row.refunded_cents == row.total_cents:
            row.status = OrderStatus.REFUNDED
        return await self._done(row)

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
        row = await self._require(customer_id, order_id)
        if row.status not in (OrderStatus.DELIVERED, OrderStatus.EXCHANGED):
            raise ShopActionRejected(f"order {order_id} is {row.status}; only delivered orders")
        info = ReturnInfo(
            kind=kind,
            reason=reason,
            condition=condition,
            evidence_urls=tuple(evidence_urls),
            requested_at=self._clock.now(),
            note=note,
        )
        row.status = OrderStatus.RETURN_IN_PROGRESS
        row.return_info = info.model_dump(mode="json")
        return await self._done(row)

    async def set_return_tracking(
        self, customer_id: str, order_id: str, tracking_number: str, carrier: str | None
    ) -> Order:
        row = await self._require(customer_id, order_id)
        if row.status != OrderStatus.RETURN_IN_PROGRESS or row.return_info is None:
            raise ShopActionRejected(f"order {order_id} has no return in progress")
        info: dict[str, Any] = dict(row.return_info)
        info["tracking_number"] = tracking_number
        info["carrier"] = carrier
        row.return_info = info
        return await self._done(row)

    async def change_address(self, customer_id: str, order_id: str, address: Address) -> Order:
        row = await self._require(customer_id, order_id)
        if row.status not in (OrderStatus.UNPAID, OrderStatus.PAID):
            raise ShopActionRejected(f"order {order_id} has shipped; the address is fixed")
        row.address = address.model_dump(mode="json")
        return await self._done(row)

    async def urge_shipping(self, customer_id: str, order_id: str) -> Order:
        row = await self._require(customer_id, order_id)
        row.urge_count += 1
        return await self._done(row)
