"""Deterministic demo shop data: products, customers and orders in every state.

`seed_demo_shop(session, now=...)` writes the same data for the same `now` on every machine
(one seeded RNG, no clock reads) and does nothing when the demo shop is already there, so
`make demo` can run it every time. Dates are relative to `now`, so "delivered 3 days ago" is
true on the day the demo is seeded.

The first customers are hand-made situations for trying things out (docs/demo-shop.md);
`demo_customers` returns them with a signature so a script can open a conversation as them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.identity.signing import sign_external_id
from tandem.shop.catalogue import CITIES, GIVEN, HUBS, PRODUCTS, STREETS, SURNAMES
from tandem.shop.models import (
    ShopCustomer,
    ShopOrder,
    ShopOrderItem,
    ShopProduct,
    ShopTrackingEvent,
)
from tandem.shop.policy_config import ServiceHours
from tandem.shop.types import (
    CARRIER_NAMES,
    Carrier,
    Category,
    ItemCondition,
    OrderStatus,
    ReturnInfo,
    ReturnReason,
)

SEED = 20261121
CUSTOMER_COUNT = 220
SHIP_WITHIN = timedelta(hours=48)
DELIVER_WITHIN = timedelta(days=3)
# Order numbers carry the date in the shop's zone, as the written policy ships it.
_SHOP_ZONE = ServiceHours().zone
_PRODUCT_BY_SKU = {p[0]: p for p in PRODUCTS}


@dataclass(frozen=True)
class PlannedOrder:
    """One order to create: what it holds and where in its life it is (relative to now)."""

    skus: tuple[str, ...]
    state: str  # a key of _STATES below
    age_days: float  # how long ago the decisive event happened (payment / delivery / ...)
    quantity: int = 1
    return_tracking: bool = False
    return_reason: ReturnReason = ReturnReason.NO_REASON


@dataclass(frozen=True)
class Situation:
    external_id: str
    tier: str
    orders: tuple[PlannedOrder, ...]
    # Which order `demo_customers` names: the index into `orders`.
    show: int = 0
    notes: str = ""


# The hand-made situations, in docs/demo-shop.md order. Ages are in days.
SITUATIONS: dict[str, Situation] = {
    "unshipped": Situation(
        "c0001",
        "normal",
        (PlannedOrder(("CL-004",), "paid", 0.2),),
        notes="hoodie paid hours ago, not shipped: ask for a refund (refunded at once)",
    ),
    "in_transit": Situation(
        "c0002",
        "normal",
        (PlannedOrder(("EL-008",), "shipped", 1.3),),
        notes="speaker with SF/YTO in transit: ask where the parcel is",
    ),
    "delivered_recent": Situation(
        "c0003",
        "normal",
        (PlannedOrder(("CL-006",), "delivered", 3),),
        notes="dress delivered 3 days ago: return it, no reason needed",
    ),
    "delivered_over_7_days": Situation(
        "c0004",
        "normal",
        (PlannedOrder(("SH-001",), "delivered", 12),),
        notes="running shoes delivered 12 days ago: a no-reason return is declined",
    ),
    "high_value": Situation(
        "c0005",
        "normal",
        (PlannedOrder(("EL-005",), "paid", 0.1),),
        notes="¥1,899 earbuds not shipped: refund becomes a proposal an agent approves",
    ),
    "several_orders": Situation(
        "c0006",
        "normal",
        (
            PlannedOrder(("CL-001",), "delivered", 2, quantity=2),
            PlannedOrder(("AC-005", "AC-001"), "shipped", 1),
            PlannedOrder(("HM-003",), "paid", 0.5),
            PlannedOrder(("SH-002",), "delivered", 20),
        ),
        notes="four orders: the AI offers them as quick replies",
    ),
    "otc_medicine_unshipped": Situation(
        "c0007",
        "normal",
        (PlannedOrder(("MD-001",), "paid", 3),),
        notes="medicine paid 3 days ago, past the 48 h promise (the seeds' case)",
    ),
    "worn_clothing_old": Situation(
        "c0008",
        "normal",
        (PlannedOrder(("CL-002",), "delivered", 90),),
        notes="down jacket delivered 90 days ago, worn: declined, a person offered",
    ),
    "vip": Situation(
        "c0009",
        "vip",
        (PlannedOrder(("CL-007",), "delivered", 4),),
        notes="VIP customer (human-first routing) with a cashmere coat delivered 4 days ago",
    ),
    "fresh_food_delivered": Situation(
        "c0010",
        "normal",
        (PlannedOrder(("FF-001",), "delivered", 1),),
        notes="hairy crabs delivered yesterday: no no-reason return; damage needs a photo",
    ),
    "return_in_progress": Situation(
        "c0011",
        "normal",
        (PlannedOrder(("SH-004",), "return_in_progress", 4),),
        notes="return started, no tracking number yet: refund waits for it",
    ),
    "refunded": Situation(
        "c0012",
        "normal",
        (PlannedOrder(("BT-001",), "refunded", 6),),
        notes="an order already refunded",
    ),
    "unpaid": Situation(
        "c0013",
        "normal",
        (PlannedOrder(("AC-007",), "unpaid", 0.05),),
        notes="an unpaid order: cancel it",
    ),
    "customised_delivered": Situation(
        "c0014",
        "normal",
        (PlannedOrder(("CU-001",), "delivered", 2),),
        notes="engraved flask delivered: customised goods, no no-reason return",
    ),
    "premium_human_first": Situation(
        "c0015",
        "normal",
        (PlannedOrder(("EL-003",), "delivered", 2),),
        notes="¥8,999 laptop delivered: above the high-value line, human first",
    ),
    "high_value_delivered": Situation(
        "c0016",
        "normal",
        (PlannedOrder(("EL-002",), "delivered", 3),),
        notes="¥6,999 phone delivered 3 days ago: return, then refund needs approval",
    ),
}

# Random customers' orders: state and its weight.
_RANDOM_STATES: tuple[tuple[str, int], ...] = (
    ("unpaid", 4),
    ("paid", 10),
    ("shipped", 14),
    ("delivered", 40),
    ("cancelled", 4),
    ("refunded", 6),
    ("return_in_progress", 5),
    ("return_received", 2),
)


@dataclass
class _Builder:
    now: datetime
    rng: random.Random
    next_seq: int = 1
    orders: list[ShopOrder] = field(default_factory=list)
    items: list[ShopOrderItem] = field(default_factory=list)
    events: list[ShopTrackingEvent] = field(default_factory=list)

    def order_id(self, created: datetime) -> str:
        oid = f"TD{created.astimezone(_SHOP_ZONE):%Y%m%d}{self.next_seq:06d}"
        self.next_seq += 1
        return oid

    def hours(self, lo: float, hi: float) -> timedelta:
        return timedelta(hours=self.rng.uniform(lo, hi))

    def build(self, customer: ShopCustomer, address: dict[str, str], plan: PlannedOrder) -> None:
        now, rng = self.now, self.rng
        state = plan.state
        age = timedelta(days=plan.age_days)
        paid: datetime | None = None
        shipped: datetime | None = None
        delivered: datetime | None = None
        if state in ("unpaid", "cancelled"):
            created = now - age
        elif state == "paid":
            paid = now - age
            created = paid - self.hours(0.01, 0.2)
        elif state == "shipped":
            shipped = now - age
            paid = shipped - self.hours(2, 40)
            created = paid - self.hours(0.01, 0.2)
        else:  # delivered, refunded (after a return), return_*
            delivered = now - age
            shipped = delivered - self.hours(30, 70)
            paid = shipped - self.hours(2, 40)
            created = paid - self.hours(0.01, 0.2)
        products = [_PRODUCT_BY_SKU[s] for s in plan.skus]
        qty = plan.quantity
        total = sum(p[4] * 100 * qty for p in products)
        valuable = any(p[3] in (Category.ELECTRONICS, Category.FRESH_FOOD) for p in products)
        carrier = Carrier.SF if valuable or rng.random() < 0.4 else Carrier.YTO
        row = ShopOrder(
            id=self.order_id(created),
            customer_id=customer.external_id,
            status=state,
            currency="CNY",
            total_cents=total,
            refunded_cents=0,
            created_at=created,
            paid_at=paid,
            promised_ship_by=paid + SHIP_WITHIN if paid else None,
            address=address,
            urge_count=0,
        )
        self.items.extend(
            ShopOrderItem(
                order_id=row.id,
                sku=p[0],
                name_zh=p[1],
                name_en=p[2],
                category=p[3].value,
                unit_price_cents=p[4] * 100,
                quantity=qty,
            )
            for p in products
        )
        if state == "cancelled":
            row.cancelled_at = created + self.hours(0.5, 10)
        if shipped is not None:
            row.shipped_at = shipped
            row.carrier = carrier.value
            row.tracking_number = _tracking_number(carrier, rng)
            row.promised_delivery_by = shipped + DELIVER_WITHIN
            self._events(row.id, address["city"], carrier, shipped, delivered)
        if delivered is not None:
            row.delivered_at = delivered
            row.status = OrderStatus.DELIVERED.value
        if state == "refunded":
            if delivered is None:  # pragma: no cover (all refunded plans are after delivery)
                raise AssertionError
            self._return(row, plan, delivered, tracking=True)
            row.status = OrderStatus.REFUNDED.value
            row.refunded_cents = total
            row.refunded_at = delivered + timedelta(days=min(plan.age_days, 2) / 2)
        elif state in ("return_in_progress", "return_received"):
            assert delivered is not None
            self._return(
                row, plan, delivered, tracking=plan.return_tracking or state == "return_received"
            )
            row.status = state
        self.orders.append(row)

    def _return(
        self, row: ShopOrder, plan: PlannedOrder, delivered: datetime, *, tracking: bool
    ) -> None:
        requested = delivered + (self.now - delivered) / 2
        info = ReturnInfo(
            kind="return",
            reason=plan.return_reason,
            condition=ItemCondition.UNUSED,
            requested_at=requested,
            tracking_number=_tracking_number(Carrier.YTO, self.rng) if tracking else None,
            carrier=Carrier.YTO.value if tracking else None,
        )
        row.return_info = info.model_dump(mode="json")

    def _events(
        self,
        order_id: str,
        city: str,
        carrier: Carrier,
        shipped: datetime,
        delivered: datetime | None,
    ) -> None:
        name_zh, name_en = CARRIER_NAMES[carrier]
        hub = HUBS.get(city, "转运中心")
        plan: list[tuple[datetime, str, str, str, str]] = [
            (shipped, "picked_up", f"【杭州市】{name_zh}已揽收", f"Picked up by {name_en} in Hangzhou", "杭州市"),
            (shipped + timedelta(hours=4), "in_transit", "快件已从【杭州转运中心】发出", "Left the Hangzhou hub", "杭州市"),
            (shipped + timedelta(hours=18), "arrived", f"快件已到达【{hub}】", f"Arrived at the {city} hub", city),
            (shipped + timedelta(hours=26), "out_for_delivery", f"【{city}】快递员正在派件", f"Out for delivery in {city}", city),
        ]  # fmt: skip
        for at, code, zh, en, loc in plan:
            if at >= self.now or (delivered is not None and at >= delivered):
                continue
            self.events.append(
                ShopTrackingEvent(
                    order_id=order_id,
                    at=at,
                    code=code,
                    description_zh=zh,
                    description_en=en,
                    location=loc,
                )
            )
        if delivered is not None:
            self.events.append(
                ShopTrackingEvent(
                    order_id=order_id,
                    at=delivered,
                    code="delivered",
                    description_zh="快件已签收，签收人：本人",
                    description_en="Delivered, signed for by the recipient",
                    location=city,
                )
            )


def _tracking_number(carrier: Carrier, rng: random.Random) -> str:
    if carrier == Carrier.SF:
        return "SF" + "".join(rng.choice("0123456789") for _ in range(13))
    return "YT" + "".join(rng.choice("0123456789") for _ in range(13))


def _customer(rng: random.Random, n: int, tier: str, now: datetime) -> ShopCustomer:
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    phone = "1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9))
    return ShopCustomer(
        external_id=f"c{n:04d}",
        name=name,
        phone=phone,
        tier=tier,
        created_at=now - timedelta(days=rng.randint(30, 900)),
    )


def _address(rng: random.Random, customer: ShopCustomer) -> dict[str, str]:
    province, city, districts = rng.choice(CITIES)
    return {
        "recipient": customer.name,
        "phone": customer.phone,
        "province": province,
        "city": city,
        "district": rng.choice(districts),
        "line": f"{rng.choice(STREETS)}{rng.randint(1, 999)}号{rng.randint(1, 30)}栋"
        f"{rng.randint(1, 30)}0{rng.randint(1, 4)}室",
    }


def _random_plan(rng: random.Random) -> PlannedOrder:
    states, weights = zip(*_RANDOM_STATES, strict=True)
    state = rng.choices(states, weights)[0]
    n_items = 1 if rng.random() < 0.75 else 2
    skus = tuple(rng.sample([p[0] for p in PRODUCTS], n_items))
    if state == "refunded" or state.startswith("return"):
        # Returns of no-reason-excluded goods would contradict the policy: keep them plain.
        skus = tuple(s for s in skus if not s.startswith(("FF", "CU", "MD"))) or ("CL-003",)
    age = {
        "unpaid": rng.uniform(0.01, 0.9),
        "cancelled": rng.uniform(1, 30),
        "paid": rng.uniform(0.05, 1.9),
        "shipped": rng.uniform(0.1, 2.5),
        "delivered": rng.uniform(0.5, 60),
        "refunded": rng.uniform(3, 40),
        "return_in_progress": rng.uniform(1, 6.5),
        "return_received": rng.uniform(3, 6.5),
    }[state]
    return PlannedOrder(
        skus,
        state,
        age,
        quantity=1 if rng.random() < 0.85 else 2,
        return_tracking=rng.random() < 0.5,
    )


def _values(obj: object) -> dict[str, Any]:
    """Column values of a transient ORM object, leaving out unset autoincrement keys."""
    table = obj.__table__  # type: ignore[attr-defined]
    values = {c.key: getattr(obj, c.key) for c in table.columns}
    return {k: v for k, v in values.items() if not (k == "id" and v is None)}


async def is_seeded(session: AsyncSession) -> bool:
    return await session.get(ShopCustomer, "c0001") is not None


async def seed_demo_shop(session: AsyncSession, *, now: datetime) -> bool:
    """Write the demo shop unless it is there already. Returns True when it wrote it.

    Never commits (the caller's unit of work does).
    """
    if await is_seeded(session):
        return False
    rng = random.Random(SEED)
    builder = _Builder(now=now, rng=rng)
    products = [
        ShopProduct(
            sku=sku,
            name_zh=zh,
            name_en=en,
            category=cat.value,
            price_cents=yuan * 100,
            currency="CNY",
        )
        for sku, zh, en, cat, yuan in PRODUCTS
    ]
    customers: list[ShopCustomer] = []
    situations = list(SITUATIONS.values())
    for n in range(1, CUSTOMER_COUNT + 1):
        situation = situations[n - 1] if n <= len(situations) else None
        tier = situation.tier if situation else ("vip" if rng.random() < 0.08 else "normal")
        customer = _customer(rng, n, tier, now)
        customers.append(customer)
        home = _address(rng, customer)
        if situation is not None:
            plans = list(situation.orders)
        else:
            plans = [_random_plan(rng) for _ in range(rng.choice((1, 1, 2, 2, 3, 4)))]
        for plan in plans:
            builder.build(customer, home, plan)
    # Bulk inserts: a few thousand rows, so `make demo` and the tests stay quick.
    for model, objects in (
        (ShopProduct, products),
        (ShopCustomer, customers),
        (ShopOrder, builder.orders),
        (ShopOrderItem, builder.items),
        (ShopTrackingEvent, builder.events),
    ):
        await session.execute(
            insert(model).execution_options(render_nulls=True), [_values(o) for o in objects]
        )
    return True


async def demo_customers(session: AsyncSession, widget_secret: str) -> dict[str, dict[str, str]]:
    """The hand-made situations: `{situation: {"external_id", "signature", "order_id"}}`.

    `signature` is what the shop's page would send to open a conversation as that customer
    (tandem.identity.signing). Raises LookupError when the demo shop has not been seeded.
    """
    out: dict[str, dict[str, str]] = {}
    for key, situation in SITUATIONS.items():
        ids = await session.scalars(
            select(ShopOrder.id).where(ShopOrder.customer_id == situation.external_id)
        )
        # The last six digits are the creation sequence, i.e. the order of `situation.orders`.
        rows = sorted(ids, key=lambda oid: oid[-6:])
        if not rows:
            raise LookupError(
                "the demo shop has no data yet: run `tandem demo` (or `make demo`) first"
            )
        out[key] = {
            "external_id": situation.external_id,
            "signature": sign_external_id(widget_secret, situation.external_id),
            "order_id": rows[situation.show],
        }
    return out
