"""Pure wording helpers: order labels for quick replies and where-is-my-parcel answers.

The engine imports these (no I/O here), so the chat and the desk describe orders alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from tandem.shop.types import (
    CARRIER_NAMES,
    Customer,
    Order,
    OrderStatus,
    Tier,
    TrackingEvent,
    Verdict,
    yuan,
)

STATUS_ZH: dict[OrderStatus, str] = {
    OrderStatus.UNPAID: "待付款",
    OrderStatus.PAID: "待发货",
    OrderStatus.SHIPPED: "运输中",
    OrderStatus.DELIVERED: "已签收",
    OrderStatus.CANCELLED: "已取消",
    OrderStatus.REFUNDED: "已退款",
    OrderStatus.RETURN_IN_PROGRESS: "退货/换货中",
    OrderStatus.RETURN_RECEIVED: "退货已收到",
    OrderStatus.EXCHANGED: "已换货",
}
STATUS_EN: dict[OrderStatus, str] = {
    OrderStatus.UNPAID: "awaiting payment",
    OrderStatus.PAID: "awaiting shipment",
    OrderStatus.SHIPPED: "in transit",
    OrderStatus.DELIVERED: "delivered",
    OrderStatus.CANCELLED: "cancelled",
    OrderStatus.REFUNDED: "refunded",
    OrderStatus.RETURN_IN_PROGRESS: "return in progress",
    OrderStatus.RETURN_RECEIVED: "return received",
    OrderStatus.EXCHANGED: "exchanged",
}

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# What an English-speaking customer calls the shop's zone; others get their UTC offset.
ZONE_NAMES_EN = {"Asia/Shanghai": "China time", "Asia/Hong_Kong": "Hong Kong time"}


def zone_name_en(local: datetime) -> str:
    key = str(getattr(local.tzinfo, "key", ""))
    if key in ZONE_NAMES_EN:
        return ZONE_NAMES_EN[key]
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def local_time(at: datetime, zone: tzinfo, lang: str, *, style: str = "date") -> str:
    """A time as a customer reads it, in the shop's time zone (the policy's) and the same in
    every locale (no `%b`: month names never depend on the server's locale).

    style "time": 14:05; "short": 11-21 14:05; "date": 11月21日 14:05 / Nov 21, 14:05.
    English adds the zone's name unless `style` is "short".
    """
    local = at.astimezone(zone)
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if style == "time":
        text = clock
    elif style == "short":
        return f"{local.month:02d}-{local.day:02d} {clock}"
    elif lang == "zh":
        text = f"{local.month:02d}月{local.day:02d}日 {clock}"
    else:
        text = f"{MONTHS_EN[local.month - 1]} {local.day}, {clock}"
    return text if lang == "zh" else f"{text} ({zone_name_en(local)})"


def status_label(order: Order, lang: str = "zh") -> str:
    return (STATUS_ZH if lang == "zh" else STATUS_EN)[order.status]


@dataclass(frozen=True)
class OrderChoice:
    """One quick reply offering an order: `payload` is what the widget sends back."""

    order_id: str
    label: str
    payload: str


def order_choice(order: Order, lang: str = "zh") -> OrderChoice:
    if lang == "zh":
        label = f"{order.title_zh()} · ¥{yuan(order.total_cents)} · {status_label(order, 'zh')}"
    else:
        label = f"{order.title_en()} · ¥{yuan(order.total_cents)} · {status_label(order, 'en')}"
    return OrderChoice(order.order_id, label, f"order:{order.order_id}")


def order_choices(orders: list[Order], lang: str = "zh", limit: int = 5) -> list[OrderChoice]:
    """Quick replies for the customer's most recent orders (newest first)."""
    ranked = sorted(orders, key=lambda o: o.created_at, reverse=True)
    return [order_choice(o, lang) for o in ranked[:limit]]


@dataclass(frozen=True)
class ParcelStatus:
    order: Order
    events: tuple[TrackingEvent, ...]

    @property
    def latest(self) -> TrackingEvent | None:
        return self.events[-1] if self.events else None


def carrier_names(carrier: str | None) -> tuple[str, str]:
    """The carrier's Chinese and English names; in general words when it is unknown."""
    return CARRIER_NAMES.get(carrier or "", ("快递", "the carrier"))


def parcel_message(status: ParcelStatus, lang: str, zone: tzinfo) -> str:
    """Where the parcel is, from the latest carrier event and the promised date (times in the
    shop's zone)."""

    def _local(at: datetime) -> str:
        return local_time(at, zone, lang, style="short")

    o, latest = status.order, status.latest
    zh = lang == "zh"
    if o.status in (OrderStatus.UNPAID, OrderStatus.PAID):
        if o.status == OrderStatus.UNPAID:
            return "订单还没有付款，付款后才会发货。" if zh else "The order is not paid yet."
        by = o.promised_ship_by
        if zh:
            when = f"，承诺 {_local(by)} 前发货" if by else ""
            return f"订单「{o.title_zh()}」还没有发货{when}。"
        when = (
            f"; it is promised to ship by {_local(by)} ({zone_name_en(by.astimezone(zone))})"
            if by
            else ""
        )
        return f"“{o.title_en()}” has not shipped yet{when}."
    if o.status not in (OrderStatus.SHIPPED, OrderStatus.DELIVERED) and not o.tracking_number:
        # Nothing with the carrier to show (cancelled before shipping, refunded): the order's
        # state, never blank slots.
        state = status_label(o, "zh" if zh else "en")
        return f"订单「{o.title_zh()}」当前状态：{state}。" if zh else f"“{o.title_en()}”: {state}."
    carrier_zh, carrier_en = carrier_names(o.carrier)
    number_zh = f"，运单号 {o.tracking_number}" if o.tracking_number else ""
    number_en = f", tracking number {o.tracking_number}" if o.tracking_number else ""
    if zh:
        parts = [f"订单「{o.title_zh()}」由{carrier_zh}配送{number_zh}。"]
        if latest:
            parts.append(f"最新进度（{_local(latest.at)}）：{latest.description_zh}。")
        if o.status == OrderStatus.SHIPPED and o.promised_delivery_by:
            parts.append(f"预计 {_local(o.promised_delivery_by)} 前送达。")
        return "".join(parts)
    parts = [f"“{o.title_en()}” is carried by {carrier_en}{number_en}."]
    if latest:
        parts.append(
            f" Latest ({_local(latest.at)} {zone_name_en(latest.at.astimezone(zone))}): {latest.description_en}."
        )
    if o.status == OrderStatus.SHIPPED and o.promised_delivery_by:
        parts.append(f" Expected by {_local(o.promised_delivery_by)}.")
    return "".join(parts)


def refund_message(order: Order, lang: str, zone: tzinfo) -> str | None:
    """Where the customer's money is: refunded (how much, when), or the return it waits for.
    None when the order has no refund done or under way (then the question is about the rule)."""
    zh = lang == "zh"
    title = f"「{order.title_zh()}」" if zh else f"“{order.title_en()}”"
    ret = order.return_info
    if order.refunded_cents > 0 or order.status == OrderStatus.REFUNDED:
        amount = yuan(order.refunded_cents or order.total_cents)
        when = local_time(order.refunded_at, zone, lang) if order.refunded_at else ""
        if zh:
            at = f"已于 {when} " if when else "已"
            return f"订单{title}{at}退款 ¥{amount}，原路退回您付款的账户。"
        at = f" on {when}" if when else ""
        return f"{title} was refunded ¥{amount}{at}, back to the account you paid with."
    if order.status == OrderStatus.RETURN_RECEIVED:
        if zh:
            return f"仓库已收到订单{title}的退货，正在为您办理退款 ¥{yuan(order.total_cents)}。"
        return f"The warehouse has your return of {title}; the refund of ¥{yuan(order.total_cents)} is being processed."
    if order.status == OrderStatus.RETURN_IN_PROGRESS:
        if ret is not None and ret.tracking_number:
            carrier_zh, carrier_en = carrier_names(ret.carrier)
            if zh:
                return (
                    f"订单{title}的退货包裹（{carrier_zh}，运单号 {ret.tracking_number}）正在寄回，"
                    "仓库收到并验货后就为您退款。"
                )
            return (
                f"Your return of {title} is on its way back ({carrier_en}, tracking number "
                f"{ret.tracking_number}); the refund follows once the warehouse has checked it."
            )
        if zh:
            return (
                f"订单{title}的退货已受理，退款要等商品寄回：寄出后把退货运单号发给我，"
                "仓库收到后就为您退款。"
            )
        return (
            f"The return of {title} is open; the refund follows the parcel back: once you have "
            "sent it, tell me the return tracking number."
        )
    return None


def verdict_message(verdict: Verdict, lang: str = "zh") -> str:
    """What the customer is told about a verdict: the reason, then the next step."""
    if lang == "zh":
        return verdict.reason_zh + verdict.next_step_zh
    return f"{verdict.reason_en} {verdict.next_step_en}".strip()


@dataclass(frozen=True)
class ShopFacts:
    """What the pure engine may know about the customer's shop side for one turn.

    Gathered at the edge (`tandem.shop.service.load_shop_facts`) and handed in, so the
    engine itself does no I/O.
    """

    customer: Customer | None
    orders: tuple[Order, ...]  # newest first

    @property
    def tier(self) -> Tier | None:
        return self.customer.tier if self.customer else None

    def order(self, order_id: str) -> Order | None:
        """One of the customer's own orders by id (a typed number that is not theirs: None)."""
        wanted = order_id.strip().upper()
        return next((o for o in self.orders if o.order_id.upper() == wanted), None)
