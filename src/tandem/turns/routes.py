"""The customer API (docs/api.md): thin handlers over the turn and the conversation use cases.

It lives with the turn because it is the message path's channel: it shows the queue (routing)
and takes turns, both above `conversations`."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, WebSocket, WebSocketDisconnect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.contacts.service import admit_new_conversation, require_not_blocked
from tandem.conversations import service
from tandem.conversations.models import Conversation, Event, Message
from tandem.conversations.schemas import (
    ConversationOut,
    ConversationStateOut,
    MessageOut,
    MessagesOut,
    OpenConversationIn,
    OpenConversationOut,
    QueueOut,
    RatingIn,
    SendMessageIn,
    SendMessageOut,
)
from tandem.core import events as ev
from tandem.core.errors import TandemError
from tandem.deps import BearerDep, ServicesDep
from tandem.identity.models import Account
from tandem.realtime.hub import Overflowed, conversation_topic
from tandem.realtime.ws import drain_client, next_event
from tandem.turns.facts import queue_of
from tandem.turns.service import take_customer_turn
from tandem.turns.widget import announce_typing

router = APIRouter(prefix="/api/v1/conversations", tags=["customer"])


def _message_out(m: Message) -> MessageOut:
    return MessageOut.model_validate(service.message_dict(m))


def _state_out(conversation: Conversation, queue: tuple[int, int] | None) -> ConversationStateOut:
    return ConversationStateOut(
        state=conversation.state,
        queue=QueueOut(position=queue[0], eta_seconds=queue[1]) if queue else None,
    )


@router.post("", status_code=201, response_model=OpenConversationOut)
async def open_conversation(
    request: Request, services: ServicesDep, body: OpenConversationIn | None = None
) -> OpenConversationOut:
    async with services.unit_of_work() as uow:
        conversation, token = await service.open_conversation(
            uow, services.settings, body or OpenConversationIn()
        )
        ip = request.client.host if request.client else "unknown"
        await admit_new_conversation(uow, services.settings, conversation, ip, services.clock.now())
    return OpenConversationOut(id=conversation.id, customer_token=token, state="bot")


@router.post("/{conversation_id}/messages", status_code=201, response_model=SendMessageOut)
async def send_message(
    conversation_id: str,
    body: SendMessageIn,
    request: Request,
    services: ServicesDep,
    token: BearerDep,
) -> SendMessageOut:
    async def screen(session: AsyncSession, conversation: Conversation) -> None:
        # In the turn's first read: a blocked contact is refused before anything is stored.
        await require_not_blocked(session, conversation)
        if conversation.state == "bot":  # the AI is writing (an ephemeral hint)
            await announce_typing(services, conversation_id, "bot")

    turn = await take_customer_turn(
        services,
        services.turn_deps,
        services.turn_gate,
        conversation_id,
        token,
        body,
        admit=services.rate_limiter.check,
        screen=screen,
        gone=request.is_disconnected,
    )
    return SendMessageOut(
        message=_message_out(turn.message),
        replies=[_message_out(r) for r in turn.replies],
        conversation=_state_out(turn.conversation, turn.queue),
    )


async def _conversation_out(
    session: Any, conversation: Conversation, now: datetime
) -> ConversationOut:
    queue = await queue_of(session, conversation, now)
    agent_name = None
    if conversation.assigned_agent_id and conversation.state == "agent":
        agent = await session.get(Account, conversation.assigned_agent_id)
        agent_name = agent.display_name if agent else None
    return ConversationOut(
        id=conversation.id,
        state=conversation.state,
        language=conversation.language,
        queue=QueueOut(position=queue[0], eta_seconds=queue[1]) if queue else None,
        last_seq=conversation.last_seq,
        rating=conversation.rating,
        created_at=conversation.created_at,
        agent_name=agent_name,
    )


@router.get("/{conversation_id}", response_model=ConversationOut)
async def get_conversation(
    conversation_id: str, services: ServicesDep, token: BearerDep
) -> ConversationOut:
    async with services.sessions() as session:
        conversation = await service.require_customer_conversation(session, conversation_id, token)
        return await _conversation_out(session, conversation, services.clock.now())


@router.get("/{conversation_id}/messages", response_model=MessagesOut)
async def list_messages(
    conversation_id: str,
    services: ServicesDep,
    token: BearerDep,
    after_seq: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> MessagesOut:
    async with services.sessions() as session:
        conversation = await service.require_customer_conversation(session, conversation_id, token)
        rows = (
            await session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation.id, Message.seq > after_seq)
                .order_by(Message.seq)
                .limit(limit)
            )
        ).all()
        return MessagesOut(messages=[_message_out(m) for m in rows], last_seq=conversation.last_seq)


@router.post("/{conversation_id}/rating", response_model=ConversationOut)
async def rate(
    conversation_id: str, body: RatingIn, services: ServicesDep, token: BearerDep
) -> ConversationOut:
    async with services.unit_of_work() as uow:
        conversation = await service.require_customer_conversation(
            uow.session, conversation_id, token
        )
        await service.rate_conversation(uow, conversation, body.rating, body.comment)
        out = await _conversation_out(uow.session, conversation, services.clock.now())
    return out


@router.websocket("/{conversation_id}/events")
async def events(
    websocket: WebSocket,
    conversation_id: str,
    token: str | None = None,
    after_seq: int = 0,
) -> None:
    services = websocket.app.state.services
    try:
        async with services.sessions() as session:
            await service.require_customer_conversation(session, conversation_id, token)
    except TandemError as exc:
        # Accept, then close with a 44xx code: a browser cannot read a refused handshake's
        # status, but it can read a close code (4401/4403/4404 mirror the HTTP statuses).
        await websocket.accept()
        await websocket.close(code=4000 + exc.status_code, reason=exc.message)
        return
    await websocket.accept()
    await stream_events(websocket, services, conversation_id, min(max(0, after_seq), 2**31 - 1))


async def stream_events(
    websocket: WebSocket, services: Any, conversation_id: str, after_seq: int
) -> None:
    """Everything after `after_seq` from the log, then live events, each exactly once, in order.

    Subscribing before reading the log closes the gap between the two; duplicates are dropped
    by sequence number. A gap in live numbers (another instance, a slow client) is filled from
    the log before going on.
    """
    last = after_seq

    async def backlog() -> list[ev.ConversationEvent]:
        async with services.sessions() as session:
            rows = (
                await session.scalars(
                    select(Event)
                    .where(Event.conversation_id == conversation_id, Event.seq > last)
                    .order_by(Event.seq)
                )
            ).all()
        return [
            ev.conversation_event(e.type, e.conversation_id, e.seq, e.data, e.created_at)
            for e in rows
        ]

    receiver = asyncio.create_task(drain_client(websocket))
    try:
        async with services.hub.subscribe(conversation_topic(conversation_id)) as sub:
            for event in await backlog():
                await websocket.send_json(ev.wire(event))
                last = event.seq
            while (live := await next_event(sub, receiver)) is not None:
                if isinstance(live, ev.Typing):  # ephemeral: never logged, never replayed
                    await websocket.send_json(ev.wire(live))
                    continue
                if not isinstance(live, ev.Sequenced) or live.seq <= last:
                    continue
                if live.seq > last + 1:
                    for missed in await backlog():
                        await websocket.send_json(ev.wire(missed))
                        last = missed.seq
                    continue
                await websocket.send_json(ev.wire(live))
                last = live.seq
    except (WebSocketDisconnect, Overflowed, RuntimeError):
        pass
    finally:
        receiver.cancel()
        with contextlib.suppress(Exception):
            await websocket.close()
