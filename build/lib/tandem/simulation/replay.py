"""Replay: the recorded conversations of a period re-run through a changed policy or knowledge
base, and what would have changed.

Each conversation's customer messages are fed, in order, to the real engine with the new
policy file and/or knowledge base, from a fresh memory, for as long as the conversation was
with the AI (the recorded decisions say so: once a person owned it, the AI was silent). Each
new decision is set beside the recorded one: the action and the rule that fired, and whether
the conversation was handed to a person.

The shop facts (orders, tracking) are read as they are now, through the shop adapter, and
the understanding models are the installed ones: a replay answers "what would the AI decide
today, with this policy and this knowledge", on the words customers really used. Queue facts
are a neutral "one agent free": they change a hand-off's wording, never whether it happens.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.conversations.models import Conversation, Decision, Message
from tandem.engine import QueueFacts
from tandem.shop.adapter import ShopAdapter
from tandem.shop.service import load_shop_facts
from tandem.shop.types import OrderStatus, TrackingEvent
from tandem.simulation.bots import EngineConversation, EngineServices, engine_turn

NEUTRAL_QUEUE = QueueFacts(agents_online=1, position_if_queued=1, eta_seconds=60)
TRACKED = (OrderStatus.SHIPPED, OrderStatus.DELIVERED)
EXAMPLES = 20


@dataclass(frozen=True)
class TurnChange:
    conversation_id: str
    text: str
    recorded: str  # "action/rule"
    replayed: str


@dataclass
class ReplayReport:
    conversations: int = 0
    turns: int = 0
    changed_turns: int = 0
    handoffs_recorded: int = 0
    handoffs_replayed: int = 0
    handoffs_avoided: int = 0  # a person was needed then, the AI keeps it now
    handoffs_added: int = 0  # the AI kept it then, hands it off now
    rules_recorded: Counter[str] = field(default_factory=Counter)
    rules_replayed: Counter[str] = field(default_factory=Counter)
    examples: list[TurnChange] = field(default_factory=list)


async def _tracking(
    adapter: ShopAdapter, customer_id: str | None, facts_orders: tuple[object, ...]
) -> dict[str, tuple[TrackingEvent, ...]]:
    out: dict[str, tuple[TrackingEvent, ...]] = {}
    if not customer_id:
        return out
    for order in facts_orders:
        status = getattr(order, "status", None)
        oid = getattr(order, "order_id", "")
        if status in TRACKED:
            out[oid] = tuple(await adapter.tracking(customer_id, oid))
    return out


async def replay_period(
    session: AsyncSession,
    adapter: ShopAdapter,
    services: EngineServices,
    since: datetime,
    until: datetime,
) -> ReplayReport:
    """Re-run the AI's part of every conversation started in [since, until)."""
    report = ReplayReport()
    conversations = list(
        await session.scalars(
            select(Conversation)
            .where(Conversation.created_at >= since, Conversation.created_at < until)
            .order_by(Conversation.created_at, Conversation.id)
        )
    )
    for conv in conversations:
        messages = list(
            await session.scalars(
                select(Message)
                .where(Message.conversation_id == conv.id, Message.author == "customer")
                .order_by(Message.seq)
            )
        )
        recorded = {
            d.message_id: d
            for d in await session.scalars(
                select(Decision).where(Decision.conversation_id == conv.id).order_by(Decision.id)
            )
        }
        facts = await load_shop_facts(adapter, conv.customer_external_id)
        tracking = await _tracking(adapter, conv.customer_external_id, facts.orders)
        state = EngineConversation(language=conv.language)
        report.conversations += 1
        old_handoff = new_handoff = False
        for m in messages:
            old = recorded.get(m.id)
            if old is None or old.rule == "human_owns_conversation" or old_handoff or new_handoff:
                # The AI's part ends at the first hand-off, recorded or replayed.
                break
            turn = engine_turn(
                services,
                state,
                m.text,
                m.payload,
                m.created_at,
                facts,
                tracking,
                lambda: NEUTRAL_QUEUE,
            )
            new = turn.decision
            report.turns += 1
            old_key = f"{old.action}/{old.rule}"
            new_key = f"{new.action}/{new.rule}"
            report.rules_recorded[old.rule] += 1
            report.rules_replayed[new.rule] += 1
            if old_key != new_key:
                report.changed_turns += 1
                if len(report.examples) < EXAMPLES:
                    report.examples.append(TurnChange(conv.id, m.text[:80], old_key, new_key))
            old_handoff = old.action == "hand_off"
            new_handoff = new.action == "hand_off"
            if old_handoff:
                report.handoffs_recorded += 1
            if new_handoff:
                report.handoffs_replayed += 1
            if old_handoff and not new_handoff:
                report.handoffs_avoided += 1
            if new_handoff and not old_handoff:
                report.handoffs_added += 1
    return report
