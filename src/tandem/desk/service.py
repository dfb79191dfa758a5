"""Desk use cases: what an agent sees and does with a conversation.

Every change that can move the queue (claim, transfer, escalate, resolve, hand back, presence)
ends with an assignment round (`routing.assignment.assign_waiting`), so a freed slot or a new
agent is used at once. Customer messages come out masked where they are abusive
(`desk.masking`); revealing one is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.conversations import service as conversations
from tandem.conversations.models import Conversation, Decision, Message
from tandem.core.errors import Conflict, InvalidInput, NotFound
from tandem.db.uow import UnitOfWork
from tandem.desk import authz, masking, workbench
from tandem.desk.models import Reveal
from tandem.desk.relay import DESK_ID_PREFIX, touch
from tandem.engine.handoff import wants_human
from tandem.engine.packet import emotion_view
from tandem.identity import audit
from tandem.identity.models import Account
from tandem.identity.service import Principal
from tandem.knowledge.index import KnowledgeIndex
from tandem.knowledge.service import learn_from_resolution
from tandem.routing import assignment, policy
from tandem.routing import service as routing
from tandem.routing.models import AgentStatus

SYSTEM_TEXT = {
    "resolved": {
        "zh": "本次服务已结束，请为我们的服务打分。",
        "en": "This conversation is closed. Please rate our service.",
    },
    "back_to_ai": {
        "zh": "客服已将对话交回智能助手，有需要随时说“人工”。",
        "en": 'The agent handed you back to the AI assistant; say "human" any time.',
    },
    "escalated": {
        "zh": "已请主管来协助处理您的问题，请稍候。",
        "en": "A supervisor is joining to help with your case, one moment.",
    },
}
TRANSFER_SKILLS = (*policy.KNOWN_SKILLS, routing.SUPERVISOR_SKILL)


def _system_text(kind: str, language: str, **facts: str) -> str:
    texts = SYSTEM_TEXT[kind]
    return texts.get(language, texts["zh"]).format(**facts)


async def active_load(session: AsyncSession, agent_id: str) -> int:
    return await routing.active_load(session, agent_id)


# --- what the desk shows ------------------------------------------------------------------------


def desk_message(m: Message, language: str) -> dict[str, Any]:
    """A message as the desk shows it: abusive customer words masked, the kinds named."""
    out = conversations.message_dict(m)
    if m.author == "agent" and (m.client_msg_id or "").startswith(DESK_ID_PREFIX):
        out["client_msg_id"] = (m.client_msg_id or "")[len(DESK_ID_PREFIX) :]
    analysis = (m.meta or {}).get("analysis") if m.author == "customer" else None
    pieces = masking.segments(m.text, analysis)
    out["masked"] = pieces is not None
    out["segments"] = pieces
    out["abuse_kinds"] = list(((analysis or {}).get("abuse") or {}).get("kinds") or [])
    if pieces is not None:
        out["text"] = masking.masked_text(pieces, language)
    emotion = (analysis or {}).get("emotion") or {}
    out["emotion"] = emotion.get("label") if emotion.get("label") != "neutral" else None
    return out


def desk_view_in(language: str) -> Callable[[Message], dict[str, Any]]:
    """`desk_message` for a conversation in `language`, as `add_message` takes it: the desk's
    masked copy of a customer message is built once, where it is stored, not by every desk."""
    return lambda m: desk_message(m, language)


async def current_emotion(
    session: AsyncSession, c: Conversation, language: str | None = None
) -> dict[str, Any] | None:
    """How the customer feels now, as the desk states it (`engine.packet.emotion_view` over the
    readings of their last three messages, a tapped quick reply not being their words): an
    insult after the hand-off shows 愤怒 on the board even though the packet, written at the
    hand-off, said 平静. In `language` (default: the conversation's). The packet's, when no
    message of theirs carries a reading."""
    metas = (
        await session.scalars(
            select(Message.meta)
            .where(
                Message.conversation_id == c.id,
                Message.author == "customer",
                Message.payload.is_(None),
            )
            .order_by(Message.seq.desc())
            .limit(3)
        )
    ).all()
    readings = []
    for meta in reversed(metas):
        emotion = ((meta or {}).get("analysis") or {}).get("emotion") or {}
        if emotion.get("label"):
            readings.append((str(emotion["label"]), float(emotion.get("intensity") or 0.0)))
    if readings:
        return dict(emotion_view(readings, language or c.language))
    packet = c.handoff_packet or {}
    shown = packet.get("emotion")
    return dict(shown) if isinstance(shown, dict) else None


async def summary(
    session: AsyncSession, c: Conversation, waits: dict[str, tuple[int, int]] | None = None
) -> dict[str, Any]:
    last = await session.scalar(
        select(Message).where(Message.conversation_id == c.id).order_by(Message.seq.desc()).limit(1)
    )
    agent_name = None
    if c.assigned_agent_id:
        agent = await session.get(Account, c.assigned_agent_id)
        agent_name = agent.display_name if agent else None
    position = eta = None
    if c.state == "queued":
        if waits is not None and c.id in waits:
            position, eta = waits[c.id]
        else:
            position, eta = await routing.queue_estimate(session, c)
    packet = c.handoff_packet or {}
    who = packet.get("customer") or {}
    last_customer_at = await session.scalar(
        select(Message.created_at)
        .where(Message.conversation_id == c.id, Message.author == "customer")
        .order_by(Message.seq.desc())
        .limit(1)
    )
    waited = (
        round((c.assigned_at - c.queued_at).total_seconds())
        if c.assigned_at is not None and c.queued_at is not None and c.assigned_at >= c.queued_at
        else None
    )
    return {
        "id": c.id,
        "state": c.state,
        "customer_name": c.customer_name or who.get("name"),
        "customer_tier": who.get("tier"),
        "last_customer_at": last_customer_at,
        "assigned_at": c.assigned_at,
        "waited_seconds": waited,
        "emotion": await current_emotion(session, c),
        "tags": await workbench.tags(session, c.id),
        "customer_external_id": c.customer_external_id,
        "language": c.language,
        "priority": c.priority,
        "handoff_reason": c.handoff_reason,
        "queued_at": c.queued_at,
        "assigned_agent_id": c.assigned_agent_id,
        "assigned_agent_name": agent_name,
        "position": position,
        "eta_seconds": eta,
        "last_message": desk_message(last, c.language)["text"] if last is not None else None,
        "updated_at": c.updated_at,
        "rating": c.rating,
        "skill": c.skill,
        "flagged": c.flagged,
        "callback_at": c.callback_at,
        "handoff_packet": c.handoff_packet,
    }


async def queue_waits(session: AsyncSession, now: datetime) -> dict[str, tuple[int, int]]:
    """Position and wait of every waiting conversation, in one estimate pass."""
    snap = await routing.snapshot(session, now)
    return {
        cid: (position, routing.shown_wait(position, eta, snap))
        for cid, (position, eta) in routing.estimates(snap).items()
    }


async def queue(session: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    waits = await queue_waits(session, now)
    return [await summary(session, c, waits) for c in await routing.queued_conversations(session)]


async def my_conversations(session: AsyncSession, agent: Principal) -> list[dict[str, Any]]:
    rows = (
        await session.scalars(
            select(Conversation)
            .where(Conversation.assigned_agent_id == agent.id, Conversation.state == "agent")
            .order_by(Conversation.updated_at.desc())
        )
    ).all()
    return [await summary(session, c) for c in rows]


async def detail(session: AsyncSession, conversation_id: str) -> dict[str, Any]:
    c = await conversations.require_conversation(session, conversation_id)
    messages = (
        await session.scalars(
            select(Message).where(Message.conversation_id == c.id).order_by(Message.seq)
        )
    ).all()
    decisions = (
        await session.scalars(
            select(Decision).where(Decision.conversation_id == c.id).order_by(Decision.id)
        )
    ).all()
    return {
        "conversation": await summary(session, c),
        "notes": await workbench.notes(session, c.id),
        "history": await workbench.customer_history(session, c),
        "messages": [desk_message(m, c.language) for m in messages],
        "decisions": [
            {
                "message_id": d.message_id,
                "action": d.action,
                "rule": d.rule,
                "intent": d.intent,
                "confidence": d.confidence,
                "handoff_reason": d.handoff_reason,
                "data": d.data,
                "created_at": d.created_at.isoformat(),
            }
            for d in decisions
        ],
    }


async def reveal(
    uow: UnitOfWork, agent: Principal, conversation_id: str, message_id: str, now: datetime
) -> dict[str, Any]:
    """The original text of one masked message, for this agent; the reveal is recorded."""
    session = uow.session
    await authz.require_reveal(session, agent, conversation_id)
    m = await session.get(Message, message_id)
    if m is None or m.conversation_id != conversation_id:
        raise NotFound(f"no message {message_id} in conversation {conversation_id}")
    session.add(Reveal(message_id=m.id, conversation_id=conversation_id, agent_id=agent.id, at=now))
    await audit.record(
        uow,
        actor=agent,
        action="reveal",
        at=now,
        target=m.id,
        details={"conversation": m.conversation_id},
    )
    await touch(session, agent.id, now)
    return {"message_id": m.id, "text": m.text, "revealed_by": agent.id, "at": now}


async def reveals(session: AsyncSession, conversation_id: str) -> list[dict[str, Any]]:
    rows = (
        await session.scalars(
            select(Reveal).where(Reveal.conversation_id == conversation_id).order_by(Reveal.id)
        )
    ).all()
    return [
        {"message_id": r.message_id, "agent_id": r.agent_id, "at": r.at.isoformat()} for r in rows
    ]


# --- acting on a conversation ------------------------------------------------------------------


async def require_account(session: AsyncSession, agent_id: str) -> Account:
    account = await session.get(Account, agent_id)
    if account is None:
        raise NotFound(f"no agent {agent_id}")
    return account


async def _check_can_take(session: AsyncSession, account: Account, now: datetime) -> None:
    status = await session.get(AgentStatus, account.id)
    on_break = status is not None and status.break_until is not None and status.break_until > now
    if account.presence != policy.PRESENCE_ONLINE or on_break:
        shown = "break" if on_break else account.presence
        raise Conflict(
            f"{account.display_name} is {shown}: choose an online colleague, a skill or the queue"
        )
    if await active_load(session, account.id) >= account.max_concurrent:
        raise Conflict(
            f"{account.display_name} already has {account.max_concurrent} conversations open "
            "(their limit): resolve or transfer one first, or choose a colleague with room"
        )


async def accept(
    uow: UnitOfWork, agent: Principal, conversation_id: str, now: datetime
) -> Conversation:
    """Claim a waiting conversation (assignment is automatic; this takes one by hand)."""
    session = uow.session
    c = await conversations.require_conversation(session, conversation_id)
    if c.state == "agent" and c.assigned_agent_id == agent.id:
        return c
    if c.state != "queued":
        raise Conflict(
            "this conversation is no longer waiting"
            + (": a colleague has already taken it" if c.state == "agent" else "")
        )
    account = await assignment.lock_agent(uow, agent.id)
    if account is None:
        raise NotFound(f"no agent {agent.id}")
    authz.require_can_claim(account, c)
    if not await assignment.has_room(uow, account):
        raise Conflict(
            f"您已同时接待 {account.max_concurrent} 个会话（上限）：请先结束或转出一个。"
            f" / You already have {account.max_concurrent} conversations open (your limit): "
            "resolve or transfer one first"
        )
    if not await assignment.take_from_queue(uow, c):
        raise Conflict("this conversation is no longer waiting: a colleague has already taken it")
    await assignment.assign(uow, c, account, now, kind="accepted", outcome="claimed")
    await touch(session, agent.id, now)
    await assignment.assign_waiting(uow, now)
    return c


async def transfer(
    uow: UnitOfWork,
    agent: Principal,
    conversation_id: str,
    now: datetime,
    *,
    to_agent_id: str | None = None,
    to_skill: str | None = None,
    note: str | None = None,
) -> Conversation:
    """To a colleague (now, if they can take it), to a skill's queue, or back to the front of
    the queue (neither given). Never straight back to the agent who passed it on."""
    session = uow.session
    c = await authz.require_owned(session, agent, conversation_id)
    await touch(session, agent.id, now)
    if note and note.strip():
        # For the colleague who picks it up; never shown to the customer.
        await workbench.add_note(uow, agent, c.id, note, now, kind="transfer")
    if c.assigned_agent_id and c.assigned_agent_id != agent.id:
        await audit.record(
            uow,
            actor=agent,
            action="supervisor_reassign",
            at=now,
            target=c.id,
            details={"from": c.assigned_agent_id, "to": to_agent_id, "skill": to_skill},
        )
    if to_agent_id is not None:
        target = await require_account(session, to_agent_id)
        if target.id == c.assigned_agent_id:
            raise InvalidInput("this agent already has this conversation")
        locked = await assignment.lock_agent(uow, target.id)
        assert locked is not None
        await _check_can_take(session, locked, now)
        await assignment.assign(uow, c, target, now, kind="transferred", outcome="transferred")
    else:
        if to_skill is not None and to_skill not in TRANSFER_SKILLS:
            raise InvalidInput(f"skill must be one of {', '.join(TRANSFER_SKILLS)}")
        await assignment.requeue(
            uow,
            c,
            now,
            from_agent_id=c.assigned_agent_id,
            reason="transferred_to_skill" if to_skill else "transferred_to_queue",
            skill=to_skill,
        )
    await assignment.assign_waiting(uow, now)
    return c


async def escalate(
    uow: UnitOfWork, agent: Principal, conversation_id: str, now: datetime, note: str | None
) -> Conversation:
    """To a supervisor: the conversation goes to the front of the supervisors' queue."""
    session = uow.session
    c = await authz.require_owned(session, agent, conversation_id)
    await touch(session, agent.id, now)
    await assignment.requeue(
        uow,
        c,
        now,
        from_agent_id=c.assigned_agent_id,
        reason="escalated",
        skill=routing.SUPERVISOR_SKILL,
    )
    await conversations.add_message(
        uow,
        c,
        author="system",
        text=_system_text("escalated", c.language),
        meta={"event": "escalated", "by": agent.id, "note": (note or "").strip() or None},
    )
    await assignment.assign_waiting(uow, now)
    return c


async def _learn(session: AsyncSession, index: KnowledgeIndex, c: Conversation) -> None:
    """A person solved what the AI handed over: offer the Q&A to the knowledge review."""
    rows = (
        await session.execute(
            select(Message.author, Message.text)
            .where(Message.conversation_id == c.id, Message.author.in_(("customer", "agent")))
            .order_by(Message.seq)
        )
    ).all()
    await learn_from_resolution(
        session,
        index,
        conversation_id=c.id,
        customer_questions=[t for a, t in rows if a == "customer"],
        agent_answers=[t for a, t in rows if a == "agent"],
        language=c.language,
        asks_for_person=wants_human,
    )


async def resolve(
    uow: UnitOfWork,
    agent: Principal,
    conversation_id: str,
    now: datetime,
    index: KnowledgeIndex | None = None,
) -> Conversation:
    """Close the conversation: hostile load counted, the customer asked for a rating, the
    knowledge review offered the human's answer (`index` given, the AI had handed it over)."""
    session = uow.session
    c = await authz.require_owned(session, agent, conversation_id)
    if index is not None and c.handoff_reason is not None:
        await _learn(session, index, c)
    owner = c.assigned_agent_id or agent.id
    if owner != agent.id:
        await audit.record(
            uow,
            actor=agent,
            action="supervisor_close",
            at=now,
            target=c.id,
            details={"owner": owner},
        )
    # Hostility that started after the agent joined counts towards their exposure too.
    kind = await routing.hostile_kind(session, c.id, since=c.assigned_at)
    if kind is not None:
        await assignment.record_hostile(uow, owner, c.id, kind, now)
    c.resolved_at = now
    c.resolved_by = agent.id
    await touch(session, agent.id, now)
    await conversations.change_state(uow, c, "resolved", resolved_by=agent.id)
    await conversations.add_message(
        uow,
        c,
        author="system",
        text=_system_text("resolved", c.language),
        meta={"event": "rating_requested"},
    )
    await conversations.append_event(uow, c, "conversation.rating_requested", {})
    await assignment.assign_waiting(uow, now)
    return c


async def hand_back(
    uow: UnitOfWork, agent: Principal, conversation_id: str, now: datetime
) -> Conversation:
    c = await authz.require_owned(uow.session, agent, conversation_id)
    c.assigned_agent_id = None
    await touch(uow.session, agent.id, now)
    await conversations.change_state(uow, c, "bot", reason="handed_back")
    await conversations.add_message(
        uow,
        c,
        author="system",
        text=_system_text("back_to_ai", c.language),
        meta={"event": "back_to_ai"},
    )
    await assignment.assign_waiting(uow, now)
    return c
