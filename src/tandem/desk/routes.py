"""The desk API for agents and supervisors (docs/api.md, "Desk")."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from fastapi import APIRouter, WebSocket

from tandem.conversations.schemas import MessageOut
from tandem.conversations.service import announce_queue, message_dict
from tandem.core.errors import TandemError
from tandem.desk import service
from tandem.desk.schemas import (
    AgentOut,
    AgentReplyIn,
    ConversationDetailOut,
    ConversationSummaryOut,
    TransferIn,
)
from tandem.http.deps import SESSION_COOKIE, AgentDep, ServicesDep, principal_for_token
from tandem.identity import service as identity
from tandem.identity.models import Account
from tandem.identity.routes import account_out
from tandem.identity.schemas import AccountOut, PresenceIn
from tandem.realtime.hub import DESK_TOPIC, Overflowed
from tandem.realtime.ws import drain_client, next_event

router = APIRouter(prefix="/api/v1/desk", tags=["desk"])


@router.get("/queue", response_model=list[ConversationSummaryOut])
async def get_queue(services: ServicesDep, agent: AgentDep) -> list[dict[str, Any]]:
    async with services.sessions() as session:
        return await service.queue(session)


@router.get("/conversations", response_model=list[ConversationSummaryOut])
async def my_conversations(services: ServicesDep, agent: AgentDep) -> list[dict[str, Any]]:
    async with services.sessions() as session:
        return await service.my_conversations(session, agent)


@router.get("/conversations/{conversation_id}", response_model=ConversationDetailOut)
async def conversation_detail(
    conversation_id: str, services: ServicesDep, agent: AgentDep
) -> dict[str, Any]:
    async with services.sessions() as session:
        return await service.detail(session, conversation_id)


@router.post("/conversations/{conversation_id}/accept", response_model=ConversationSummaryOut)
async def accept(conversation_id: str, services: ServicesDep, agent: AgentDep) -> dict[str, Any]:
    async with services.unit_of_work() as uow:
        c = await service.accept(uow, agent, conversation_id)
        return await service.summary(uow.session, c)


@router.post(
    "/conversations/{conversation_id}/messages", status_code=201, response_model=MessageOut
)
async def reply(
    conversation_id: str, body: AgentReplyIn, services: ServicesDep, agent: AgentDep
) -> dict[str, Any]:
    async with services.unit_of_work() as uow:
        m = await service.reply(uow, agent, conversation_id, body.text, body.client_msg_id)
        return message_dict(m)


@router.post("/conversations/{conversation_id}/transfer", response_model=ConversationSummaryOut)
async def transfer(
    conversation_id: str, body: TransferIn, services: ServicesDep, agent: AgentDep
) -> dict[str, Any]:
    async with services.unit_of_work() as uow:
        c = await service.transfer(uow, agent, conversation_id, body.agent_id)
        return await service.summary(uow.session, c)


@router.post("/conversations/{conversation_id}/resolve", response_model=ConversationSummaryOut)
async def resolve(conversation_id: str, services: ServicesDep, agent: AgentDep) -> dict[str, Any]:
    async with services.unit_of_work() as uow:
        c = await service.resolve(uow, agent, conversation_id)
        return await service.summary(uow.session, c)


@router.post("/conversations/{conversation_id}/hand-back", response_model=ConversationSummaryOut)
async def hand_back(conversation_id: str, services: ServicesDep, agent: AgentDep) -> dict[str, Any]:
    async with services.unit_of_work() as uow:
        c = await service.hand_back(uow, agent, conversation_id)
        return await service.summary(uow.session, c)


@router.get("/agents", response_model=list[AgentOut])
async def list_agents(services: ServicesDep, agent: AgentDep) -> list[dict[str, Any]]:
    async with services.sessions() as session:
        return await service.agents(session)


@router.put("/presence", response_model=AccountOut)
async def set_presence(body: PresenceIn, services: ServicesDep, agent: AgentDep) -> AccountOut:
    async with services.unit_of_work() as uow:
        account = await uow.session.get(Account, agent.id)
        assert account is not None
        await identity.set_presence(uow.session, account, body.presence)
        uow.stage(
            (
                DESK_TOPIC,
                {
                    "type": "agent.presence_changed",
                    "agent_id": account.id,
                    "presence": body.presence,
                },
            )
        )
        # Staffing changed, so every waiting customer's estimate did too.
        await announce_queue(uow)
        return account_out(account)


@router.websocket("/events")
async def desk_events(websocket: WebSocket, token: str | None = None) -> None:
    """Live desk events: every conversation event plus presence changes. Not resumable by
    number: a desk that reconnects reloads its lists (GET /queue, /conversations)."""
    services = websocket.app.state.services
    try:
        await principal_for_token(services, token or websocket.cookies.get(SESSION_COOKIE))
    except TandemError as exc:
        await websocket.accept()
        await websocket.close(code=4401, reason=exc.message)
        return
    await websocket.accept()
    receiver = asyncio.create_task(drain_client(websocket))
    try:
        async with services.hub.subscribe(DESK_TOPIC) as sub:
            await websocket.send_json({"type": "desk.ready"})
            while (event := await next_event(sub, receiver)) is not None:
                await websocket.send_json(event)
    except (Overflowed, RuntimeError):
        pass
    finally:
        receiver.cancel()
        with contextlib.suppress(Exception):
            await websocket.close()
