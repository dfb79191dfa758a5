"""The working state of one decision (`Turn`), what every rule takes, and the one signature
every rule has: `rule(turn) -> Decision | None` (None: not mine, ask the next rule)."""

from __future__ import annotations

from typing import Protocol

from tandem.core.language import detect_language
from tandem.engine.types import (
    BotReply,
    ConversationView,
    Decision,
    Inbound,
    TurnContext,
)
from tandem.shop.types import Order
from tandem.understanding.taxonomy import SOCIAL_INTENTS
from tandem.understanding.types import Analysis

SOCIAL = SOCIAL_INTENTS
TOPIC_PAYLOAD = "topic:"
KB_PAYLOAD = "kb:"


class Turn:
    """The working state of one decision: language, memory so far, replies so far."""

    def __init__(self, view: ConversationView, inbound: Inbound, ctx: TurnContext) -> None:
        self.view = view
        self.inbound = inbound
        self.ctx = ctx
        self.language = detect_language(inbound.text, view.language)
        self.memory = view.memory
        self.prefix: list[BotReply] = []
        self.priority = 0
        a = ctx.analysis
        self.intent: str | None = a.intent if a else None
        self.confidence: float | None = a.confidence if a else None

    @property
    def sent(self) -> frozenset[str]:
        return self.memory.sent_keys | frozenset(r.key for r in self.prefix)

    def decision(
        self, action: str, rule: str, replies: tuple[BotReply, ...] = (), **kw: object
    ) -> Decision:
        replies = tuple(self.prefix) + replies
        memory = self.memory.with_sent(tuple(r.key for r in replies))
        if "memory" in kw:
            memory = kw.pop("memory").with_sent(tuple(r.key for r in replies))  # type: ignore[attr-defined]
        priority = max(self.priority, int(kw.pop("priority", 0)))  # type: ignore[call-overload]
        return Decision(
            action=action,  # type: ignore[arg-type]
            rule=rule,
            language=self.language,
            replies=replies,
            priority=priority,
            intent=self.intent,
            confidence=self.confidence,
            memory=memory,
            **kw,  # type: ignore[arg-type]
        )


# Intents that ask for the same outcome in different words. Their calibrated probabilities
# add up for "one of these", so a message split between "refund" and "cancel" is still sure
# that the customer wants their money back.
FAMILIES = (
    frozenset({"refund", "cancel_order", "return"}),
    frozenset({"where_is_parcel", "order_status", "urge_shipping"}),
    frozenset({"damaged_or_wrong_item", "quality_issue", "return", "exchange"}),
)


def family_confidence(a: Analysis) -> float:
    family = next((f for f in FAMILIES if a.intent in f), None)
    if family is None:
        return a.confidence
    return min(1.0, sum(s.confidence for s in a.intents if s.label in family))


def focus_order(turn: Turn) -> Order | None:
    shop = turn.ctx.shop
    if shop is None or turn.memory.order_id is None:
        return None
    return shop.order(turn.memory.order_id)


class Rule(Protocol):
    """One rule of the chain: a decision, or None to let the next rule decide."""

    def __call__(self, turn: Turn) -> Decision | None: ...
