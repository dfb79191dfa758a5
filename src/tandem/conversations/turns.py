"""One customer turn: store the message, gather what the engine needs, let it decide, carry
out the decision (reply, shop action, hand-off with its packet), record why.

The engine itself is pure (tandem.engine); everything with I/O happens here, around it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.config import Settings
from tandem.conversations.models import Conversation, Decision, Message
from tandem.conversations.schemas import SendMessageIn
from tandem.conversations.service import (
    TurnResult,
    add_message,
    append_event,
    change_state,
    find_turn,
    queue_of,
)
from tandem.core.clock import Clock, utcnow
from tandem.core.errors import InvalidInput
from tandem.db.uow import UnitOfWork
from tandem.engine import ConversationView, Inbound, QueueFacts, TurnContext, after_action, decide
from tandem.engine.memory import EngineMemory
from tandem.engine.packet import build_packet
from tandem.engine.types import Decision as EngineDecision
from tandem.knowledge.index import KnowledgeIndex, Match, SearchResult
from tandem.knowledge.service import record_miss
from tandem.routing import service as routing
from tandem.routing.assignment import assign_waiting
from tandem.shop.policy import next_service_opening, within_service_hours
from tandem.shop.present import ShopFacts
from tandem.shop.provider import Shop
from tandem.shop.schemas import Actor
from tandem.shop.service import load_shop_facts, perform_action
from tandem.shop.types import OrderStatus, TrackingEvent
from tandem.understanding import Analysis, Understanding

# A conversation that is not with the AI cannot be handed off again this turn.
NO_QUEUE_FACTS = QueueFacts(agents_online=0, position_if_queued=0, eta_seconds=0)
TRACKED = (OrderStatus.SHIPPED, OrderStatus.DELIVERED)
TRACK_AT_MOST = 5


@dataclass(frozen=True)
class TurnDeps:
    """What a turn needs besides the database: built once at start-up."""

    settings: Settings
    understanding: Understanding
    knowledge: KnowledgeIndex
    shop: Shop
    clock: Clock


def engine_view(conversation: Conversation, queue: tuple[int, int] | None) -> ConversationView:
    return ConversationView(
        state=conversation.state,
        language=conversation.language,
        memory=EngineMemory.from_json(conversation.engine_state),
        queue_position=queue[0] if queue else None,
        queue_eta_seconds=queue[1] if queue else None,
    )


def analysis_meta(a: Analysis) -> dict[str, Any]:
    """What the desk and analytics keep of the understanding of a customer message (the text
    itself stays in the message, once)."""
    return {k: v for k, v in a.to_dict().items() if k not in ("text", "normalized")}


def _knowledge(deps: TurnDeps, text: str, payload: str | None, language: str) -> SearchResult:
    if payload and payload.startswith("kb:"):
        entry = deps.knowledge.get(payload[3:])
        if entry is not None:
            match = Match(entry.id, entry.question, entry.answer, 0.0, 1.0, entry.intent)
            return SearchResult(answer=match, candidates=(match,))
    return deps.knowledge.search(text, language=language)


async def _tracking(adapter: Any, facts: ShopFacts) -> dict[str, tuple[TrackingEvent, ...]]:
    if facts.customer is None:
        return {}
    out: dict[str, tuple[TrackingEvent, ...]] = {}
    for order in [o for o in facts.orders if o.status in TRACKED][:TRACK_AT_MOST]:
        out[order.order_id] = tuple(
            await adapter.tracking(facts.customer.external_id, order.order_id)
        )
    return out


async def _queue_facts(session: AsyncSession, deps: TurnDeps, now: datetime) -> QueueFacts:
    """The human side as a newcomer to the queue would find it. Several queries: the caller
    asks only when the engine is about to hand off."""
    staffing = await routing.staffing(session)
    facts = await routing.facts_for_new_entry(session, staffing)
    policy = deps.shop.policy
    staffed = within_service_hours(policy, now)
    callback_at = None
    if not staffed:
        callback_at = next_service_opening(policy, now)
    elif staffing.agents_online == 0:
        callback_at = now.replace(microsecond=0) + timedelta(seconds=facts.eta_seconds)
    return replace(facts, staffed_now=staffed, callback_at=callback_at)


async def take_customer_turn(
    uow: UnitOfWork, deps: TurnDeps, conversation: Conversation, body: SendMessageIn
) -> TurnResult:
    """Store the customer's message, let the engine decide, carry out the decision."""
    settings = deps.settings
    text = body.text.strip()
    if not text and not body.payload:
        raise InvalidInput("text must not be empty: type a message (or send a quick reply payload)")
    if len(body.text) > settings.max_message_chars:
        raise InvalidInput(f"text is too long: at most {settings.max_message_chars} characters")
    session = uow.session
    if body.client_msg_id:
        previous = await find_turn(session, conversation, body.client_msg_id)
        if previous is not None:
            return previous

    if conversation.state == "resolved":
        # A new problem after a resolved one: the AI takes it from the start.
        conversation.assigned_agent_id = None
        conversation.rating = None
        conversation.rating_comment = None
        conversation.rated_at = None
        memory = EngineMemory.from_json(conversation.engine_state)
        conversation.engine_state = replace(EngineMemory(), sent_keys=memory.sent_keys).to_json()
        await change_state(uow, conversation, "bot", reason="customer_returned")

    analysis = deps.understanding.analyze(text or body.payload or "")
    message = await add_message(
        uow,
        conversation,
        author="customer",
        text=text or body.payload or "",
        payload=body.payload,
        client_msg_id=body.client_msg_id,
        meta={"analysis": analysis_meta(analysis)},
    )
    if conversation.state == "agent":
        # A person owns the conversation: no engine reply (rule 8), but the reading is kept
        # for the desk (masking, emotion), abuse is counted, and the decision is recorded.
        decision = decide(
            engine_view(conversation, None),
            Inbound(text, body.payload),
            TurnContext(
                queue=NO_QUEUE_FACTS,
                now=deps.clock.now(),
                analysis=analysis,
                rules=deps.shop.policy.engine,
            ),
        )
        await record(uow, conversation, message, decision, analysis)
        for warning in decision.replies:
            # The platform's civility notice, not the AI talking over the agent.
            await add_message(
                uow,
                conversation,
                author="system",
                text=warning.text,
                reply_to=message.id,
                meta={"key": warning.key, "rule": decision.rule},
            )
        if decision.escalate:
            conversation.flagged = True
            conversation.skill = "supervisor"
            await append_event(uow, conversation, "conversation.flagged", {"reason": "abuse"})
        return TurnResult(message, [], conversation, None)

    now = deps.clock.now()
    queue = await queue_of(session, conversation)
    adapter = deps.shop.adapter(session)
    shop_facts = await load_shop_facts(adapter, conversation.customer_external_id)
    ctx = TurnContext(
        # The queue only matters to a hand-off: decide without it, and again with it (the
        # engine is pure, so the second call differs only in what the queue changes).
        queue=NO_QUEUE_FACTS,
        now=now,
        rules=deps.shop.policy.engine,
        analysis=analysis,
        knowledge=_knowledge(deps, text, body.payload, analysis.language),
        shop=shop_facts,
        policy=deps.shop.policy,
        tracking=await _tracking(adapter, shop_facts),
    )
    view = engine_view(conversation, queue)
    inbound = Inbound(text=text, payload=body.payload)
    decision = decide(view, inbound, ctx)
    if conversation.state == "bot" and decision.action in ("hand_off", "act"):
        ctx = replace(ctx, queue=await _queue_facts(session, deps, now))
        if decision.action == "hand_off":
            decision = decide(view, inbound, ctx)
    if decision.action == "act" and decision.act is not None and shop_facts.customer is not None:
        outcome = await perform_action(
            session,
            adapter,
            deps.shop.policy,
            customer_id=shop_facts.customer.external_id,
            order_id=decision.act.order_id,
            request=decision.act.request,
            actor=Actor(kind="ai", id="tandem-ai"),
            now=now,
            conversation_id=conversation.id,
        )
        decision = after_action(view, inbound, ctx, decision, outcome.verdict, outcome.order)
        decision = replace(
            decision,
            details={
                **decision.details,
                "action_id": outcome.action_id,
                "performed": outcome.performed,
                "proposal_id": outcome.proposal_id,
            },
        )
    replies = await apply_decision(uow, conversation, message, decision, analysis, shop_facts)
    return TurnResult(message, replies, conversation, await queue_of(session, conversation))


async def record(
    uow: UnitOfWork,
    conversation: Conversation,
    message: Message,
    decision: EngineDecision,
    analysis: Analysis | None,
) -> None:
    """What the engine saw and why it decided (STYLE 9): shown in the desk, counted in analytics."""
    data: dict[str, Any] = {"language": decision.language, **decision.details}
    if decision.miss:
        data["miss"] = True
    if decision.kb_entry_id:
        data["kb_entry_id"] = decision.kb_entry_id
    if decision.ticket:
        data["ticket"] = True
    if analysis is not None:
        data["analysis"] = analysis_meta(analysis)
    uow.session.add(
        Decision(
            conversation_id=conversation.id,
            message_id=message.id,
            action=decision.action,
            rule=decision.rule,
            intent=decision.intent,
            confidence=decision.confidence,
            handoff_reason=decision.handoff_reason,
            data=data,
            created_at=utcnow(),
        )
    )
    if decision.memory is not None:
        conversation.engine_state = decision.memory.to_json()
    if decision.miss and message.author == "customer" and not message.payload:
        # A question the AI could not answer: the knowledge gaps report groups these.
        await record_miss(
            uow.session,
            text=message.text,
            language=decision.language,
            conversation_id=conversation.id,
        )


async def apply_decision(
    uow: UnitOfWork,
    conversation: Conversation,
    message: Message,
    decision: EngineDecision,
    analysis: Analysis | None,
    shop_facts: ShopFacts | None,
) -> list[Message]:
    await record(uow, conversation, message, decision, analysis)
    if decision.action == "hand_off":
        await hand_off(uow, conversation, decision, shop_facts)
    replies: list[Message] = []
    for reply in decision.replies:
        replies.append(
            await add_message(
                uow,
                conversation,
                author="bot",
                text=reply.text,
                quick_replies=[
                    {"label": q.label, "payload": q.payload} for q in reply.quick_replies
                ]
                or None,
                reply_to=message.id,
                meta={"key": reply.key, "rule": decision.rule},
            )
        )
    if decision.action == "hand_off":
        position, eta = await routing.queue_estimate(uow.session, conversation)
        await append_event(
            uow, conversation, "queue.updated", {"position": position, "eta_seconds": eta}
        )
        # After the customer has been told: a free agent with the skill takes it at once.
        await assign_waiting(uow, utcnow())
    return replies


async def hand_off(
    uow: UnitOfWork,
    conversation: Conversation,
    decision: EngineDecision,
    shop_facts: ShopFacts | None,
) -> None:
    """Queue the conversation for a person, with the packet the agent will read first."""
    session = uow.session
    conversation.priority = max(conversation.priority, decision.priority)
    conversation.queued_at = utcnow()
    conversation.handoff_reason = decision.handoff_reason
    conversation.skill = decision.skill
    conversation.callback_at = decision.callback_at
    if decision.handoff_reason == "abuse":
        conversation.flagged = True
    await session.flush()
    transcript = [
        (author, text, (meta or {}).get("analysis"))
        for author, text, meta in (
            await session.execute(
                select(Message.author, Message.text, Message.meta)
                .where(Message.conversation_id == conversation.id)
                .order_by(Message.seq)
            )
        ).all()
    ]
    decisions = [
        {"rule": rule, "intent": intent, "confidence": confidence}
        for rule, intent, confidence in (
            await session.execute(
                select(Decision.rule, Decision.intent, Decision.confidence)
                .where(Decision.conversation_id == conversation.id)
                .order_by(Decision.id)
            )
        ).all()
    ]
    entities: list[dict[str, Any]] = []
    for (meta,) in (
        await session.execute(
            select(Message.meta).where(
                Message.conversation_id == conversation.id, Message.author == "customer"
            )
        )
    ).all():
        for e in ((meta or {}).get("analysis") or {}).get("entities", []):
            if e not in entities:
                entities.append(e)
    memory = decision.memory or EngineMemory.from_json(conversation.engine_state)
    conversation.handoff_packet = build_packet(
        reason=decision.handoff_reason or "unknown",
        language=decision.language,
        transcript=transcript,
        decisions=decisions,
        memory=memory,
        shop=shop_facts,
        customer_name=conversation.customer_name,
        entities=entities,
        proposal=decision.proposal,
    ) | (
        {"ticket": True, "callback_at": decision.callback_at.isoformat()}
        if decision.ticket and decision.callback_at
        else {}
    )
    await change_state(
        uow, conversation, "queued", reason=decision.handoff_reason, ticket=decision.ticket
    )
