"""Rule: the AI is not sure what the customer wants: ask which topic they mean, or hand off
once asking again would not help."""

from __future__ import annotations

from dataclasses import replace

from tandem.engine.replies import compose, handoff_quick_reply, topic_label
from tandem.engine.rules.handoff import (
    counted,
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
    if a is not None and a.out_of_scope and not turn.memory.clarified and not plausible(turn):
        # Off-topic, not an unsolved problem of ours: decline politely and say what the AI
        # can do, offering a person, never queueing one (asking again is no rephrase).
        return decline_off_topic(turn)
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
    situation = "clarify"
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


# A knowledge entry this likely to be about the message makes "off-topic" a misreading worth
# a clarifying question rather than a refusal.
PLAUSIBLE_ENTRY = 0.3


def plausible(turn: Turn) -> bool:
    kb = turn.ctx.knowledge
    return bool(kb and kb.candidates and kb.candidates[0].confidence >= PLAUSIBLE_ENTRY)


def decline_off_topic(turn: Turn) -> Decision:
    n = turn.memory.offtopic + 1
    memory = replace(turn.memory, offtopic=n)
    quick = (
        ()
        if turn.view.state == "queued"
        else (handoff_quick_reply(turn.language, turn.ctx.wording),)
    )
    reply = compose(
        "decline_oos", turn.language, turn.sent, quick_replies=quick, wording=turn.ctx.wording
    )
    if reply is None:
        reply = replace(counted(turn, "decline_oos_again", n), quick_replies=quick)
    return turn.decision("reply", "decline_off_topic", (reply,), memory=memory, miss=True)
