"""Rule: strong feelings first: acknowledge them, and hand off when they call for a person."""

from __future__ import annotations

from dataclasses import replace

from tandem.engine.feelings import acknowledgement
from tandem.engine.replies import compose
from tandem.engine.rules.handoff import (
    hand_off,
)
from tandem.engine.rules.turn import (
    Turn,
    focus_order,
)
from tandem.engine.types import (
    Decision,
)
from tandem.shop.types import OrderStatus


def feelings(turn: Turn) -> Decision | None:
    a, rules = turn.ctx.analysis, turn.ctx.rules
    if a is None:
        return None
    if a.abuse.is_abusive:
        count = turn.memory.abuse_count + 1
        turn.memory = replace(turn.memory, abuse_count=count)
        warning = compose("abuse_warning", turn.language, turn.sent, wording=turn.ctx.wording)
        if warning is not None:
            turn.prefix.append(warning)
        if count >= rules.abuse_limit:
            return hand_off(
                turn,
                "abuse",
                "handoff_abuse",
                rule="repeated_abuse",
                skill="supervisor",
                priority=rules.priority_abuse,
            )
    emotion = a.emotion
    if emotion.intensity >= rules.acknowledge_emotion and not a.abuse.is_abusive:
        ack = acknowledgement(
            emotion.label, turn.intent, turn.language, turn.sent, parcel_moving=parcel_moving(turn)
        )
        if ack is not None:
            turn.prefix.append(ack)
    if emotion.label in ("anger", "anxiety") and emotion.intensity >= rules.strong_emotion:
        turn.priority = max(turn.priority, rules.priority_strong_emotion)
        turn.memory = replace(turn.memory)  # priority travels with the decision
    return None


def parcel_moving(turn: Turn) -> bool | None:
    """Whether the customer's parcel has left: the order in focus, or their only order;
    None when it is not known."""
    shop = turn.ctx.shop
    if shop is None or shop.customer is None:
        return None
    order = focus_order(turn)
    if order is None and len(shop.orders) == 1:
        order = shop.orders[0]
    if order is None:
        return None
    return order.status not in (OrderStatus.UNPAID, OrderStatus.PAID)


rule = feelings
