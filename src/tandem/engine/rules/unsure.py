"""Rule: the AI is not sure what the customer wants: ask which topic they mean, or hand off
once asking again would not help."""

from __future__ import annotations

from dataclasses import replace

from tandem.engine.replies import compose, handoff_quick_reply, topic_label
from tandem.engine.rules.handoff import (
    hand_off,
    offer_person,
    status_while_queued,
)
from tandem.engine.rules.turn import (
    KB_PAYLOAD,
    SOCIAL,
    TOPIC_PAYLOAD,
    Turn,
)
from tandem.engine.types import (
    Decision,
    QuickReply,
)


def unsure(turn: Turn) -> Decision:
    """Ask one clarifying question with at most three likely topics; never guess twice."""
    ctx = turn.ctx
    a = ctx.analysis
    if turn.view.state == "queued":
        return status_while_queued(turn, asked_again=False)
    if turn.memory.clarified or turn.memory.fallbacks >= ctx.rules.max_fallbacks:
        reason = "out_of_scope" if a is not None and a.out_of_scope else "low_confidence"
        return hand_off(turn, reason, "handoff_unsure", miss=True)
    topics: list[QuickReply] = []
    if a is not None:
        for score in a.intents:
            if score.label in ("oos", "human", *SOCIAL) or len(topics) >= 3:
                continue
            topics.append(
                QuickReply(
                    topic_label(score.label, turn.language, turn.ctx.wording),
                    f"{TOPIC_PAYLOAD}{score.label}",
                )
            )
    if ctx.knowledge is not None:
        for match in ctx.knowledge.candidates:
            if len(topics) >= 3:
                break
            if match.intent and any(t.payload == f"{TOPIC_PAYLOAD}{match.intent}" for t in topics):
                continue
            topics.append(QuickReply(match.question[:20], f"{KB_PAYLOAD}{match.entry_id}"))
    if not topics:
        reply = compose(
            "fallback",
            turn.language,
            turn.sent,
            quick_replies=(handoff_quick_reply(turn.language, turn.ctx.wording),),
            wording=turn.ctx.wording,
        )
        if reply is None:
            return hand_off(turn, "cannot_answer", "handoff_after_fallbacks", miss=True)
        memory = replace(turn.memory, fallbacks=turn.memory.fallbacks + 1, clarified=True)
        return turn.decision(
            "reply", "fallback_offer_human", offer_person(turn, (reply,)), memory=memory, miss=True
        )
    situation = "clarify_oos" if a is not None and a.out_of_scope else "clarify"
    reply = compose(
        situation,
        turn.language,
        turn.sent,
        quick_replies=(*topics, handoff_quick_reply(turn.language, turn.ctx.wording)),
        wording=turn.ctx.wording,
    )
    if reply is None:
        return hand_off(turn, "low_confidence", "handoff_unsure", miss=True)
    memory = replace(turn.memory, clarified=True)
    return turn.decision(
        "reply",
        "clarify",
        (reply,),
        memory=memory,
        miss=True,
        details={"topics": [t.payload for t in topics]},
    )
