"""Tables of the shop package.

`shop_products` .. `shop_tracking_events` are the demo shop's own data (used only by
`DemoShopAdapter`). `shop_actions` and `shop_proposals` record every attempted action and
every refund waiting for a human, whichever adapter serves the orders, so they reference
orders by id without a foreign key (an HTTP shop's orders are not in our database).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tandem.db.base import Base


class ShopProduct(Base):
    __tablename__ = "shop_products"

    sku: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(32), index=True)
    price_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")


class ShopCustomer(Base):
    __tablename__ = "shop_customers"

    external_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20))
    tier: Mapped[str] = mapped_column(String(16), default="normal")
    created_at: Mapped[datetime] = mapped_column()


class ShopOrder(Base):
    __tablename__ = "shop_orders"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(
        ForeignKey("shop_customers.external_id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(24), index=True)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    total_cents: Mapped[int] = mapped_column(Integer)
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column()
    paid_at: Mapped[datetime | None] = mapped_column()
    shipped_at: Mapped[datetime | None] = mapped_column()
    delivered_at: Mapped[datetime | None] = mapped_column()
    promised_ship_by: Mapped[datetime | None] = mapped_column()
    promised_delivery_by: Mapped[datetime | None] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()
    refunded_at: Mapped[datetime | None] = mapped_column()
    carrier: Mapped[str | None] = mapped_column(String(8))
    tracking_number: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[dict[str, Any]] = mapped_column(JSON)
    urge_count: Mapped[int] = mapped_column(Integer, default=0)
    # The return or exchange, as `tandem.shop.types.ReturnInfo` JSON.
    return_info: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    items: Mapped[list[ShopOrderItem]] = relationship(
        order_by="ShopOrderItem.id", cascade="all, delete-orphan", lazy="raise"
    )


class ShopOrderItem(Base):
    __tablename__ = "shop_order_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(
        ForeignKey("shop_orders.id", ondelete="CASCADE"), index=True
    )
    sku: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(32))
    unit_price_cents: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer, default=1)


class ShopTrackingEvent(Base):
    __tablename__ = "shop_tracking_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(
        ForeignKey("shop_orders.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column()
    code: Mapped[str] = mapped_column(String(24))
    description_zh: Mapped[str] = mapped_column(String(200))
    description_en: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(100), default="")


class ShopAction(Base):
    """One attempted action: allowed, declined, proposed or failed, with the rule that decided."""

    __tablename__ = "shop_actions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(40), index=True)
    customer_id: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    actor_kind: Mapped[str] = mapped_column(String(16))  # ai | agent | customer
    actor_id: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(index=True)
    # allowed | declined | needs_approval | needs_evidence | needs_info | failed
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    rule: Mapped[str] = mapped_column(String(48), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    proposal_id: Mapped[str | None] = mapped_column(String(40))
    conversation_id: Mapped[str | None] = mapped_column(String(40), index=True)


class ShopProposal(Base):
    """An action the AI proposed and a human decides: pending -> approved | rejected | edited."""

    __tablename__ = "shop_proposals"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(String(40), index=True)
    customer_id: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    amount_cents: Mapped[int | None] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(48))
    reason_zh: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True, default="pending")
    proposed_by_kind: Mapped[str] = mapped_column(String(16))
    proposed_by_id: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column()
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column()
    decision_note: Mapped[str | None] = mapped_column(Text)
    conversation_id: Mapped[str | None] = mapped_column(String(40), index=True)
