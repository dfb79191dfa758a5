"""Desk use cases: what an agent sees and does with a conversation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.conversations import service as conversations
from tandem.conversations.models import Conversation, Decision, Message
from tandem.core.clock import utcnow
from tandem.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tandem.db.uow import UnitOfWork
from tandem.identity.models import Account
from tandem.identity.service import Principal
from tandem.routing import service as routing

SYSTEM_TEXT = {
    "accepted": {
        "zh": "客服 {name} 已接入，正在查看您之前的对话。",
        "en": "{name} from our team has joined and is reading your conversation.",
    },
    "transferred": {"zh": "已为您转接给客服 {name}。", "en": "You've been transferred to {name}."},
    "requeued": {
        "zh": "正在为您转接其他客服，请稍候。",
        "en": "We're passing you to another agent, one moment.",
    },
    "resolved": {
        "zh": "本次服务已结束，请为我们的服务打分。",
        "en": "This conversation is closed. Please rate our service.",
    },
    "back_to_ai": {
        "zh": "客服已将对话交回智能助手，有需要随时说“人工”。",
        "en": 'The agent handed you back to the AI assistant; say "human" any time.',
    },
}


def _system_text(kind: str, language: str, **facts: str) -> str:
    texts = SYSTEM_TEXT[kind]
    return texts.get(language, texts["zh"]).format(**facts)


async def active_load(session: AsyncSession, agent_id: str) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Conversation)
            .where(Conversation.assigned_agent_id == agent_id, Conversation.state == "agent")
        )
        or 0
    )


async def summary(session: AsyncSession, c: Conversation) -> dict[str, Any]:
    last = await session.scalar(
        select(Message.text)
        .where(Message.conversation_id == c.id)
        .order_by(Message.seq.desc())
        .limit(1)
    )
    agent_name = None
    if c.assigned_agent_id:
        agent = await session.get(Account, c.assigned_agent_id)
        agent_name = agent.display_name if agent else None
    position = eta = None
    if c.state == "queued":
        position, eta = await routing.queue_estimate(session, c)
    return {
        "id": c.id,
        "state": c.state,
        "customer_name": c.customer_name,
        "customer_external_id": c.customer_external_id,
        "language": c.language,
        "priority": c.priority,
        "handoff_reason": c.handoff_reason,
        "queued_at": c.queued_at,
        "assigned_agent_id": c.assigned_agent_id,
        "assigned_agent_name": agent_name,
        "position": position,
        "eta_seconds": eta,
        "last_message": last,
        "updated_at": c.updated_at,
        "rating": c.rating,
        "skill": c.skill,
        "flagged": c.flagged,
        "callback_at": c.callback_at,
        "handoff_packet": c.handoff_packet,
    }


async def queue(session: AsyncSession) -> list[dict[str, Any]]:
    return [await summary(session, c) for c in await routing.queued_conversations(session)]


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
        "messages": [conversations.message_dict(m) for m in messages],
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


async def accept(uow: UnitOfWork, agent: Principal, conversation_id: str) -> Conversation:
    session = uow.session
    c = await conversations.require_conversation(session, conversation_id)
    if c.state == "agent" and c.assigned_agent_id == agent.id:
        return c
    if c.state != "queued":
        raise Conflict(
            "this conversation is no longer waiting"
            + (": a colleague has already accepted it" if c.state == "agent" else "")
        )
    account = await session.get(Account, agent.id)
    assert account is not None
    if await active_load(session, agent.id) >= account.max_concurrent:
        raise Conflict(
            f"you already have {account.max_concurrent} conversations open (your limit): resolve or transfer one first"
        )
    await _assign(uow, c, account, kind="accepted")
    await conversations.announce_queue(uow)
    return c


async def _assign(uow: UnitOfWork, c: Conversation, account: Account, *, kind: str) -> None:
    c.assigned_agent_id = account.id
    c.assigned_at = utcnow()
    await conversations.change_state(
        uow, c, "agent", agent_id=account.id, agent_name=account.display_name
    )
    await conversations.add_message(
        uow,
        c,
        author="system",
        text=_system_text(kind, c.language, name=account.display_name),
        meta={"event": kind},
    )


async def require_owned(
    session: AsyncSession, agent: Principal, conversation_id: str
) -> Conversation:
    c = await conversations.require_conversation(session, conversation_id)
    # The owner acts on their conversation; a supervisor may step into any live one.
    owned = c.state == "agent" and c.assigned_agent_id == agent.id
    if not owned and not (agent.is_supervisor and c.state == "agent"):
        raise Forbidden("accept this conversation before acting on it")
    return c


async def reply(
    uow: UnitOfWork, agent: Principal, conversation_id: str, text: str, client_msg_id: str | None
) -> Message:
    session = uow.session
    c = await require_owned(session, agent, conversation_id)
    if not text.strip():
        raise InvalidInput("text must not be empty")
    if client_msg_id:
        existing = await session.scalar(
            select(Message).where(
                Message.conversation_id == c.id, Message.client_msg_id == client_msg_id
            )
        )
        if existing is not None:
            return existing
    return await conversations.add_message(
        uow,
        c,
        author="agent",
        text=text.strip(),
        agent_id=agent.id,
        client_msg_id=client_msg_id,
        meta={"agent_name": agent.display_name},
    )


async def transfer(
    uow: UnitOfWork, agent: Principal, conversation_id: str, to_agent_id: str | None
) -> Conversation:
    session = uow.session
    c = await require_owned(session, agent, conversation_id)
    if to_agent_id is None:
        c.assigned_agent_id = None
        c.assigned_at = None
        # Back at the front: it has waited once already.
        c.priority = max(c.priority, 100)
        c.queued_at = c.queued_at or utcnow()
        await conversations.change_state(uow, c, "queued", reason="transferred_to_queue")
        await conversations.add_message(
            uow,
            c,
            author="system",
            text=_system_text("requeued", c.language),
            meta={"event": "requeued"},
        )
        await conversations.announce_queue(uow)
        return c
    target = await session.get(Account, to_agent_id)
    if target is None:
        raise NotFound(f"no agent {to_agent_id}")
    if target.id == agent.id:
        raise InvalidInput("you already own this conversation")
    if target.presence != "online":
        raise Conflict(
            f"{target.display_name} is {target.presence}: choose an online colleague or the queue"
        )
    await _assign(uow, c, target, kind="transferred")
    return c


async def resolve(uow: UnitOfWork, agent: Principal, conversation_id: str) -> Conversation:
    c = await require_owned(uow.session, agent, conversation_id)
    c.resolved_at = utcnow()
    c.resolved_by = agent.id
    await conversations.change_state(uow, c, "resolved", resolved_by=agent.id)
    await conversations.add_message(
        uow,
        c,
        author="system",
        text=_system_text("resolved", c.language),
        meta={"event": "rating_requested"},
    )
    await conversations.append_event(uow, c, "conversation.rating_requested", {})
    return c


async def hand_back(uow: UnitOfWork, agent: Principal, conversation_id: str) -> Conversation:
    c = await require_owned(uow.session, agent, conversation_id)
    c.assigned_agent_id = None
    await conversations.change_state(uow, c, "bot", reason="handed_back")
    await conversations.add_message(
        uow,
        c,
        author="system",
        text=_system_text("back_to_ai", c.language),
        meta={"event": "back_to_ai"},
    )
    return c


async def agents(session: AsyncSession) -> list[dict[str, Any]]:
    rows = (await session.scalars(select(Account).order_by(Account.display_name))).all()
    return [
        {
            "id": a.id,
            "username": a.username,
            "display_name": a.display_name,
            "role": a.role,
            "presence": a.presence,
            "active_conversations": await active_load(session, a.id),
            "max_concurrent": a.max_concurrent,
            "skills": list(a.skills or []),
        }
        for a in rows
    ]
