"""The desk API for agents and supervisors (docs/api.md, "Desk"; docs/desk.md).

Time comes from the app's clock (`services.clock`), the one every timestamp is written with.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, WebSocket
from sqlalchemy.exc import IntegrityError

from tandem.conversations.models import Conversation, Message
from tandem.core import events
from tandem.core.errors import TandemError
from tandem.deps import (
    SESSION_COOKIE,
    AgentDep,
    ServicesDep,
    SupervisorDep,
    principal_for_token,
    staff_token,
)
from tandem.desk import (
    assist,
    authz,
    board,
    figures,
    presence,
    relay,
    service,
    staff,
    workbench,
)
from tandem.desk.schemas import (
    AgentOut,
    AgentReplyIn,
    ConversationDetailOut,
    ConversationSummaryOut,
    CopilotOut,
    DeskMessageOut,
    EscalateIn,
    FiguresOut,
    NoteIn,
    PresenceIn,
    RevealOut,
    TagIn,
    TransferIn,
)
from tandem.identity.routes import account_out
from tandem.identity.schemas import AccountIn, AccountOut, AccountPatch
from tandem.realtime.hub import DESK_TOPIC, Overflowed
from tandem.realtime.ws import drain_client, next_event, wire_text
from tandem.routing import assignment
from tandem.services import Services
from tandem.shop import service as shop_service

StaffTokenDep = Annotated[str | None, Depends(staff_token)]
router = APIRouter(prefix="/api/v1/desk", tags=["desk"])


def _day_start(services: Services, now: datetime) -> datetime:
    """Midnight today in the shop's time zone (the day the agent's figures cover)."""
    zone = services.shop.policy.service_hours.zone
    return now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)


@router.get("/queue", response_model=list[ConversationSummaryOut])
async def get_queue(services: ServicesDep, agent: AgentDep) -> list[dict[str, Any]]:
    async with services.sessions() as session:
        return await service.queue(session, services.clock.now())


@router.get("/conversations", response_model=list[ConversationSummaryOut])
async def my_conversations(services: ServicesDep, agent: AgentDep) -> list[dict[str, Any]]:
    async with services.sessions() as session:
        return await service.my_conversations(session, agent)


@router.get("/conversations/{conversation_id}", response_model=ConversationDetailOut)
async def conversation_detail(
    conversation_id: str, services: ServicesDep, agent: AgentDep
) -> dict[str, Any]:
    async with services.sessions() as session:
        await authz.require_visible(session, agent, conversation_id)
        return await service.detail(session, conversation_id)


@router.post("/conversations/{conversation_id}/accept", response_model=ConversationSummaryOut)
async def accept(conversation_id: str, services: ServicesDep, agent: AgentDep) -> dict[str, Any]:
    """Claim a waiting conversation by hand (assignment is otherwise automatic)."""
    async with services.unit_of_work() as uow:
        c = await service.accept(uow, agent, conversation_id, services.clock.now())
        return await service.summary(uow.session, c)


@router.post(
    "/conversations/{conversation_id}/messages", status_code=201, response_model=DeskMessageOut
)
async def reply(
    conversation_id: str, body: AgentReplyIn, services: ServicesDep, token: StaffTokenDep
) -> dict[str, Any]:
    """The agent's message (the relay's hot path): a session this process has seen is read in
    the message's own transaction, one SELECT, instead of a read session of its own first."""
    if token is None or not relay.seen(token):
        await principal_for_token(services, token)  # 401 for a stranger, outside the writer
        assert token is not None
        relay.saw(token)
    idle = timedelta(minutes=services.settings.session_idle_minutes)
    now = services.clock.now()
    try:
        async with services.unit_of_work() as uow:
            agent = await relay.signed_in(uow, token, idle)
            m = await relay.reply(uow, agent, conversation_id, body.text, body.client_msg_id, now)
            wrote = await relay.note_activity(uow.session, agent.id, now)
        if wrote:
            relay.noted(uow.session, agent.id, now)
        return service.desk_message(m, "zh")
    except IntegrityError:
        # Rolled back, nothing written: a retry of a stored message gets it back.
        async with services.unit_of_work() as uow:
            agent = await relay.signed_in(uow, token, idle)
            stored = await relay.retried(uow, agent, conversation_id, body.text, body.client_msg_id)
            if stored is None:
                raise
            return service.desk_message(stored, "zh")


@router.post(
    "/conversations/{conversation_id}/messages/{message_id}/reveal", response_model=RevealOut
)
async def reveal(
    conversation_id: str, message_id: str, services: ServicesDep, agent: AgentDep
) -> dict[str, Any]:
    """The original text of one masked message. Recorded: who, when, which message."""
    async with services.unit_of_work() as uow:
        return await service.reveal(uow, agent, conversation_id, message_id, services.clock.now())


@router.get("/conversations/{conversation_id}/reveals")
async def reveals(
    conversation_id: str, services: ServicesDep, supervisor: SupervisorDep
) -> list[dict[str, Any]]:
    async with services.sessions() as session:
        return await service.reveals(session, conversation_id)


@router.get("/conversations/{conversation_id}/copilot", response_model=CopilotOut)
async def copilot(conversation_id: str, services: ServicesDep, agent: AgentDep) -> dict[str, Any]:
    async with services.sessions() as session:
        await authz.require_visible(session, agent, conversation_id)
        return await assist.suggestions(
            session, services.knowledge, conversation_id, agent.display_name
        )


@router.post("/conversations/{conversation_id}/transfer", response_model=ConversationSummaryOut)
async def transfer(
    conversation_id: str, body: TransferIn, services: ServicesDep, agent: AgentDep
) -> dict[str, Any]:
    async with services.unit_of_work() as uow:
        c = await service.transfer(
            uow,
            agent,
            conversation_id,
            services.clock.now(),
            to_agent_id=body.agent_id,
            to_skill=body.skill,
            note=body.note,
        )
        return await service.summary(uow.session, c)


@router.post("/conversations/{conversation_id}/escalate", response_model=ConversationSummaryOut)
async def escalate(
    conversation_id: str, body: EscalateIn, services: ServicesDep, agent: AgentDep
) -> dict[str, Any]:
    async with services.unit_of_work() as uow:
        c = await service.escalate(uow, agent, conversation_id, services.clock.now(), body.note)
        return await service.summary(uow.session, c)


@router.post("/conversations/{conversation_id}/resolve", response_model=ConversationSummaryOut)
async def resolve(conversation_id: str, services: ServicesDep, agent: AgentDep) -> dict[str, Any]:
    async with services.unit_of_work() as uow:
        c = await service.resolve(
            uow, agent, conversation_id, services.clock.now(), services.knowledge
        )
        return await service.summary(uow.session, c)


@router.post("/conversations/{conversation_id}/hand-back", response_model=ConversationSummaryOut)
async def hand_back(conversation_id: str, services: ServicesDep, agent: AgentDep) -> dict[str, Any]:
    async with services.unit_of_work() as uow:
        c = await service.hand_back(uow, agent, conversation_id, services.clock.now())
        return await service.summary(uow.session, c)


@router.get("/agents", response_model=list[AgentOut])
async def list_agents(services: ServicesDep, agent: AgentDep) -> list[dict[str, Any]]:
    async with services.sessions() as session:
        return await presence.agents(session, services.clock.now())


@router.get("/me/figures", response_model=FiguresOut)
async def my_figures(services: ServicesDep, agent: AgentDep) -> dict[str, Any]:
    """Today's conversations closed, positive-rating rate and average handling time."""
    async with services.sessions() as session:
        return await figures.my_figures(
            session, agent.id, _day_start(services, services.clock.now())
        )


@router.get("/supervisor")
async def supervisor(services: ServicesDep, supervisor: SupervisorDep) -> dict[str, Any]:
    """Queues by skill, agents' load, presence and exposure, alerts (urgent first)."""
    async with services.sessions() as session:
        return await figures.supervisor_view(session, services.clock.now())


@router.post("/assign")
async def assign_round(services: ServicesDep, supervisor: SupervisorDep) -> dict[str, Any]:
    """Run an assignment round now (also re-queues conversations of agents who stopped
    answering). Rounds run by themselves on every change; this is for a periodic job."""
    async with services.unit_of_work() as uow:
        result = await assignment.run_round(uow, services.clock.now())
    return {
        "assigned": [a.__dict__ for a in result.assigned],
        "requeued": [r.__dict__ for r in result.requeued],
    }


@router.put("/presence", response_model=AccountOut)
async def set_presence(body: PresenceIn, services: ServicesDep, agent: AgentDep) -> AccountOut:
    async with services.unit_of_work() as uow:
        account = await presence.set_presence(
            uow, agent, body.presence, services.clock.now(), body.break_minutes
        )
        return account_out(account)


async def _as_desk_sees_it(services: Services, event: events.Event) -> events.Event:
    """A customer's message reaches the desk masked, as the desk's lists show it: the raw
    abusive words never travel to an agent's screen unless they reveal them. The copy is
    built once where the message is stored (`add_message(desk_view=...)`) and reaches every
    desk as it is; a customer message published without it (an instance of an older version)
    is masked here from the database."""
    if not isinstance(event, events.MessageCreated) or event.data.author != "customer":
        return event
    if event.data.masked is not None:
        return event
    async with services.sessions() as session:
        message = await session.get(Message, event.data.id)
        if message is None:
            return event
        conversation = await session.get(Conversation, message.conversation_id)
        language = conversation.language if conversation is not None else "zh"
        masked = events.MessageData.model_validate(service.desk_message(message, language))
        return event.model_copy(update={"data": masked})


@router.websocket("/events")
async def desk_events(websocket: WebSocket, token: str | None = None) -> None:
    """Live desk events: every conversation event plus presence changes, queue changes and
    wellbeing notices. Not resumable by number: a desk that reconnects reloads its lists.
    Each event is serialized once for all the desks that receive it (`wire_text`)."""
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
            await websocket.send_text(wire_text(events.desk_ready()))
            while (event := await next_event(sub, receiver)) is not None:
                await websocket.send_text(wire_text(await _as_desk_sees_it(services, event)))
    except (Overflowed, RuntimeError):
        pass
    finally:
        receiver.cancel()
        with contextlib.suppress(Exception):
            await websocket.close()


# --- beside the chat (notes, tags, the customer) and the lead's control room ----------------


@router.get("/conversations/{conversation_id}/notes")
async def list_notes(
    conversation_id: str, services: ServicesDep, agent: AgentDep
) -> list[dict[str, Any]]:
    async with services.sessions() as session:
        await authz.require_visible(session, agent, conversation_id)
        return await workbench.notes(session, conversation_id)


@router.post("/conversations/{conversation_id}/notes", status_code=201)
async def add_note(
    conversation_id: str, body: NoteIn, services: ServicesDep, agent: AgentDep
) -> dict[str, Any]:
    """An internal note for colleagues: stored apart from the messages, never sent on."""
    async with services.unit_of_work() as uow:
        return await workbench.add_note(
            uow, agent, conversation_id, body.text, services.clock.now()
        )


@router.post("/conversations/{conversation_id}/tags")
async def add_tag(
    conversation_id: str, body: TagIn, services: ServicesDep, agent: AgentDep
) -> dict[str, Any]:
    async with services.unit_of_work() as uow:
        tags = await workbench.add_tag(uow, agent, conversation_id, body.tag, services.clock.now())
    return {"tags": tags}


@router.delete("/conversations/{conversation_id}/tags/{tag}")
async def remove_tag(
    conversation_id: str, tag: str, services: ServicesDep, agent: AgentDep
) -> dict[str, Any]:
    async with services.unit_of_work() as uow:
        return {"tags": await workbench.remove_tag(uow, agent, conversation_id, tag)}


@router.get("/conversations/{conversation_id}/customer")
async def customer(conversation_id: str, services: ServicesDep, agent: AgentDep) -> dict[str, Any]:
    """Who the customer is (the shop's name and tier, not its id), their orders and their
    other conversations with the shop."""
    async with services.sessions() as session:
        c = await authz.require_visible(session, agent, conversation_id)
        facts = await shop_service.load_shop_facts(
            services.shop.adapter(session), c.customer_external_id
        )
        shown = await service.summary(session, c)
        return {
            "external_id": c.customer_external_id,
            "name": (facts.customer.name if facts.customer else None) or shown["customer_name"],
            "tier": facts.tier.value if facts.tier is not None else shown["customer_tier"],
            "orders": len(facts.orders),
            "conversations": await workbench.conversation_counts(session, c.customer_external_id),
            "history": await workbench.customer_history(session, c),
        }


@router.get("/supervisor/board")
async def control_board(
    services: ServicesDep, supervisor: SupervisorDep, lang: Literal["zh", "en"] | None = None
) -> list[dict[str, Any]]:
    """Every open conversation: state, agent, wait, emotion, flags. `lang`: the page's language
    for the problem and the emotion (default: each conversation's own)."""
    async with services.sessions() as session:
        return await board.board(session, services.clock.now(), lang)


@router.post("/supervisor/conversations/{conversation_id}/take-over")
async def take_over(
    conversation_id: str, services: ServicesDep, supervisor: SupervisorDep
) -> dict[str, Any]:
    async with services.unit_of_work() as uow:
        c = await board.take_over(uow, supervisor, conversation_id, services.clock.now())
        return await service.summary(uow.session, c)


@router.get("/staff")
async def list_staff(services: ServicesDep, supervisor: SupervisorDep) -> list[dict[str, Any]]:
    """Every account with its role, skills, cap, team and shift."""
    async with services.sessions() as session:
        return await staff.staff(session)


@router.post("/staff", status_code=201)
async def create_staff(
    body: AccountIn, services: ServicesDep, supervisor: SupervisorDep
) -> dict[str, Any]:
    async with services.unit_of_work() as uow:
        return await staff.create(
            uow, services.hasher, supervisor, body.model_dump(), services.clock.now()
        )


@router.patch("/staff/{account_id}")
async def change_staff(
    account_id: str, body: AccountPatch, services: ServicesDep, supervisor: SupervisorDep
) -> dict[str, Any]:
    async with services.unit_of_work() as uow:
        return await staff.update(
            uow, supervisor, account_id, body.model_dump(exclude_unset=True), services.clock.now()
        )
