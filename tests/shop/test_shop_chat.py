"""Pure chat wording: replies to verdicts, quick replies, and the payload contract."""

from __future__ import annotations

from datetime import timedelta

from tandem.shop.chat import (
    HANDOFF_PAYLOAD,
    outcome_reply,
    parcel_reply,
    parse_action_payload,
    parse_order_payload,
    pick_order_reply,
)
from tandem.shop.policy import evaluate
from tandem.shop.policy_config import ServiceHours, load_policy
from tandem.shop.present import ParcelStatus
from tandem.shop.types import (
    ActionKind,
    ActionRequest,
    Category,
    ItemCondition,
    OrderStatus,
    ReturnReason,
    TrackingEvent,
)

from .factories import NOW, order

POLICY = load_policy()

SHOP_ZONE = ServiceHours().zone


def test_declines_offer_a_person_and_missing_reason_offers_buttons_that_parse() -> None:
    late = order(delivered_days_ago=30)
    v = evaluate(ActionRequest(kind=ActionKind.RETURN, reason="no_reason"), late, POLICY, NOW)
    reply = outcome_reply(v, late)
    assert reply.text.startswith(v.reason_zh)
    assert [c.payload for c in reply.choices] == [HANDOFF_PAYLOAD]
    assert reply.key == f"shop.outside_window.{late.order_id}"

    o = order()
    asked = outcome_reply(evaluate(ActionRequest(kind=ActionKind.RETURN), o, POLICY, NOW), o)
    parsed = [parse_action_payload(c.payload) for c in asked.choices]
    assert parsed == [
        (o.order_id, ActionRequest(kind=ActionKind.RETURN, reason=ReturnReason.NO_REASON)),
        (o.order_id, ActionRequest(kind=ActionKind.RETURN, reason=ReturnReason.QUALITY)),
    ]
    # Tapping "no reason" then yields the allowed verdict.
    _, request = parsed[0]  # type: ignore[misc]
    assert evaluate(request, o, POLICY, NOW).rule == "seven_day_no_reason"


def test_medicine_asks_if_opened_and_overdue_offers_refund() -> None:
    med = order(category=Category.OTC_MEDICINE)
    v = evaluate(ActionRequest(kind=ActionKind.RETURN, reason="no_reason"), med, POLICY, NOW)
    reply = outcome_reply(v, med, "en")
    requests = [parse_action_payload(c.payload) for c in reply.choices]
    assert [r[1].condition for r in requests if r] == [ItemCondition.UNUSED, ItemCondition.OPENED]
    late = order(OrderStatus.PAID)
    urged = outcome_reply(
        evaluate(ActionRequest(kind=ActionKind.URGE_SHIPPING), late, POLICY, NOW), late
    )
    assert [c.payload for c in urged.choices] == [f"shop:refund:{late.order_id}", "handoff"]


def test_allowed_refund_has_no_buttons_and_states_the_amount() -> None:
    o = order(OrderStatus.PAID, price_cents=19900)
    reply = outcome_reply(evaluate(ActionRequest(kind=ActionKind.REFUND), o, POLICY, NOW), o)
    assert reply.choices == () and "¥199" in reply.text


def test_payload_parsing_rejects_junk() -> None:
    assert parse_action_payload("shop:refund:") is None
    assert parse_action_payload("shop:teleport:TD1") is None
    assert parse_action_payload("shop:return:TD1:because") is None
    assert parse_action_payload("shop:change_address:TD1") is None
    assert parse_action_payload("handoff") is None
    assert parse_action_payload(None) is None
    assert parse_order_payload("order:TD20261121000001") == "TD20261121000001"
    assert parse_order_payload("order:") is None and parse_order_payload("x") is None


def test_pick_order_and_parcel_replies() -> None:
    older = order(order_id="TD20261101000001", created_at=NOW - timedelta(days=20))
    newer = order(OrderStatus.SHIPPED, order_id="TD20261120000002", created_at=NOW)
    reply = pick_order_reply([older, newer])
    assert [parse_order_payload(c.payload) for c in reply.choices] == [
        newer.order_id,
        older.order_id,
    ]
    assert "运输中" in reply.choices[0].label
    assert pick_order_reply([]).key == "shop.no_orders"
    event = TrackingEvent(
        at=NOW - timedelta(hours=2),
        code="arrived",
        description_zh="快件已到达【杭州转运中心】",
        description_en="Arrived at the Hangzhou hub",
    )
    first = parcel_reply(ParcelStatus(newer, (event,)), "zh", SHOP_ZONE)
    later_event = event.model_copy(update={"at": NOW, "code": "out_for_delivery"})
    second = parcel_reply(ParcelStatus(newer, (event, later_event)), "zh", SHOP_ZONE)
    assert "杭州转运中心" in first.text
    assert first.key != second.key  # a new carrier event is news, not a repeat
