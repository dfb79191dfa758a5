"""Step one and two of a turn: read the message (pure, off the event loop), then gather every
fact the engine needs in one read-only pass before anything is written. The queue facts are
read in that pass only when the engine asks for them (a hand-off: `decide_reading`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.conversations.models import Conversation, Decision, Message
from tandem.core.language import detect_language
from tandem.engine import ConversationView, QueueFacts, TurnContext
from tandem.engine.memory import EngineMemory
from tandem.knowledge.index import KnowledgeIndex, Match, SearchResult
from tandem.routing import service as routing
from tandem.shop.adapter import ShopAdapter
from tandem.shop.policy import next_service_opening, unstaffed_reply_by, within_service_hours
from tandem.shop.policy_config import ShopPolicy
from tandem.shop.present import ShopFacts
from tandem.shop.service import load_shop_facts
from tandem.shop.types import OrderStatus, TrackingEvent
from tandem.understanding import Analysis, Understanding

# A conversation that is not with the AI cannot be handed off again this turn.
NO_QUEUE_FACTS = QueueFacts(agents_online=0, position_if_queued=0, eta_seconds=0)
# What the engine reads of the queue facts (their fields and the properties built on them).
_QUEUE_READS = frozenset({f.name for f in fields(QueueFacts)} | {"nobody_on_duty"})
TRACKED = (OrderStatus.SHIPPED, OrderStatus.DELIVERED)
TRACK_AT_MOST = 5
Decided = TypeVar("Decided")


class QueueFactsNeeded(Exception):
    """The engine read the queue facts of a turn decided without them."""


class _NotRead(QueueFacts):
    """The queue facts of a turn with the AI, not read yet. Only a hand-off reads them, and
    they cost a third of an AI turn's statements (staffing, the queue's snapshot): a turn is
    decided without them first, and any read of them stops the decision (`decide_reading`)."""

    def __getattribute__(self, name: str) -> Any:
        if name in _QUEUE_READS:
            raise QueueFactsNeeded(name)
        return super().__getattribute__(name)


NOT_READ = _NotRead(agents_online=0, position_if_queued=0, eta_seconds=0)


async def decide_reading(
    ctx: TurnContext,
    decide: Callable[[TurnContext], Decided],
    read_queue: Callable[[], Awaitable[QueueFacts]],
) -> tuple[Decided, TurnContext]:
    """`decide(ctx)`, reading the queue facts only when the engine asks for them: it is pure,
    so deciding again with them read gives the decision one made with them from the start.
    Returns the decision and the context it was made with."""
    if ctx.queue is not NOT_READ:
        return decide(ctx), ctx
    try:
        return decide(ctx), ctx
    except QueueFactsNeeded:
        ctx = replace(ctx, queue=await read_queue())
        return decide(ctx), ctx


@dataclass(frozen=True)
class Reading:
    """What the message says and what the knowledge base knows about it."""

    analysis: Analysis
    knowledge: SearchResult


def read_message(
    understanding: Understanding,
    knowledge: KnowledgeIndex,
    text: str,
    payload: str | None,
    conversation_language: str,
) -> Reading:
    """Understanding and retrieval as one pure, CPU-bound step. The caller runs it with
    `asyncio.to_thread` before its transaction and outside any lock, so a slow model never
    blocks the event loop nor holds the database writer."""
    analysis = understanding.analyze(text or payload or "")
    if payload and payload.startswith("kb:"):
        entry = knowledge.get(payload[3:])
        if entry is not None:
            match = Match(entry.id, entry.question, entry.answer, 0.0, 1.0, entry.intent)
            return Reading(analysis, SearchResult(answer=match, candidates=(match,)))
    # The engine answers in detect_language(text, conversation language): search in the same
    # one. An encoder vector from `analysis` would be handed to `search` here (vector=...).
    language = detect_language(text, conversation_language)
    return Reading(analysis, knowledge.search(text, language=language))


def analysis_meta(a: Analysis) -> dict[str, Any]:
    """What the desk and analytics keep of the understanding of a customer message (the text
    itself stays in the message, once)."""
    return {k: v for k, v in a.to_dict().items() if k not in ("text", "normalized")}


@dataclass(frozen=True)
class Facts:
    """Everything the engine is handed this turn besides the message, read once."""

    view: ConversationView
    queue: QueueFacts
    shop: ShopFacts
    tracking: dict[str, tuple[TrackingEvent, ...]]


def engine_view(conversation: Conversation, queue: tuple[int, int] | None) -> ConversationView:
    return ConversationView(
        state=conversation.state,
        language=conversation.language,
        memory=EngineMemory.from_json(conversation.engine_state),
        queue_position=queue[0] if queue else None,
        queue_eta_seconds=queue[1] if queue else None,
    )


async def queue_of(
    session: AsyncSession, conversation: Conversation, now: datetime
) -> tuple[int, int] | None:
    """(position, wait in seconds) of a queued conversation, None for any other."""
    if conversation.state != "queued":
        return None
    return await routing.queue_estimate(session, conversation, now=now)


async def tracking_of(
    adapter: ShopAdapter, facts: ShopFacts
) -> dict[str, tuple[TrackingEvent, ...]]:
    if facts.customer is None:
        return {}
    out: dict[str, tuple[TrackingEvent, ...]] = {}
    for order in [o for o in facts.orders if o.status in TRACKED][:TRACK_AT_MOST]:
        out[order.order_id] = tuple(
            await adapter.tracking(facts.customer.external_id, order.order_id)
        )
    return out


async def queue_facts(session: AsyncSession, policy: ShopPolicy, now: datetime) -> QueueFacts:
    """The human side as a newcomer to the queue would find it, read before deciding so the
    engine decides once."""
    facts = await routing.facts_for_new_entry(session, now=now)
    staffed = within_service_hours(policy, now)
    callback_at = None
    if not staffed:
        callback_at = next_service_opening(policy, now)
    elif facts.agents_online == 0:
        # Nobody signed in yet: the queue's estimate assumes someone serving; promise what
        # the shop's policy commits to instead.
        callback_at = unstaffed_reply_by(policy, now, facts.eta_seconds)
    return replace(facts, staffed_now=staffed, callback_at=callback_at)


async def gather(
    session: AsyncSession,
    adapter: ShopAdapter,
    conversation: Conversation,
    now: datetime,
) -> Facts:
    """The conversation as the engine sees it, the customer's orders and their tracking. The
    queue facts are left unread (only a conversation with the AI can be handed off, and only
    a hand-off reads them: `decide_reading`)."""
    view = engine_view(conversation, await queue_of(session, conversation, now))
    queue = NOT_READ if conversation.state == "bot" else NO_QUEUE_FACTS
    shop = await load_shop_facts(adapter, conversation.customer_external_id)
    return Facts(view, queue, shop, await tracking_of(adapter, shop))


@dataclass(frozen=True)
class History:
    """The conversation before this turn, for the hand-off packet."""

    # (author, text, the analysis of a customer message) in order: the packet masks from it.
    transcript: list[tuple[str, str, dict[str, Any] | None]]
    decisions: list[dict[str, Any]]
    analyses: list[dict[str, Any]]


def tapped(analysis: dict[str, Any] | None, payload: str | None) -> dict[str, Any] | None:
    """A tapped quick reply's text is the button's label, not the customer's words: the
    hand-off summary leaves it out (engine.packet)."""
    return {**(analysis or {}), "tapped": True} if payload else analysis


async def history_before(session: AsyncSession, conversation_id: str, seq: int) -> History:
    """Messages and decisions written before `seq` (this turn's message): the turn adds its
    own from memory instead of reading back what it just wrote."""
    rows = (
        await session.execute(
            select(Message.author, Message.text, Message.meta, Message.payload)
            .where(Message.conversation_id == conversation_id, Message.seq < seq)
            .order_by(Message.seq)
        )
    ).all()
    transcript = [
        (author, text, tapped((meta or {}).get("analysis"), payload))
        for author, text, meta, payload in rows
    ]
    analyses = [
        (meta or {}).get("analysis") or {} for author, _, meta, _ in rows if author == "customer"
    ]
    decisions = [
        {"rule": rule, "intent": intent, "confidence": confidence}
        for rule, intent, confidence in (
            await session.execute(
                select(Decision.rule, Decision.intent, Decision.confidence)
                .where(Decision.conversation_id == conversation_id)
                .order_by(Decision.id)
            )
        ).all()
    ]
    return History(transcript, decisions, analyses)
