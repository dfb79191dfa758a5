"""Rule (first): a person owns the conversation, so the AI never talks over them; repeated
abuse is still counted so that it reaches a supervisor."""

from __future__ import annotations

from dataclasses import replace

from tandem.engine.replies import compose
from tandem.engine.rules.turn import (
    Turn,
)
from tandem.engine.types import (
    Decision,
)


def abuse_with_agent(turn: Turn) -> Decision:
    """The platform (not the AI) warns the customer; the limit flags the conversation and
    asks for a supervisor."""
    count = turn.memory.abuse_count + 1
    memory = replace(turn.memory, abuse_count=count)
    warning = compose(
        "abuse_warning", turn.language, turn.memory.sent_keys, wording=turn.ctx.wording
    )
    escalate = count >= turn.ctx.rules.abuse_limit
    return Decision(
        action="silent",
        rule="repeated_abuse" if escalate else "abuse_warning",
        language=turn.language,
        replies=(warning,) if warning is not None else (),
        intent=turn.intent,
        confidence=turn.confidence,
        memory=memory.with_sent((warning.key,) if warning is not None else ()),
        handoff_reason="abuse" if escalate else None,
        skill="supervisor" if escalate else None,
        escalate=escalate,
    )


def rule(turn: Turn) -> Decision | None:
    if turn.view.state != "agent":
        return None
    # A person owns the conversation: the AI never talks over them (rule 8). Abuse is still
    # counted, so repeated abuse reaches a supervisor whoever is in the chat.
    if turn.ctx.analysis is not None and turn.ctx.analysis.abuse.is_abusive:
        return abuse_with_agent(turn)
    return Decision(
        action="silent",
        rule="human_owns_conversation",
        language=turn.language,
        intent=turn.intent,
        confidence=turn.confidence,
    )
