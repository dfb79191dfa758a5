"""Domain types of the shop, shared by both adapters, the policy and the API.

Money is always integer cents (分) with an explicit currency. Datetimes are UTC-aware.
These are pydantic models so the HTTP adapter's JSON contract (docs/shop-adapter.md) is
exactly their serialised form.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class OrderStatus(StrEnum):
    UNPAID = "unpaid"
    PAID = "paid"  # paid, not shipped yet
    SHIPPED = "shipped"  # handed to the carrier, in transit
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    RETURN_IN_PROGRESS = "return_in_progress"  # return or exchange started, goods not back yet
    RETURN_RECEIVED = "return_received"  # the shop has the goods back
    EXCHANGED = "exchanged"  # replacement sent


class Category(StrEnum):
    ELECTRONICS = "electronics"
    ACCESSORIES = "accessories"
    OTC_MEDICINE = "otc_medicine"
    CLOTHING = "clothing"
    SHOES = "shoes"
    FRESH_FOOD = "fresh_food"
    CUSTOMISED = "customised"
    HOME = "home"
    BEAUTY = "beauty"


class Carrier(StrEnum):
    SF = "sf"  # 顺丰速运
    YTO = "yto"  # 圆通速递


CARRIER_NAMES: dict[str, tuple[str, str]] = {
    Carrier.SF: ("顺丰速运", "SF Express"),
    Carrier.YTO: ("圆通速递", "YTO Express"),
}


class Tier(StrEnum):
    NORMAL = "normal"
    VIP = "vip"


class ReturnReason(StrEnum):
    NO_REASON = "no_reason"  # 七天无理由
    QUALITY = "quality"
    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    NOT_AS_DESCRIBED = "not_as_described"
    SIZE = "size"  # fit; treated as no-reason for the window rules


class ItemCondition(StrEnum):
    UNUSED = "unused"  # tags on, packaging intact
    OPENED = "opened"  # packaging opened, not used (matters for medicine)
    USED = "used"  # worn or used


class ActionKind(StrEnum):
    CANCEL = "cancel"
    REFUND = "refund"
    RETURN = "return"
    EXCHANGE = "exchange"
    SET_RETURN_TRACKING = "set_return_tracking"
    CHANGE_ADDRESS = "change_address"
    URGE_SHIPPING = "urge_shipping"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Product(_Frozen):
    sku: str
    name_zh: str
    name_en: str
    category: Category
    price_cents: int = Field(ge=0)
    currency: str = "CNY"


class Customer(_Frozen):
    """The shop's customer, by the shop's own id (`external_id`, e.g. "c0001")."""

    external_id: str
    name: str
    tier: Tier = Tier.NORMAL


class Address(_Frozen):
    recipient: str = Field(min_length=1, max_length=50)
    phone: str = Field(min_length=5, max_length=20)
    province: str = Field(min_length=1, max_length=30)
    city: str = Field(min_length=1, max_length=30)
    district: str = Field(default="", max_length=30)
    line: str = Field(min_length=1, max_length=200)

    def one_line_zh(self) -> str:
        return f"{self.province}{self.city}{self.district}{self.line}"


class OrderItem(_Frozen):
    sku: str
    name_zh: str
    name_en: str
    category: Category
    unit_price_cents: int = Field(ge=0)
    quantity: int = Field(default=1, ge=1)

    @property
    def total_cents(self) -> int:
        return self.unit_price_cents * self.quantity


class TrackingEvent(_Frozen):
    at: datetime
    code: Literal[
        "picked_up", "in_transit", "arrived", "out_for_delivery", "delivered", "return_picked_up"
    ]
    description_zh: str
    description_en: str
    location: str = ""


class ReturnInfo(_Frozen):
    """A return or exchange the customer started."""

    kind: Literal["return", "exchange"]
    reason: ReturnReason
    condition: ItemCondition = ItemCondition.UNUSED
    evidence_urls: tuple[str, ...] = ()
    requested_at: datetime
    tracking_number: str | None = None
    carrier: str | None = None
    note: str = ""


class Order(_Frozen):
    order_id: str
    customer_id: str
    status: OrderStatus
    items: tuple[OrderItem, ...]
    total_cents: int = Field(ge=0)
    currency: str = "CNY"
    refunded_cents: int = Field(default=0, ge=0)
    created_at: datetime
    paid_at: datetime | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    # The date the shop promised: ship-by before shipping, estimated delivery after.
    promised_ship_by: datetime | None = None
    promised_delivery_by: datetime | None = None
    cancelled_at: datetime | None = None
    refunded_at: datetime | None = None
    carrier: Carrier | None = None
    tracking_number: str | None = None
    address: Address
    urge_count: int = 0
    return_info: ReturnInfo | None = None

    @property
    def categories(self) -> frozenset[Category]:
        return frozenset(i.category for i in self.items)

    def title_zh(self) -> str:
        first = self.items[0].name_zh if self.items else "订单"
        more = f"等{len(self.items)}件" if len(self.items) > 1 else ""
        return f"{first}{more}"

    def title_en(self) -> str:
        first = self.items[0].name_en if self.items else "Order"
        more = f" and {len(self.items) - 1} more" if len(self.items) > 1 else ""
        return f"{first}{more}"


class ActionRequest(_Frozen):
    """What someone asks the shop to do with one order. Which fields matter depends on `kind`."""

    kind: ActionKind
    reason: ReturnReason | None = None
    condition: ItemCondition | None = None
    # Photos or videos of the problem (links the chat's upload gave back).
    evidence_urls: tuple[Annotated[str, Field(min_length=1, max_length=500)], ...] = Field(
        default=(), max_length=9
    )
    # Partial refunds; None means whatever is still refundable.
    amount_cents: int | None = Field(default=None, gt=0)
    return_tracking_number: str | None = Field(default=None, max_length=40)
    return_carrier: str | None = Field(default=None, max_length=20)
    new_address: Address | None = None
    note: str = Field(default="", max_length=500)


Outcome = Literal["allowed", "declined", "needs_approval", "needs_evidence", "needs_info"]


class Verdict(_Frozen):
    """What the written policy says about one request. `rule` is a stable id for analytics."""

    outcome: Outcome
    rule: str
    reason_zh: str
    reason_en: str
    next_step_zh: str = ""
    next_step_en: str = ""
    # The customer is offered a person to review the decision (never a dead end).
    human_review_offered: bool = False
    # For refunds: how much would be refunded.
    amount_cents: int | None = None

    @property
    def allowed(self) -> bool:
        return self.outcome == "allowed"


def yuan(cents: int) -> str:
    """¥ amount for messages: 129900 -> "1299", 129950 -> "1299.50"."""
    whole, frac = divmod(cents, 100)
    return f"{whole}" if frac == 0 else f"{whole}.{frac:02d}"
