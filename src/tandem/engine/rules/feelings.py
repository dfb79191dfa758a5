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
)
from tandem.engine.types import (
    Decision,
)


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
        ack = acknowledgement(emotion.label, turn.intent, turn.language, turn.sent)
        if ack is not None:
            turn.prefix.append(ack)
    if emotion.label in ("anger", "anxiety") and emotion.intensity >= rules.strong_emotion:
        turn.priority = max(turn.priority, rules.priority_strong_emotion)
        turn.memory = replace(turn.memory)  # priority travels with the decision
    return None


rule = feelings
