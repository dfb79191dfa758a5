"""Small builders for shop domain objects used across the shop tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tandem.shop.types import Address, Category, Order, OrderItem, OrderStatus

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)

ADDRESS = Address(
    recipient="张三", phone="13800000000", province="浙江省", city="杭州市", line="文一西路 1 号"
)


def item(category: Category = Category.CLOTHING, price_cents: int = 19900) -> OrderItem:
    return OrderItem(
        sku=f"sku-{category.value}",
        name_zh="商品",
        name_en="Item",
        category=category,
        unit_price_cents=price_cents,
    )


def order(
    status: OrderStatus = OrderStatus.DELIVERED,
    *,
    category: Category = Category.CLOTHING,
    price_cents: int = 19900,
    delivered_days_ago: float | None = 3,
    **extra: Any,
) -> Order:
    fields: dict[str, Any] = dict(
        order_id="TD20261118000001",
        customer_id="c0001",
        status=status,
        items=(item(category, price_cents),),
        total_cents=price_cents,
        created_at=NOW - timedelta(days=10),
        paid_at=NOW - timedelta(days=10),
        promised_ship_by=NOW - timedelta(days=8),
        address=ADDRESS,
    )
    if status not in (OrderStatus.UNPAID, OrderStatus.PAID) and delivered_days_ago is not None:
        fields["shipped_at"] = NOW - timedelta(days=delivered_days_ago + 2)
        if status != OrderStatus.SHIPPED:
            fields["delivered_at"] = NOW - timedelta(days=delivered_days_ago)
    if status == OrderStatus.UNPAID:
        fields["paid_at"] = None
    fields.update(extra)
    return Order(**fields)
