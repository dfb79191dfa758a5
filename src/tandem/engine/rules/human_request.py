"""Rule: the customer asks for a person (in words, or by tapping the quick reply)."""

from __future__ import annotations

from tandem.engine.handoff import wants_human
from tandem.engine.rules.handoff import (
    hand_off,
    status_while_queued,
)
from tandem.engine.rules.turn import (
    Turn,
)
from tandem.engine.types import (
    Decision,
)


def human_request(turn: Turn) -> Decision:
    if turn.view.state == "queued":
        return status_while_queued(turn, asked_again=True)
    return hand_off(turn, "customer_request", "handoff_queued", rule="explicit_human_request")


def rule(turn: Turn) -> Decision | None:
    inbound, ctx = turn.inbound, turn.ctx
    if wants_human(inbound.text, inbound.payload) or (
        turn.intent == "human" and (turn.confidence or 0) >= ctx.rules.min_confidence
    ):
        return human_request(turn)
    return None
