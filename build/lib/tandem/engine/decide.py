"""The decision rules in the order they apply (docs/engine.md): a short chain over the rules of
`tandem.engine.rules`, one module each.

decide(view, inbound, ctx) -> Decision. Pure: everything it needs is in its arguments, the
time included. `after_action` words the outcome of a shop action the caller performed.
"""

from __future__ import annotations

from tandem.engine.rules import (
    feelings,
    human_request,
    observe,
    payloads,
    person_owns,
    understood,
)
from tandem.engine.rules.knowledge import fill_answer
from tandem.engine.rules.orders import after_action
from tandem.engine.rules.turn import Rule, Turn
from tandem.engine.types import ConversationView, Decision, Inbound, TurnContext

CHAIN: tuple[Rule, ...] = (
    person_owns.rule,
    observe.rule,
    payloads.rule,
    human_request.rule,
    feelings.rule,
    understood.rule,
)


def decide(view: ConversationView, inbound: Inbound, ctx: TurnContext) -> Decision:
    turn = Turn(view, inbound, ctx)
    for rule in CHAIN:
        decision = rule(turn)
        if decision is not None:
            return decision
    raise AssertionError("the last rule of the chain always decides")


__all__ = ["CHAIN", "after_action", "decide", "fill_answer"]
