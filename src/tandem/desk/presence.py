"""Presence and breaks, and the team as the desk lists it (load, exposure, breaks)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tandem.core import events
from tandem.core.errors import InvalidInput
from tandem.db.uow import UnitOfWork
from tandem.desk.service import require_account
from tandem.identity import service as identity
from tandem.identity.models import Account
from tandem.identity.service import Principal
from tandem.realtime.hub import DESK_TOPIC
from tandem.routing import assignment, policy, wellbeing
from tandem.routing import service as routing

DEFAULT_BREAK = timedelta(minutes=15)
MAX_BREAK = timedelta(hours=2)


async def set_presence(
    uow: UnitOfWork,
    agent: Principal,
    presence: str,
    now: datetime,
    break_minutes: int | None = None,
) -> Account:
    """Online, away, on a break (with an end time) or offline. A break or going offline hands
    the agent's conversations to colleagues (front of the queue); coming back starts a round."""
    session = uow.session
    account = await require_account(session, agent.id)
    status = await routing.require_status(session, agent.id)
    was_on_break = account.presence == policy.PRESENCE_BREAK or (
        status.break_until is not None and status.break_until > now
    )
    await identity.set_presence(session, account, presence)
    if presence == policy.PRESENCE_BREAK:
        length = timedelta(minutes=break_minutes) if break_minutes else DEFAULT_BREAK
        if length <= timedelta(0) or length > MAX_BREAK:
            raise InvalidInput("a break lasts between 1 and 120 minutes")
        status.break_until = now + length
        status.break_suggested_at = None
        status.alert_level = None
    elif was_on_break:
        status.last_break_end = now
        status.break_until = None
    status.last_activity_at = now
    status.updated_at = now
    uow.stage((DESK_TOPIC, events.presence_changed(account.id, presence, status.break_until)))
    await assignment.assign_waiting(uow, now)
    return account


async def agents(session: AsyncSession, now: datetime) -> list[dict[str, Any]]:
    """Every staff member with their load, presence, break and hostile-load exposure."""
    accounts = sorted(await routing.staff(session), key=lambda a: a.display_name)
    hostile = await routing.hostile_events(session, now)
    states = {s.agent_id: s for s in await routing.agent_states(session, now, hostile)}
    statuses = await routing.agent_statuses(session)
    out = []
    for a in accounts:
        state = states[a.id]
        status = statuses.get(a.id)
        out.append(
            {
                "id": a.id,
                "username": a.username,
                "display_name": a.display_name,
                "role": a.role,
                "presence": a.presence,
                "active_conversations": state.active,
                "max_concurrent": a.max_concurrent,
                "skills": list(a.skills or []),
                "exposure": round(state.exposure, 2),
                "break_until": status.break_until if status else None,
                "break_suggested": bool(status and status.break_suggested_at),
                # Why, in the same words as the live suggestion (the banner states its reason
                # after a reload too).
                "break_reasons": list(wellbeing.should_suggest_break(state, hostile, now).reasons)
                if status and status.break_suggested_at
                else [],
                "alert_level": status.alert_level if status else None,
            }
        )
    return out
