"""What the customer widget needs beyond messages (issue 12, class 11): the welcome (shop
name, FAQ shortcuts, time zone), leaving the queue, ending the chat (so an AI-only chat can
be rated too) and typing hints.

Typing hints are ephemeral: published on the conversation's topic without a sequence number,
never stored, never replayed (a reconnecting client has no use for old typing).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import select

from tandem.conversations import service
from tandem.conversations.models import Conversation, Decision
from tandem.core import events as ev
from tandem.core.errors import Conflict
from tandem.db.uow import UnitOfWork
from tandem.deps import AgentDep, BearerDep, ServicesDep
from tandem.engine.handoff import PAYLOAD as HANDOFF_PAYLOAD
from tandem.realtime.hub import conversation_topic
from tandem.routing.assignment import announce_waits, assign_waiting, sync_queue
from tandem.services import Services

router = APIRouter(tags=["customer"])

FAQ_SHORTCUTS = 4
# How many recent decisions say which entries customers ask about most.
RECENT_DECISIONS = 2000

GREETING = {
    "zh": "您好，欢迎光临{shop}！我是智能客服，订单、物流、退换货都可以问我。也可以直接点下面的常见问题。",
    "en": "Hello and welcome to {shop}! I am the AI assistant: ask me about orders, delivery, "
    "returns and refunds, or tap a common question below.",
}
LEFT_QUEUE = {
    "zh": "您已取消排队，智能客服继续为您服务。需要人工时随时点“转人工”。",
    "en": "You left the queue; the AI assistant is here for you. Tap “Talk to a person” any time.",
}
CLOSED = {
    "zh": "您已结束本次会话，感谢您的咨询！请为本次服务评分。",
    "en": "You ended the chat. Thank you! Please rate the service.",
}


class ShortcutOut(BaseModel):
    label: str
    payload: str


class WelcomeOut(BaseModel):
    shop_name: str
    greeting: str
    timezone: str
    max_message_chars: int
    faq: list[ShortcutOut]
    human: ShortcutOut


class StateOut(BaseModel):
    state: str


class TypingIn(BaseModel):
    active: bool = True


async def announce_typing(
    services: Services,
    conversation_id: str,
    author: str,
    active: bool = True,
    name: str | None = None,
) -> None:
    await services.hub.publish(
        conversation_topic(conversation_id),
        ev.typing(conversation_id, author, active, services.clock.now(), name),
    )


async def _top_entries(services: Services, language: str) -> list[ShortcutOut]:
    """The entries the AI answers with most often (recent decisions), then the shop's own
    order; only entries whose answer needs no order facts (no `{slot}` to fill)."""
    entries = [
        e for e in services.knowledge.entries() if e.language == language and "{" not in e.answer
    ]
    async with services.sessions() as session:
        rows = await session.scalars(
            select(Decision.data).order_by(Decision.id.desc()).limit(RECENT_DECISIONS)
        )
        used = Counter(d.get("kb_entry_id") for d in rows if d and d.get("kb_entry_id"))
    order = {e.id: n for n, e in enumerate(entries)}
    entries.sort(key=lambda e: (-used.get(e.id, 0), order[e.id]))
    return [ShortcutOut(label=e.question, payload=f"kb:{e.id}") for e in entries[:FAQ_SHORTCUTS]]


@router.get("/api/v1/widget/welcome", response_model=WelcomeOut)
async def welcome(
    services: ServicesDep, lang: Annotated[Literal["zh", "en"], Query()] = "zh"
) -> WelcomeOut:
    """The widget's first screen: who the shop is, common questions, a person on request."""
    settings = services.settings
    return WelcomeOut(
        shop_name=settings.shop_name,
        greeting=GREETING[lang].format(shop=settings.shop_name),
        timezone=services.shop.policy.service_hours.timezone,
        max_message_chars=settings.max_message_chars,
        faq=await _top_entries(services, lang),
        human=ShortcutOut(
            label="转人工客服" if lang == "zh" else "Talk to a person", payload=HANDOFF_PAYLOAD
        ),
    )


def _lang(c: Conversation) -> str:
    return "en" if c.language == "en" else "zh"


@router.post("/api/v1/conversations/{conversation_id}/leave-queue", response_model=StateOut)
async def leave_queue(conversation_id: str, services: ServicesDep, token: BearerDep) -> StateOut:
    """Cancel the queue ticket: back to the AI, the place given up (others move up)."""
    async with services.unit_of_work() as uow:
        c = await service.require_customer_conversation(uow.session, conversation_id, token)
        if c.state != "queued":
            raise Conflict(
                "您当前没有在排队。" if _lang(c) == "zh" else "You are not waiting in the queue."
            )
        now = services.clock.now()
        await _leave(uow, c, "customer_left_queue", now)
        await service.add_message(
            uow, c, author="system", text=LEFT_QUEUE[_lang(c)], meta={"event": "left_queue"}
        )
        await announce_waits(uow, now)
    return StateOut(state="bot")


async def _leave(uow: UnitOfWork, c: Conversation, reason: str, now: datetime) -> None:
    c.callback_at = None
    await service.change_state(uow, c, "bot", reason=reason)
    await sync_queue(uow, now)


@router.post("/api/v1/conversations/{conversation_id}/close", response_model=StateOut)
async def close(conversation_id: str, services: ServicesDep, token: BearerDep) -> StateOut:
    """The customer ends the chat with the AI (or while waiting): resolved, and asked for a
    rating, as after a chat with a person. With a person, the person closes it."""
    async with services.unit_of_work() as uow:
        c = await service.require_customer_conversation(uow.session, conversation_id, token)
        if c.state == "agent":
            raise Conflict(
                "人工客服正在为您服务，结束前请告诉客服，由客服为您结束会话。"
                if _lang(c) == "zh"
                else "A person is helping you: tell them you are done and they will close the chat."
            )
        if c.state == "resolved":
            raise Conflict(
                "会话已经结束了。" if _lang(c) == "zh" else "The chat has already ended."
            )
        was_queued = c.state == "queued"
        now = services.clock.now()
        if was_queued:
            await _leave(uow, c, "customer_closed", now)
        c.resolved_at = now
        c.resolved_by = "customer"
        await service.change_state(uow, c, "resolved", resolved_by="customer")
        await service.add_message(
            uow, c, author="system", text=CLOSED[_lang(c)], meta={"event": "rating_requested"}
        )
        await service.append_event(uow, c, "conversation.rating_requested", {})
        if was_queued:
            await announce_waits(uow, now)
            await assign_waiting(uow, now)
    return StateOut(state="resolved")


@router.post("/api/v1/desk/conversations/{conversation_id}/typing", status_code=204)
async def agent_typing(
    conversation_id: str, body: TypingIn, services: ServicesDep, agent: AgentDep
) -> None:
    """The agent who owns the conversation is writing: the customer sees "…正在输入"."""
    async with services.sessions() as session:
        c = await service.require_conversation(session, conversation_id)
    if c.assigned_agent_id != agent.id or c.state != "agent":
        raise Conflict("only the agent serving this conversation can type in it")
    await announce_typing(services, conversation_id, "agent", body.active, agent.display_name)
