"""What the AI says and does when an effect of its decision failed (the shop's API, the queue):
pure, like every rule. The caller performs it in a fresh transaction; the customer's message
is already stored, so nothing the customer said is lost."""

from __future__ import annotations

from tandem.engine.replies import compose
from tandem.engine.types import ConversationView, Decision
from tandem.engine.wording import DEFAULT_WORDING, Wording

FAILED_RULE = "effect_failed"


def after_failure(
    view: ConversationView,
    failed: str,
    *,
    can_hand_off: bool,
    wording: Wording = DEFAULT_WORDING,
) -> Decision:
    """A person takes over when one can be asked (`can_hand_off`); otherwise an apology that
    says the message was received and what to do next. `failed` names the effect that failed
    (recorded with the decision)."""
    language = view.language
    if can_hand_off and view.state == "bot":
        reply = compose("effect_failed_handoff", language, frozenset(), wording=wording)
        return Decision(
            action="hand_off",
            rule=FAILED_RULE,
            language=language,
            replies=(reply,) if reply else (),
            handoff_reason="system_error",
            priority=1,
            details={"failed": failed},
        )
    # Said again if it happens again (no memory of sent keys): the customer must get an answer.
    reply = compose("effect_failed", language, frozenset(), wording=wording)
    return Decision(
        action="reply",
        rule=FAILED_RULE,
        language=language,
        replies=(reply,) if reply else (),
        details={"failed": failed},
    )
