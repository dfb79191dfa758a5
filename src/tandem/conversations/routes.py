"""The customer API (docs/api.md): thin handlers over conversations.service."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

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
from tandem.conversations.turns import take_customer_turn
from tandem.core.errors import Conflict, TandemError
from tandem.http.deps import BearerDep, ServicesDep
from tandem.identity.models import Account
from tandem.realtime.hub import Overflowed, conversation_topic
from tandem.realtime.ws import drain_client, next_event

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
    services: ServicesDep, body: OpenConversationIn | None = None
) -> OpenConversationOut:
    async with services.unit_of_work() as uow:
        conversation, token = await service.open_conversation(
            uow, services.settings, body or OpenConversationIn()
        )
    return OpenConversationOut(id=conversation.id, customer_token=token, state="bot")


@router.post("/{conversation_id}/messages", status_code=201, response_model=SendMessageOut)
async def send_message(
    conversation_id: str, body: SendMessageIn, services: ServicesDep, token: BearerDep
) -> SendMessageOut:
    try:
        async with services.unit_of_work() as uow:
            conversation = await service.require_customer_conversation(
                uow.session, conversation_id, token
            )
            # A retry of a stored message gets its stored result, even during a burst.
            previous = (
                await service.find_turn(uow.session, conversation, body.client_msg_id)
                if body.client_msg_id
                else None
            )
            if previous is None:
                services.rate_limiter.check(conversation_id)
            turn = previous or await take_customer_turn(uow, services.turn_deps, conversation, body)
            result = SendMessageOut(
                message=_message_out(turn.message),
                replies=[_message_out(r) for r in turn.replies],
                conversation=_state_out(turn.conversation, turn.queue),
            )
    except IntegrityError:
        # The same client_msg_id raced in twice: the other request stored it; answer with that.
        if not body.client_msg_id:
            raise
        async with services.unit_of_work() as uow:
            conversation = await service.require_customer_conversation(
                uow.session, conversation_id, token
            )
            previous = await service.find_turn(uow.session, conversation, body.client_msg_id)
            if previous is None:
                raise Conflict("the message could not be stored; send it again") from None
            result = SendMessageOut(
                message=_message_out(previous.message),
                replies=[_message_out(r) for r in previous.replies],
                conversation=_state_out(previous.conversation, previous.queue),
            )
    return result


async def _conversation_out(session: Any, conversation: Conversation) -> ConversationOut:
    queue = await service.queue_of(session, conversation)
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
        return await _conversation_out(session, conversation)


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
        out = await _conversation_out(uow.session, conversation)
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

    async def backlog() -> list[dict[str, Any]]:
        async with services.sessions() as session:
            rows = (
                await session.scalars(
                    select(Event)
                    .where(Event.conversation_id == conversation_id, Event.seq > last)
                    .order_by(Event.seq)
                )
            ).all()
        return [
            {
                "type": e.type,
                "conversation_id": e.conversation_id,
                "seq": e.seq,
                "data": e.data,
                "at": e.created_at.isoformat(),
            }
            for e in rows
        ]

    receiver = asyncio.create_task(drain_client(websocket))
    try:
        async with services.hub.subscribe(conversation_topic(conversation_id)) as sub:
            for event in await backlog():
                await websocket.send_json(event)
                last = event["seq"]
            while (live := await next_event(sub, receiver)) is not None:
                event = live
                if event["seq"] <= last:
                    continue
                if event["seq"] > last + 1:
                    for missed in await backlog():
                        await websocket.send_json(missed)
                        last = missed["seq"]
                    continue
                await websocket.send_json(event)
                last = event["seq"]
    except (WebSocketDisconnect, Overflowed, RuntimeError):
        pass
    finally:
        receiver.cancel()
        with contextlib.suppress(Exception):
            await websocket.close()
