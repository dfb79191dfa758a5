"""Pure chat wording for order work: what the AI says after a verdict, with quick replies.

The engine calls these and turns `Choice` into its own quick replies. Payloads are a small,
stable contract so a tapped button becomes an action without parsing free text:

- `order:{order_id}`                                  the customer picked an order
- `shop:{kind}:{order_id}[:{reason}[:{condition}]]`   do this action (see `parse_action_payload`)
- `handoff`                                           a person, please (the engine's own payload)

`ShopReply.key` names what was said about which order, so the engine can tell a repeat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from tandem.shop.present import (
    ParcelStatus,
    order_choices,
    parcel_message,
    refund_message,
    verdict_message,
)
from tandem.shop.types import ActionKind, ActionRequest, ItemCondition, Order, ReturnReason, Verdict

HANDOFF_PAYLOAD = "handoff"


@dataclass(frozen=True)
class Choice:
    label: str
    payload: str


@dataclass(frozen=True)
class ShopReply:
    key: str
    text: str
    choices: tuple[Choice, ...] = ()


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _person(lang: str) -> Choice:
    return Choice(_t(lang, "转人工复核", "Talk to a person"), HANDOFF_PAYLOAD)


def _reasons(order_id: str, kind: str, lang: str) -> tuple[Choice, ...]:
    return (
        Choice(_t(lang, "七天无理由", "No reason (7 days)"), f"shop:{kind}:{order_id}:no_reason"),
        Choice(_t(lang, "质量问题", "Something is wrong"), f"shop:{kind}:{order_id}:quality"),
    )


def outcome_reply(verdict: Verdict, order: Order, lang: str = "zh") -> ShopReply:
    """The customer-facing reply to a verdict on `order` (after the action, if it was done)."""
    oid = order.order_id
    choices: tuple[Choice, ...] = ()
    match verdict.rule:
        case "return_needs_reason" | "delivered_refund_via_return":
            choices = _reasons(oid, "return", lang)
        case "unshipped_use_refund":
            choices = (Choice(_t(lang, "立即退款", "Refund now"), f"shop:refund:{oid}"),)
        case "opened_state_needed":
            choices = (
                Choice(_t(lang, "未拆封", "Still sealed"), f"shop:return:{oid}:no_reason:unused"),
                Choice(_t(lang, "已拆封", "Opened"), f"shop:return:{oid}:no_reason:opened"),
            )
        case "urge_shipping_overdue":
            choices = (
                Choice(_t(lang, "立即退款", "Refund now"), f"shop:refund:{oid}"),
                _person(lang),
            )
        case _ if verdict.human_review_offered:
            choices = (_person(lang),)
    text = verdict_message(verdict, lang)
    return ShopReply(key=f"shop.{verdict.rule}.{oid}", text=text, choices=choices)


def parcel_reply(status: ParcelStatus, lang: str, zone: tzinfo) -> ShopReply:
    """Where is my parcel. The key changes when a new carrier event arrives."""
    latest = status.latest
    stamp = latest.at.isoformat() if latest else status.order.status.value
    return ShopReply(
        key=f"shop.parcel.{status.order.order_id}.{stamp}", text=parcel_message(status, lang, zone)
    )


def refund_reply(order: Order, lang: str, zone: tzinfo) -> ShopReply | None:
    """Where the refund is; None when the order has none done or under way. The key changes
    when the refund moves (a return tracking number given, the parcel received, the money sent)."""
    text = refund_message(order, lang, zone)
    if text is None:
        return None
    ret = order.return_info
    stage = f"{order.status.value}.{ret.tracking_number if ret else ''}.{order.refunded_cents}"
    return ShopReply(key=f"shop.refund.{order.order_id}.{stage}", text=text)


def pick_order_reply(orders: list[Order], lang: str = "zh", limit: int = 5) -> ShopReply:
    """Several orders: offer them as quick replies rather than asking for a number."""
    if not orders:
        return ShopReply(
            key="shop.no_orders",
            text=_t(
                lang,
                "没有查到您账号下的订单。如果是用其他账号下的单，请告诉我订单号。",
                "I cannot find any orders on your account. If you ordered with another account, "
                "tell me the order number.",
            ),
        )
    choices = tuple(Choice(c.label, c.payload) for c in order_choices(orders, lang, limit))
    return ShopReply(
        key="shop.pick_order." + ",".join(c.payload for c in choices),
        text=_t(lang, "请问是哪一笔订单？", "Which order is it about?"),
        choices=choices,
    )


def parse_order_payload(payload: str | None) -> str | None:
    """`order:{id}` -> the order id, else None."""
    if payload and payload.startswith("order:") and len(payload) > 6:
        return payload[6:]
    return None


def action_payload(order_id: str, request: ActionRequest) -> str:
    """The quick-reply payload that asks for `request` on `order_id` (`parse_action_payload`
    reads it back). A condition needs a reason before it: a worn return is a no-reason one."""
    parts = ["shop", request.kind.value, order_id]
    if request.reason is not None or request.condition is not None:
        parts.append((request.reason or ReturnReason.NO_REASON).value)
        if request.condition is not None:
            parts.append(request.condition.value)
    return ":".join(parts)


def parse_action_payload(payload: str | None) -> tuple[str, ActionRequest] | None:
    """`shop:{kind}:{order_id}[:{reason}[:{condition}]]` -> (order id, request), else None.

    Only actions a button can fully describe are accepted (not address changes).
    """
    if not payload or not payload.startswith("shop:"):
        return None
    parts = payload.split(":")
    if len(parts) < 3 or not parts[2]:
        return None
    kind, order_id, rest = parts[1], parts[2], parts[3:]
    try:
        action = ActionKind(kind)
        reason = ReturnReason(rest[0]) if len(rest) >= 1 else None
        condition = ItemCondition(rest[1]) if len(rest) >= 2 else None
    except ValueError:
        return None
    if action in (ActionKind.CHANGE_ADDRESS, ActionKind.SET_RETURN_TRACKING):
        return None
    return order_id, ActionRequest(kind=action, reason=reason, condition=condition)
