"""Queue queries: who is waiting, in what order, and how long the wait honestly is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.conversations.models import Conversation
from tandem.core.clock import utcnow
from tandem.engine.types import QueueFacts
from tandem.identity.models import Account
from tandem.routing.waits import DEFAULT_HANDLE_SECONDS, estimate_wait

RECENT_FOR_HANDLE_TIME = 50


@dataclass(frozen=True)
class Staffing:
    agents_online: int
    free_slots: int
    slots_per_agent: int
    avg_handle_seconds: float


async def staffing(session: AsyncSession) -> Staffing:
    agents = (
        await session.scalars(
            select(Account).where(
                Account.presence == "online", Account.role.in_(("agent", "supervisor", "admin"))
            )
        )
    ).all()
    load_rows = (
        await session.execute(
            select(Conversation.assigned_agent_id, func.count())
            .where(Conversation.state == "agent")
            .group_by(Conversation.assigned_agent_id)
        )
    ).all()
    load = {agent_id: count for agent_id, count in load_rows}
    free = sum(max(0, a.max_concurrent - load.get(a.id, 0)) for a in agents)
    slots = round(sum(a.max_concurrent for a in agents) / len(agents)) if agents else 3
    return Staffing(len(agents), free, slots, await average_handle_seconds(session))


async def average_handle_seconds(session: AsyncSession) -> float:
    rows = (
        await session.execute(
            select(Conversation.assigned_at, Conversation.resolved_at)
            .where(Conversation.assigned_at.is_not(None), Conversation.resolved_at.is_not(None))
            .order_by(Conversation.resolved_at.desc())
            .limit(RECENT_FOR_HANDLE_TIME)
        )
    ).all()
    durations = [
        (r - a).total_seconds() for a, r in rows if a is not None and r is not None and r > a
    ]
    return sum(durations) / len(durations) if durations else DEFAULT_HANDLE_SECONDS


def _ahead_of(priority: int, queued_at: datetime | None) -> ColumnElement[bool]:
    return or_(
        Conversation.priority > priority,
        and_(Conversation.priority == priority, Conversation.queued_at < queued_at),
    )


async def position_of(session: AsyncSession, conversation: Conversation) -> int:
    """1-based place in the queue: higher priority first, then first come first served."""
    ahead = await session.scalar(
        select(func.count())
        .select_from(Conversation)
        .where(
            Conversation.state == "queued",
            Conversation.id != conversation.id,
            _ahead_of(conversation.priority, conversation.queued_at),
        )
    )
    return int(ahead or 0) + 1


def estimate(position: int, s: Staffing) -> int:
    return estimate_wait(
        position=position,
        agents_online=s.agents_online,
        free_slots=s.free_slots,
        slots_per_agent=s.slots_per_agent,
        avg_handle_seconds=s.avg_handle_seconds,
    )


async def queue_estimate(
    session: AsyncSession,
    conversation: Conversation,
    s: Staffing | None = None,
    now: datetime | None = None,
) -> tuple[int, int]:
    """(position, estimated wait in seconds) of a queued conversation. A ticket's promised
    callback time bounds the wait from below: nobody is there to answer before it."""
    position = await position_of(session, conversation)
    eta = estimate(position, s or await staffing(session))
    if conversation.callback_at is not None:
        until = (conversation.callback_at - (now or utcnow())).total_seconds()
        eta = max(eta, int(until))
    return position, eta


async def facts_for_new_entry(
    session: AsyncSession, s: Staffing | None = None, priority: int = 0
) -> QueueFacts:
    """What the queue would look like for a conversation joining it now."""
    ahead = await session.scalar(
        select(func.count())
        .select_from(Conversation)
        .where(Conversation.state == "queued", Conversation.priority >= priority)
    )
    position = int(ahead or 0) + 1
    s = s or await staffing(session)
    return QueueFacts(
        agents_online=s.agents_online,
        position_if_queued=position,
        eta_seconds=estimate(position, s),
    )


async def queued_conversations(session: AsyncSession) -> list[Conversation]:
    return list(
        (
            await session.scalars(
                select(Conversation)
                .where(Conversation.state == "queued")
                .order_by(Conversation.priority.desc(), Conversation.queued_at)
            )
        ).all()
    )


def timedelta_seconds(seconds: int) -> timedelta:
    return timedelta(seconds=seconds)
