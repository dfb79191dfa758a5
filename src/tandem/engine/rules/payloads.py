"""Rule: a tapped quick reply (topic, knowledge entry, order, shop action) says what the
customer means without any guessing."""

from __future__ import annotations

from dataclasses import replace

from tandem.engine.handoff import PAYLOAD as HANDOFF_PAYLOAD
from tandem.engine.rules.knowledge import (
    answer_from_knowledge,
)
from tandem.engine.rules.orders import (
    CANCEL_PAYLOAD,
    act,
    cancelled,
    order_work,
)
from tandem.engine.rules.turn import (
    KB_PAYLOAD,
    TOPIC_PAYLOAD,
    Turn,
)
from tandem.engine.rules.understood import (
    understood,
)
from tandem.engine.types import (
    Decision,
)
from tandem.shop.chat import (
    parse_action_payload,
    parse_order_payload,
)


def payloads(turn: Turn) -> Decision | None:
    payload = turn.inbound.payload
    if not payload or payload == HANDOFF_PAYLOAD:
        return None
    if payload.startswith(TOPIC_PAYLOAD):
        turn.intent, turn.confidence = payload[len(TOPIC_PAYLOAD) :], 1.0
        turn.memory = replace(turn.memory.chose(turn.intent), clarified=False)
        return understood(turn, chosen=True)
    if payload.startswith(KB_PAYLOAD):
        turn.memory = replace(turn.memory, clarified=False)
        match = turn.ctx.knowledge.answer if turn.ctx.knowledge else None
        if match is not None:
            return answer_from_knowledge(turn, match)
        return None
    if (order_id := parse_order_payload(payload)) is not None:
        intent = turn.memory.pending_intent or "order_status"
        turn.intent, turn.confidence = intent, 1.0
        turn.memory = replace(turn.memory.chose(intent), order_id=order_id, pending=None)
        return order_work(turn, intent)
    if (parsed := parse_action_payload(payload)) is not None:
        # A button names the action and the order: tapping it is the customer's yes.
        order_id, request = parsed
        turn.memory = replace(turn.memory, order_id=order_id, pending=None, pending_action=None)
        return act(turn, order_id, request)
    if payload == CANCEL_PAYLOAD:
        return cancelled(turn)
    return None


rule = payloads
