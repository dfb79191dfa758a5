"""Step four of a turn: carry out the engine's decision inside one transaction. The AI's
replies, the shop action, the hand-off (an explicit enqueue through routing, so the position
the customer is told is the one the queue has), the decision record, and the events staged
on the unit of work (published after commit)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from tandem.attachments.evidence import packet_attachments
from tandem.conversations.models import Conversation, Decision, Message
from tandem.conversations.service import add_message, append_event, change_state
from tandem.db.uow import UnitOfWork
from tandem.engine.memory import EngineMemory
from tandem.engine.packet import build_packet
from tandem.engine.replies import with_queue_place
from tandem.engine.types import Decision as EngineDecision
from tandem.engine.wording import DEFAULT_WORDING, Wording
from tandem.identity.models import Account
from tandem.knowledge.service import record_miss
from tandem.routing import assignment, wellbeing
from tandem.routing import service as routing
from tandem.shop.present import ShopFacts
from tandem.turns.facts import History, analysis_meta, history_before, tapped
from tandem.understanding import Analysis


async def record(
    uow: UnitOfWork,
    conversation: Conversation,
    message: Message,
    decision: EngineDecision,
    analysis: Analysis | None,
    now: datetime,
) -> None:
    """What the engine saw and why it decided (STYLE 9): shown in the desk, counted in analytics.

    The conversation takes the language the engine answered in: it changes only when the
    customer wrote a real sentence in another language (tandem.core.language)."""
    if decision.language in ("zh", "en"):
        conversation.language = decision.language
    # Strong feelings raise the conversation's priority now, so a hand-off later keeps it.
    conversation.priority = max(conversation.priority, decision.priority)
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
            created_at=now,
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
            now=now,
        )


async def send_replies(
    uow: UnitOfWork,
    conversation: Conversation,
    message: Message,
    decision: EngineDecision,
    expect_state: str | None = None,
) -> list[Message]:
    return [
        await add_message(
            uow,
            conversation,
            author="bot",
            text=reply.text,
            quick_replies=[{"label": q.label, "payload": q.payload} for q in reply.quick_replies]
            or None,
            reply_to=message.id,
            meta={"key": reply.key, "rule": decision.rule},
            expect_state=expect_state,
        )
        for reply in decision.replies
    ]


def answers_only(decision: EngineDecision) -> bool:
    """The decision only records itself and replies: no hand-off, shop action or escalation
    (what `answer` carries out)."""
    acts = decision.action == "act" and decision.act is not None
    return (
        bool(decision.replies)
        and decision.action != "hand_off"
        and not acts
        and not decision.escalate
    )


async def answer(
    uow: UnitOfWork,
    conversation: Conversation,
    message: Message,
    decision: EngineDecision,
    analysis: Analysis | None,
    now: datetime,
) -> list[Message]:
    """An `answers_only` decision applied to `conversation` as the turn last read it (from
    the message's own transaction, not read again): the record and the replies, the
    conversation's changes (memory, language, priority) written by the first reply's
    numbering, which holds only while the conversation is still in the state it was decided
    for (StateMoved otherwise: roll back and re-read)."""
    await record(uow, conversation, message, decision, analysis, now)
    return await send_replies(uow, conversation, message, decision, conversation.state)


async def apply_decision(
    uow: UnitOfWork,
    conversation: Conversation,
    message: Message,
    decision: EngineDecision,
    analysis: Analysis | None,
    shop_facts: ShopFacts | None,
    now: datetime,
    wording: Wording = DEFAULT_WORDING,
) -> tuple[list[Message], tuple[int, int] | None]:
    """Record, hand off, reply. Returns the replies and, after a hand-off, the conversation's
    (position, wait) in the queue as the queue now has it."""
    if decision.action != "hand_off":
        await record(uow, conversation, message, decision, analysis, now)
        await escalate(uow, conversation, decision)
        return await send_replies(uow, conversation, message, decision), None
    # Read before this turn's decision is recorded: only rows older than this turn.
    history = await history_before(uow.session, conversation.id, message.seq)
    await hand_off(uow, conversation, message, decision, analysis, shop_facts, history, now)
    # The queue as it is now, read once: the customer's place and, passed on, the round's.
    snap = await routing.snapshot(uow.session, now, extra=[conversation])
    position, eta = routing.estimate_in(snap, conversation)
    if not decision.ticket:
        # Enqueued: the customer is told the place the queue gave it, not the estimate the
        # engine decided with.
        decision = replace(
            decision,
            replies=with_queue_place(decision.replies, decision.language, position, eta, wording),
            details={**decision.details, "position": position, "eta_seconds": eta},
        )
    await record(uow, conversation, message, decision, analysis, now)
    replies = await send_replies(uow, conversation, message, decision)
    await append_event(
        uow, conversation, "queue.updated", {"position": position, "eta_seconds": eta}
    )
    await assignment.mark_announced(uow, conversation.id, position, eta)
    # After the customer has been told: a free agent with the skill takes it at once.
    await assignment.assign_waiting(uow, now, snap.told_now(conversation.id, position, eta))
    queue = (position, eta) if conversation.state == "queued" else None
    return replies, queue


async def hand_off(
    uow: UnitOfWork,
    conversation: Conversation,
    message: Message,
    decision: EngineDecision,
    analysis: Analysis | None,
    shop_facts: ShopFacts | None,
    history: History,
    now: datetime,
) -> None:
    """Queue the conversation for a person, with the packet the agent will read first."""
    conversation.priority = max(conversation.priority, decision.priority)
    conversation.queued_at = now
    conversation.handoff_reason = decision.handoff_reason
    conversation.skill = decision.skill
    conversation.callback_at = decision.callback_at
    if decision.handoff_reason == "abuse":
        conversation.flagged = True
    current = analysis_meta(analysis) if analysis is not None else {}
    analyses = [*history.analyses, current]
    entities: list[dict[str, Any]] = []
    for a in analyses:
        for e in a.get("entities", []):
            if e not in entities:
                entities.append(e)
    memory = decision.memory or EngineMemory.from_json(conversation.engine_state)
    conversation.handoff_packet = (
        build_packet(
            reason=decision.handoff_reason or "unknown",
            language=decision.language,
            transcript=[
                *history.transcript,
                (
                    message.author,
                    message.text,
                    tapped((message.meta or {}).get("analysis"), message.payload),
                ),
            ],
            decisions=[
                *history.decisions,
                {
                    "rule": decision.rule,
                    "intent": decision.intent,
                    "confidence": decision.confidence,
                },
            ],
            memory=memory,
            shop=shop_facts,
            customer_name=conversation.customer_name,
            entities=entities,
            proposal=decision.proposal,
        )
        | (
            {"ticket": True, "callback_at": decision.callback_at.isoformat()}
            if decision.ticket and decision.callback_at
            else {}
        )
        | await packet_attachments(uow.session, conversation.id)
    )
    await change_state(
        uow, conversation, "queued", reason=decision.handoff_reason, ticket=decision.ticket
    )
    hostile = any(routing.is_hostile_analysis(a) for a in analyses)
    entry = await routing.new_entry(uow.session, conversation, now, hostile=hostile)
    await assignment.enqueue(uow, conversation, now, entry)


async def answer_in_agent_hands(
    uow: UnitOfWork,
    conversation: Conversation,
    message: Message,
    decision: EngineDecision,
    analysis: Analysis,
    now: datetime,
) -> None:
    """A person owns the conversation: no engine reply (rule 8), but the reading is kept for
    the desk (masking, emotion), abuse is counted, and the decision is recorded."""
    await record(uow, conversation, message, decision, analysis, now)
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
    await escalate(uow, conversation, decision)


async def escalate(uow: UnitOfWork, conversation: Conversation, decision: EngineDecision) -> None:
    """Abuse over the limit with a person already owning or awaited: flag the conversation
    and give it to the supervisors (once)."""
    if not decision.escalate or conversation.flagged:
        return
    conversation.flagged = True
    conversation.skill = "supervisor"
    await append_event(uow, conversation, "conversation.flagged", {"reason": "abuse"})
    owner_id = conversation.assigned_agent_id
    owner = await uow.session.get(Account, owner_id) if owner_id else None
    move = wellbeing.flagged_move(conversation.state, owner.role if owner else None)
    if owner_id and move == wellbeing.MOVE_TO_SUPERVISORS:
        now = uow.now()
        await assignment.record_hostile(uow, owner_id, conversation.id, wellbeing.KIND_ABUSIVE, now)
        await assignment.requeue(
            uow,
            conversation,
            now,
            from_agent_id=owner_id,
            reason="flagged_abuse",
            skill="supervisor",
        )
        await assignment.assign_waiting(uow, now)


def with_outcome(decision: EngineDecision, details: dict[str, Any]) -> EngineDecision:
    return replace(decision, details={**decision.details, **details})
