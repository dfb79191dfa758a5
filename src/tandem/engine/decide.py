"""The decision rules, in the order they apply. Each returns a Decision or passes (None)."""

from __future__ import annotations

import re

from tandem.engine.handoff import wants_human
from tandem.engine.language import detect_language
from tandem.engine.replies import HANDOFF_QUICK_REPLY, compose
from tandem.engine.types import BotReply, ConversationView, Decision, Inbound, QueueFacts

_GREETING = re.compile(
    r"^\s*(你好|您好|hi|hello|hey|哈喽|嗨|在吗|在嗎|在不在|早上好|晚上好|下午好|good (morning|afternoon|evening))[\s!！。.,，~?？]*$",
    re.I,
)
_THANKS = re.compile(
    r"^\s*(谢谢|謝謝|多谢|多謝|感谢|感謝|thanks|thank you|thx|ok thanks|好的谢谢)[\s\w!！。.,，~]*$",
    re.I,
)
_BYE = re.compile(r"^\s*(再见|再見|拜拜|bye|goodbye|see you)[\s!！。.,，~]*$", re.I)

# After this many answers the AI could not give, it hands off instead of trying again.
MAX_FALLBACKS = 2


def decide(view: ConversationView, inbound: Inbound, queue: QueueFacts) -> Decision:
    language = detect_language(inbound.text, view.language)
    if view.state == "agent":
        # A person owns the conversation: the AI never talks over them (rule 8).
        return Decision(action="silent", rule="human_owns_conversation", language=language)
    if view.state == "queued":
        return _while_queued(view, inbound, language)
    if wants_human(inbound.text, inbound.payload):
        return _hand_off(view, language, queue, reason="customer_request", situation=None)
    for pattern, situation in ((_GREETING, "greeting"), (_THANKS, "thanks"), (_BYE, "bye")):
        if pattern.match(inbound.text):
            reply = compose(situation, language, view.sent_reply_keys)
            if reply is not None:
                return Decision(action="reply", rule=situation, language=language, replies=(reply,))
    return _fallback(view, language, queue)


def _while_queued(view: ConversationView, inbound: Inbound, language: str) -> Decision:
    position = view.queue_position or 1
    eta = view.queue_eta_seconds or 0
    situation = "still_queued" if wants_human(inbound.text, inbound.payload) else "queued_note"
    reply = compose(situation, language, view.sent_reply_keys, position=position, eta_seconds=eta)
    if reply is None:
        # Every wording used: still answer, with the live figures, never silence.
        reply = _status_line(view, language, position, eta)
    return Decision(
        action="reply",
        rule="human_requested_again" if situation == "still_queued" else "note_while_queued",
        language=language,
        replies=(reply,),
        details={"position": position, "eta_seconds": eta},
    )


def _status_line(view: ConversationView, language: str, position: int, eta: int) -> BotReply:
    n = view.human_requests + 1
    minutes = max(1, round(eta / 60))
    if language == "en":
        text = (
            f"Received (message {n} while waiting). Queue position {position}, about {minutes} min."
        )
    else:
        text = f"已收到（排队期间第 {n} 条）。当前第 {position} 位，预计约 {minutes} 分钟。"
    return BotReply(key=f"status#{n}:{position}:{minutes}", text=text)


def _hand_off(
    view: ConversationView, language: str, queue: QueueFacts, *, reason: str, situation: str | None
) -> Decision:
    if situation is None:
        situation = "handoff_queued" if queue.agents_online > 0 else "handoff_unstaffed"
    reply = compose(
        situation,
        language,
        frozenset(),  # a hand-off notice carries fresh facts; it is never a loop
        position=queue.position_if_queued,
        eta_seconds=queue.eta_seconds,
    )
    assert reply is not None
    return Decision(
        action="hand_off",
        rule="explicit_human_request" if reason == "customer_request" else reason,
        language=language,
        replies=(reply,),
        handoff_reason=reason,
        details={"position": queue.position_if_queued, "eta_seconds": queue.eta_seconds},
    )


def _fallback(view: ConversationView, language: str, queue: QueueFacts) -> Decision:
    """Honest fallback: say we cannot answer and offer a person; never guess, never loop."""
    if view.fallbacks >= MAX_FALLBACKS:
        return _hand_off(
            view, language, queue, reason="cannot_answer", situation="handoff_after_fallbacks"
        )
    reply = compose(
        "fallback",
        language,
        view.sent_reply_keys,
        quick_replies=(HANDOFF_QUICK_REPLY[language],),
    )
    if reply is None:
        return _hand_off(
            view, language, queue, reason="cannot_answer", situation="handoff_after_fallbacks"
        )
    return Decision(
        action="reply", rule="fallback_offer_human", language=language, replies=(reply,)
    )
