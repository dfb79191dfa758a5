"""The agents as the routing rules see them: staff accounts, their routing rows, the
conversations they hold and the hostile events they met, read into `policy.AgentState`.
Split out of `routing.service`, which re-exports every name here."""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.conversations.models import Conversation
from tandem.db.session import clock_of, zone_of
from tandem.identity.models import Account
from tandem.routing.models import AgentStatus, HostileEventRow
from tandem.routing.policy import AgentState
from tandem.routing.policy.shifts import shift_of
from tandem.routing.wellbeing import ExposureConfig, HostileEvent, exposure_score
from tandem.shop.policy_config import ServiceHours

STAFF_ROLES = ("agent", "supervisor", "admin")
SUPERVISOR_SKILL = "supervisor"
EXPOSURE = ExposureConfig()
# Shifts are read in the shop's time zone; a session built without one reads the default shop's.
DEFAULT_ZONE = ServiceHours().zone


def skills_of(account: Account) -> frozenset[str]:
    skills = {str(s) for s in account.skills or []}
    if account.role in ("supervisor", "admin"):
        skills.add(SUPERVISOR_SKILL)
    return frozenset(skills)


async def active_loads(session: AsyncSession) -> dict[str, int]:
    rows = (
        await session.execute(
            select(Conversation.assigned_agent_id, func.count())
            .where(Conversation.state == "agent", Conversation.assigned_agent_id.is_not(None))
            .group_by(Conversation.assigned_agent_id)
        )
    ).all()
    return {str(agent_id): int(count) for agent_id, count in rows}


async def active_load(session: AsyncSession, agent_id: str) -> int:
    """Conversations the agent holds now."""
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Conversation)
            .where(Conversation.assigned_agent_id == agent_id, Conversation.state == "agent")
        )
        or 0
    )


async def hostile_events(session: AsyncSession, now: datetime) -> list[HostileEvent]:
    rows = (
        await session.scalars(
            select(HostileEventRow).where(HostileEventRow.at > now - EXPOSURE.window)
        )
    ).all()
    return [HostileEvent(r.agent_id, r.conversation_id, r.at, r.kind) for r in rows]


async def agent_statuses(session: AsyncSession) -> dict[str, AgentStatus]:
    return {s.agent_id: s for s in (await session.scalars(select(AgentStatus))).all()}


async def require_status(session: AsyncSession, agent_id: str) -> AgentStatus:
    """The agent's routing row, created if missing. Created with INSERT ... ON CONFLICT DO
    NOTHING: two instances meeting a new agent at once must not fail on the key."""
    status = await session.get(AgentStatus, agent_id)
    if status is None:
        values = {"agent_id": agent_id, "updated_at": clock_of(session).now()}
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(pg_insert(AgentStatus).values(values).on_conflict_do_nothing())
        else:
            await session.execute(
                sqlite_insert(AgentStatus).values(values).on_conflict_do_nothing()
            )
        status = await session.get(AgentStatus, agent_id)
        assert status is not None
    return status


def agent_state(
    account: Account,
    status: AgentStatus | None,
    active: int,
    events: list[HostileEvent],
    now: datetime,
    zone: tzinfo | None = None,
) -> AgentState:
    """`zone`: the shop's time zone, the one shifts are read in (the default shop's if None)."""
    return AgentState(
        agent_id=account.id,
        presence=account.presence,
        skills=skills_of(account),
        max_concurrent=account.max_concurrent,
        active=active,
        exposure=exposure_score(account.id, events, now, EXPOSURE),
        on_break_until=status.break_until if status else None,
        last_break_end=status.last_break_end if status else None,
        at_capacity_since=status.at_capacity_since if status else None,
        team=account.team,
        shift=shift_of(account.shift, zone or DEFAULT_ZONE),
    )


async def staff(session: AsyncSession) -> list[Account]:
    return list(
        (
            await session.scalars(
                select(Account).where(Account.role.in_(STAFF_ROLES)).order_by(Account.id)
            )
        ).all()
    )


async def agent_states(
    session: AsyncSession, now: datetime, events: list[HostileEvent] | None = None
) -> list[AgentState]:
    accounts = await staff(session)
    loads = await active_loads(session)
    statuses = await agent_statuses(session)
    events = events if events is not None else await hostile_events(session, now)
    zone = zone_of(session)
    return [
        agent_state(a, statuses.get(a.id), loads.get(a.id, 0), events, now, zone) for a in accounts
    ]
