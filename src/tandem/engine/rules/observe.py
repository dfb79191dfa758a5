"""Not a decision: remember this turn's emotion and intent in the engine's memory, for the
rules after it (and the hand-off packet)."""

from __future__ import annotations

from tandem.engine.rules.turn import (
    Turn,
    family_confidence,
)
from tandem.engine.types import (
    Decision,
)


def observe(turn: Turn) -> None:
    a = turn.ctx.analysis
    if a is None:
        return
    if not a.out_of_scope:
        turn.confidence = family_confidence(a)
    if turn.inbound.payload:
        # A tapped quick reply: its text is the button's label ("香薰加湿器 · ¥159 · 待发货"),
        # not the customer's words, so neither its intent nor its emotion is the customer's.
        # The payload rule records what the tap chose.
        return
    turn.memory = turn.memory.observe(a.intent, a.confidence, a.emotion.label, a.emotion.intensity)


def rule(turn: Turn) -> Decision | None:
    observe(turn)
    return None
