"""Simulated customers: who arrives, with which problem, feeling, order and patience.

A `CustomerMix` says how often each kind turns up; `draw_customer` draws one from it with the
run's seeded `random.Random`. The words come from the `MessageBank` (real labelled text); a
customer's feeling is added the way people add it (an exclamation, a complaint, an insult in
front of the question), so the engine reads it from the text as it would in the shop.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import cache

from tandem.shop.catalogue import PRODUCTS
from tandem.shop.present import ShopFacts
from tandem.shop.types import (
    Address,
    Carrier,
    Customer,
    Order,
    OrderItem,
    OrderStatus,
    Tier,
    TrackingEvent,
)
from tandem.simulation.messages import Message, MessageBank
from tandem.understanding.entities import extract_entities
from tandem.understanding.taxonomy import KNOWLEDGE_INTENTS, ORDER_INTENTS

# The words people put before a question when they feel something (real text the models read).
FEELING_PREFIXES: dict[str, dict[str, tuple[str, ...]]] = {
    "anxious": {
        "zh": ("急！！", "很着急，", "拜托快点，", "我明天就要用，"),
        "en": ("Urgent! ", "I'm really worried, ", "Please hurry, "),
    },
    "angry": {
        "zh": ("气死我了！", "你们到底怎么回事？！", "太离谱了，", "什么破服务！"),
        "en": ("This is ridiculous! ", "I'm furious. ", "Unbelievable! "),
    },
    "abusive": {
        "zh": ("你个傻逼客服，", "垃圾店铺，骗子！", "你们这帮骗子，"),
        "en": ("You idiots, ", "Useless scammers! "),
    },
}
STATUS_FOR_INTENT: dict[str, OrderStatus] = {
    "where_is_parcel": OrderStatus.SHIPPED,
    "urge_shipping": OrderStatus.PAID,
    "cancel_order": OrderStatus.PAID,
    "change_address": OrderStatus.PAID,
    "order_status": OrderStatus.SHIPPED,
}
SOCIAL = frozenset({"greeting", "thanks", "bye"})


@dataclass(frozen=True)
class CustomerMix:
    """How customers differ. Shares are of all customers; times are in seconds."""

    # Problem intents and their weights; None = the message bank's own proportions.
    intent_weights: dict[str, float] | None = None
    off_topic_share: float = 0.03
    english_share: float = 0.1
    greeting_first_share: float = 0.25
    thanks_share: float = 0.3
    feelings: dict[str, float] = field(
        default_factory=lambda: {"calm": 0.72, "anxious": 0.12, "angry": 0.12, "abusive": 0.04}
    )
    vip_share: float = 0.05
    # Order value: log-normal yuan (median ~ 200, a long tail of phones and laptops).
    order_value_median_yuan: float = 200.0
    order_value_sigma: float = 1.2
    # Patience in the queue: exponential; anger halves it.
    patience_mean_seconds: float = 240.0
    # Messages a customer tries with a bot before asking for a person, and person requests
    # before giving up.
    bot_tries: tuple[int, ...] = (2, 3, 4)
    person_asks: tuple[int, ...] = (1, 2, 3)
    think_seconds: float = 15.0


@dataclass(frozen=True)
class SimCustomer:
    id: str
    arrival: float  # seconds from the start
    lang: str
    intent: str | None
    feeling: str  # calm | anxious | angry | abusive
    opening: tuple[Message, ...]  # messages sent before the problem (a greeting)
    problem: tuple[Message, ...]  # the problem, then rephrasings, in order
    person_request: Message | None
    thanks: Message | None
    vip: bool
    facts: ShopFacts
    tracking: dict[str, tuple[TrackingEvent, ...]]
    focus_order_id: str | None
    order_value_cents: int
    patience_seconds: float
    bot_tries: int
    person_asks: int
    think_seconds: float

    @property
    def hostile(self) -> bool:
        """Ground truth for exposure: abusive, or angry (the engine's reading may differ)."""
        return self.feeling in ("abusive", "angry")

    def text(self, m: Message) -> str:
        prefixes = FEELING_PREFIXES.get(self.feeling, {}).get(self.lang)
        if not prefixes or m.intent in SOCIAL or m.intent == "human":
            return m.text
        # The same prefix for the whole conversation (one person, one way of speaking).
        return prefixes[int(self.id.rsplit("-", 1)[-1]) % len(prefixes)] + m.text


def intent_weights(
    by_intent: dict[str | None, tuple[Message, ...]], mix: CustomerMix
) -> dict[str, float]:
    """The problem intents of one language with their weights: the mix's, or the bank's own
    proportions. Computed once per run (`draw_customer` takes them ready)."""
    weights = mix.intent_weights or {
        k: float(len(v)) for k, v in by_intent.items() if k is not None and k not in SOCIAL
    }
    return {k: w for k, w in weights.items() if k in by_intent and w > 0}


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = sorted(weights)
    return rng.choices(keys, [weights[k] for k in keys])[0]


def _order(
    rng: random.Random,
    customer_id: str,
    n: int,
    status: OrderStatus,
    value_yuan: float,
    now: datetime,
) -> tuple[Order, tuple[TrackingEvent, ...]]:
    # The product nearest the drawn value, times a quantity to get close to it.
    sku, name_zh, name_en, category, price = min(
        PRODUCTS, key=lambda p: abs(math.log(p[4] / value_yuan))
    )
    qty = max(1, min(5, round(value_yuan / price)))
    created = now - timedelta(hours=rng.uniform(30, 120))
    paid = created + timedelta(minutes=5)
    shipped = paid + timedelta(hours=rng.uniform(4, 30)) if status != OrderStatus.PAID else None
    delivered = None
    if status == OrderStatus.DELIVERED and shipped is not None:
        delivered = min(now - timedelta(hours=1), shipped + timedelta(hours=rng.uniform(20, 60)))
    events: list[TrackingEvent] = []
    if shipped is not None:
        events.append(
            TrackingEvent(
                at=shipped,
                code="picked_up",
                description_zh="快件已揽收",
                description_en="Picked up",
            )
        )
        events.append(
            TrackingEvent(
                at=shipped + timedelta(hours=6),
                code="in_transit",
                description_zh="快件运输中",
                description_en="In transit",
            )
        )
        if delivered is not None:
            events.append(
                TrackingEvent(
                    at=delivered,
                    code="delivered",
                    description_zh="快件已签收",
                    description_en="Delivered",
                )
            )
    order = Order(
        order_id=f"SIM{customer_id[-6:]}{n}",
        customer_id=customer_id,
        status=status,
        items=(
            OrderItem(
                sku=sku,
                name_zh=name_zh,
                name_en=name_en,
                category=category,
                unit_price_cents=price * 100,
                quantity=qty,
            ),
        ),
        total_cents=price * 100 * qty,
        created_at=created,
        paid_at=paid,
        shipped_at=shipped,
        delivered_at=delivered,
        promised_ship_by=paid + timedelta(hours=48),
        promised_delivery_by=shipped + timedelta(days=3) if shipped else None,
        carrier=Carrier.SF if shipped else None,
        tracking_number=f"SF{rng.randrange(10**11, 10**12)}" if shipped else None,
        address=Address(
            recipient="顾客",
            phone="13800000000",
            province="浙江省",
            city="杭州市",
            line="文一西路 1 号",
        ),
    )
    return order, tuple(events)


@dataclass(frozen=True)
class Profile:
    """A shop-side customer (orders, tracking), shared by simulated customers with the same need."""

    facts: ShopFacts
    tracking: dict[str, tuple[TrackingEvent, ...]]
    focus_order_id: str
    order_value_cents: int


def build_profiles(
    rng: random.Random, mix: CustomerMix, now: datetime, per_status: int = 60
) -> dict[tuple[OrderStatus, bool], tuple[Profile, ...]]:
    """A pool of shop customers for each order state and tier (building orders per simulated
    customer would cost more than the engine does; the pool is drawn from at random)."""
    pools: dict[tuple[OrderStatus, bool], tuple[Profile, ...]] = {}
    for status in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        for vip in (False, True):
            profiles = []
            for i in range(per_status):
                cid = f"sim{status.value[:2]}{int(vip)}{i:05d}"
                value = math.exp(
                    rng.gauss(math.log(mix.order_value_median_yuan), mix.order_value_sigma)
                )
                focus, events = _order(rng, cid, 1, status, max(10.0, value), now)
                other, other_events = _order(
                    rng, cid, 2, OrderStatus.DELIVERED, 80.0, now - timedelta(days=20)
                )
                tracking = {
                    o.order_id: ev for o, ev in ((focus, events), (other, other_events)) if ev
                }
                customer = Customer(
                    external_id=cid, name="模拟顾客", tier=Tier.VIP if vip else Tier.NORMAL
                )
                profiles.append(
                    Profile(
                        ShopFacts(customer, (focus, other)),
                        tracking,
                        focus.order_id,
                        focus.total_cents,
                    )
                )
            pools[(status, vip)] = tuple(profiles)
    return pools


def problem_intents(bank: MessageBank, lang: str) -> dict[str, int]:
    """The intents a customer can come with in `lang` (the bank's own counts)."""
    groups = bank.by_intent(lang)
    return {
        k: len(v)
        for k, v in groups.items()
        if k is not None
        and k not in SOCIAL
        and (k in KNOWLEDGE_INTENTS or k in ORDER_INTENTS or k in ("human", "complaint"))
    }


@cache
def quoted_order(text: str) -> str | None:
    """The order number a message quotes, as the engine's entity reader finds it (the bank is
    finite: read once per text)."""
    return next((e.value for e in extract_entities(text) if e.kind == "order_id"), None)


def owning(profile: Profile, order_id: str) -> Profile:
    """The profile with its focus order renumbered to the one the customer's words quote: the
    message bank's numbers are real text, and a customer quotes an order of their own."""
    old = profile.focus_order_id
    if old == order_id:
        return profile
    orders = tuple(
        o.model_copy(update={"order_id": order_id}) if o.order_id == old else o
        for o in profile.facts.orders
    )
    tracking = {(order_id if k == old else k): v for k, v in profile.tracking.items()}
    return replace(
        profile,
        facts=replace(profile.facts, orders=orders),
        tracking=tracking,
        focus_order_id=order_id,
    )


def draw_customer(
    rng: random.Random,
    n: int,
    arrival: float,
    bank: MessageBank,
    groups: dict[str, dict[str | None, tuple[Message, ...]]],
    profiles: dict[tuple[OrderStatus, bool], tuple[Profile, ...]],
    mix: CustomerMix,
    intent_table: dict[str, dict[str, float]] | None = None,
) -> SimCustomer:
    langs = bank.languages
    lang = "en" if "en" in langs and rng.random() < mix.english_share else langs[0]
    by_intent = groups[lang]
    intent: str | None
    if None in by_intent and rng.random() < mix.off_topic_share:
        intent = None
    else:
        weights = (intent_table or {}).get(lang) or intent_weights(by_intent, mix)
        intent = _weighted(rng, weights)
    first = rng.choice(by_intent[intent])
    # Rephrasings say the same thing in other words: the messages answered by the same entry
    # (or, unanswered by any, with the same intent); once they run out the customer repeats.
    # One person quotes one order number: rephrasings quoting another are not theirs.
    quoted = quoted_order(first.text)
    same = [
        m
        for m in by_intent[intent]
        if m is not first and m.faq == first.faq and quoted_order(m.text) in (None, quoted)
    ]
    rng.shuffle(same)
    pool = [first, *same]
    feeling = _weighted(rng, mix.feelings)
    vip = rng.random() < mix.vip_share
    status = STATUS_FOR_INTENT.get(intent or "", OrderStatus.DELIVERED)
    profile = rng.choice(profiles[(status, vip)])
    if quoted is not None:
        profile = owning(profile, quoted)
    opening: tuple[Message, ...] = ()
    if "greeting" in by_intent and rng.random() < mix.greeting_first_share:
        opening = (rng.choice(by_intent["greeting"]),)
    humans = by_intent.get("human", ())
    thanks = by_intent.get("thanks", ())
    patience = rng.expovariate(1 / mix.patience_mean_seconds)
    if feeling in ("angry", "abusive"):
        patience /= 2
    return SimCustomer(
        id=f"c-{n}",
        arrival=arrival,
        lang=lang,
        intent=intent,
        feeling=feeling,
        opening=opening,
        problem=tuple(pool),
        person_request=rng.choice(humans) if humans else None,
        thanks=rng.choice(thanks) if thanks and rng.random() < mix.thanks_share else None,
        vip=vip,
        facts=profile.facts,
        tracking=profile.tracking,
        focus_order_id=profile.focus_order_id,
        order_value_cents=profile.order_value_cents,
        patience_seconds=patience,
        bot_tries=rng.choice(mix.bot_tries),
        person_asks=rng.choice(mix.person_asks),
        think_seconds=rng.expovariate(1 / mix.think_seconds) + 3,
    )
