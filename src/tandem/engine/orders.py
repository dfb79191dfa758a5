"""Order work in the chat: which order, what the written policy says, and how to say it.

Pure: uses the shop's pure policy rules and wordings; the caller performs the action.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from tandem.shop.present import ShopFacts, local_time, status_label
from tandem.shop.types import (
    CARRIER_NAMES,
    ActionKind,
    ActionRequest,
    Order,
    OrderStatus,
    ReturnReason,
)

# Words that point at the customer's own order or parcel rather than at the shop's rules.
OWN_ORDER = re.compile(
    r"我的|我这|这单|这个单|我买的|我下的|我那|\bmy (order|parcel|package|item|refund|return|money)"
    r"|\bmine\b|this order"
)

# Questions about an order's state: answered, never acted on.
STATUS_INTENTS = frozenset({"order_status", "where_is_parcel", "refund_status"})

_RELEVANT: dict[str, frozenset[OrderStatus]] = {
    "where_is_parcel": frozenset({OrderStatus.SHIPPED, OrderStatus.PAID, OrderStatus.DELIVERED}),
    "urge_shipping": frozenset({OrderStatus.PAID}),
    "refund": frozenset(
        {
            OrderStatus.PAID,
            OrderStatus.SHIPPED,
            OrderStatus.DELIVERED,
            OrderStatus.RETURN_IN_PROGRESS,
        }
    ),
    "refund_status": frozenset(
        {OrderStatus.REFUNDED, OrderStatus.RETURN_IN_PROGRESS, OrderStatus.RETURN_RECEIVED}
    ),
    "return": frozenset({OrderStatus.DELIVERED}),
    "exchange": frozenset({OrderStatus.DELIVERED}),
    "damaged_or_wrong_item": frozenset({OrderStatus.DELIVERED, OrderStatus.SHIPPED}),
    "quality_issue": frozenset({OrderStatus.DELIVERED}),
    "cancel_order": frozenset({OrderStatus.UNPAID, OrderStatus.PAID}),
    "change_address": frozenset({OrderStatus.UNPAID, OrderStatus.PAID}),
}


def relevant_orders(shop: ShopFacts, intent: str) -> list[Order]:
    """The customer's orders this intent can be about, newest first; all of them when none fit."""
    statuses = _RELEVANT.get(intent)
    orders = list(shop.orders)
    if statuses is None:
        return orders
    fitting = [o for o in orders if o.status in statuses]
    return fitting or orders


def request_for(intent: str, text: str, order: Order | None = None) -> ActionRequest | None:
    """The action an intent asks for, with what the message already says (reason, wear)."""
    reason = reason_in(text)
    if worn_or_used(text) and reason is None:
        # Worn for a while and returned without a fault named: a no-reason return.
        reason = ReturnReason.NO_REASON
    match intent:
        case "refund":
            if (
                order is not None
                and order.status == OrderStatus.DELIVERED
                and reason == ReturnReason.QUALITY
            ):
                # Money back for a faulty delivered item goes through a quality return.
                return ActionRequest(kind=ActionKind.RETURN, reason=reason)
            return ActionRequest(kind=ActionKind.REFUND)
        case "cancel_order":
            return ActionRequest(kind=ActionKind.CANCEL)
        case "urge_shipping":
            return ActionRequest(kind=ActionKind.URGE_SHIPPING)
        case "change_address":
            return ActionRequest(kind=ActionKind.CHANGE_ADDRESS)
        case "return" | "exchange":
            kind = ActionKind.RETURN if intent == "return" else ActionKind.EXCHANGE
            return ActionRequest(kind=kind, reason=reason)
        case "damaged_or_wrong_item":
            reason = (
                ReturnReason.WRONG_ITEM
                if any(w in text for w in ("错", "wrong"))
                else ReturnReason.DAMAGED
            )
            return ActionRequest(kind=ActionKind.RETURN, reason=reason)
        case "quality_issue":
            return ActionRequest(kind=ActionKind.RETURN, reason=ReturnReason.QUALITY)
    return None


_QUALITY_WORDS = (
    "质量",
    "坏",
    "破",
    "瑕疵",
    "不能用",
    "故障",
    "死了",
    "烂",
    "变质",
    "漏",
    "碎",
    "裂",
    "发霉",
    "跑绒",
    "钻绒",
    "开线",
    "脱线",
    "掉色",
    "褪色",
    "起球",
    "开胶",
    "破洞",
    "sheds",
    "falling apart",
    "broken",
    "cracked",
    "rotten",
    "dead",
    "defect",
    "faulty",
    "damaged",
)
_NO_REASON_WORDS = (
    "不想要",
    "不喜欢",
    "无理由",
    "不合适",
    "拍错",
    "don't want",
    "changed my mind",
    "no reason",
)
_SIZE_WORDS = ("尺码", "大了", "小了", "偏大", "偏小", "size", "too big", "too small")


def reason_in(text: str) -> ReturnReason | None:
    lowered = text.lower()
    if any(w in lowered for w in _QUALITY_WORDS):
        return ReturnReason.QUALITY
    if any(w in lowered for w in _SIZE_WORDS):
        return ReturnReason.SIZE
    if any(w in lowered for w in _NO_REASON_WORDS):
        return ReturnReason.NO_REASON
    return None


def worn_or_used(text: str) -> bool:
    return any(
        w in text.lower()
        for w in ("穿过", "穿了", "用过", "用了", "洗过", "worn", "used it", "washed")
    )


def months_ago(order: Order, now: datetime) -> float:
    if order.delivered_at is None:
        return 0.0
    return (now - order.delivered_at).days / 30


def placeholder_values(order: Order, language: str, zone: tzinfo) -> dict[str, str]:
    """Order facts a knowledge answer may mention: {carrier}, {tracking_number},
    {promised_ship_date}, {order_status} (docs/knowledge.md)."""
    zh = language == "zh"
    values: dict[str, str] = {"order_status": status_label(order, language)}
    if order.carrier is not None:
        names = CARRIER_NAMES.get(order.carrier)
        if names:
            values["carrier"] = names[0] if zh else names[1]
    if order.tracking_number:
        values["tracking_number"] = order.tracking_number
    if order.promised_ship_by is not None:
        values["promised_ship_date"] = local_time(order.promised_ship_by, zone, language)
    return values
