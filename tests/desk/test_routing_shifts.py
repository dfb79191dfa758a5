"""Routing reads the teams and shifts the lead manages, on a real database (SQLite and
PostgreSQL): shop time, in-shift agents first, the fallback, what an agent holds stays theirs,
and a conversation that leaves an agent goes to their teammates first."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tandem.desk import figures, staff
from tandem.identity.models import Account
from tandem.identity.service import principal_of
from tandem.routing import assignment
from tandem.routing import service as routing
from tandem.services import Services

from .helpers import account, owner_of, set_online, waiting

pytestmark = pytest.mark.asyncio


async def _set(services: Services, username: str, **changes: str) -> None:
    """As the lead does it on the staff page (read, normalised, audited)."""
    async with services.unit_of_work() as uow:
        lead = principal_of(await account(uow, "lead"))
        target = await account(uow, username)
        await staff.update(uow, lead, target.id, dict(changes), uow.now())


async def test_in_shift_agents_first_then_the_fallback_and_held_work_stays(
    services: Services,
) -> None:
    # The test clock is 06:00 UTC, 14:00 in Shanghai (the demo shop's zone).
    now = services.clock.now()
    ids = await set_online(services, "agent1", "agent2")
    await _set(services, "agent1", shift="06:00-13:00")  # ended an hour ago, still signed in
    await _set(services, "agent2", shift="13:00～22:00")  # in shift (typed loosely)
    async with services.sessions() as session:
        stored = await session.get(Account, ids["agent2"])
        assert stored is not None and stored.shift == "13:00-22:00"
        view = await figures.supervisor_view(session, now)
    standing = {a["id"]: a["shift_standing"] for a in view["agents"]}
    assert (standing[ids["agent1"]], standing[ids["agent2"]]) == ("off_shift", "in_shift")
    assert view["shift_cover"]["falling_back"] is False
    async with services.unit_of_work() as uow:
        first = [await waiting(uow) for _ in range(3)]
        await assignment.assign_waiting(uow, now)
    # Without shifts these would be shared two and one; agent2 is the one in shift.
    assert [(await owner_of(services, c.id))[1] for c in first] == [ids["agent2"]] * 3
    # agent2 is full: the next customer does not wait while agent1 is signed in.
    async with services.unit_of_work() as uow:
        spill = await waiting(uow)
        await assignment.assign_waiting(uow, now)
    assert await owner_of(services, spill.id) == ("agent", ids["agent1"])
    # 22:00 in Shanghai: agent2's shift is over; what they hold stays theirs (they are still
    # at work on it, so the stopped-answering rule does not take it either).
    later = now + timedelta(hours=8)
    async with services.unit_of_work() as uow:
        (await routing.require_status(uow.session, ids["agent2"])).last_activity_at = later
        await assignment.assign_waiting(uow, later)
    assert [(await owner_of(services, c.id))[1] for c in first] == [ids["agent2"]] * 3
    # Nobody in shift is signed in: the lead's board says so.
    async with services.sessions() as session:
        view = await figures.supervisor_view(session, later)
    assert view["shift_cover"]["falling_back"] is True


async def test_a_conversation_passed_back_goes_to_a_teammate_first(services: Services) -> None:
    now = services.clock.now()
    ids = await set_online(services, "agent1", "agent2", "lead")
    await _set(services, "agent2", team="售后一组")
    await _set(services, "lead", team="售后一组")
    await _set(services, "agent1", team="售后二组")
    async with services.unit_of_work() as uow:
        lead = await account(uow, "lead")
        lead.skills = ["after_sale", "zh"]
        c = await waiting(uow)
        await assignment.assign(uow, c, await account(uow, "agent2"), now)
        # agent1 has more room than the lead (who holds one already).
        other = await waiting(uow, name="held")
        await assignment.assign(uow, other, lead, now)
    async with services.unit_of_work() as uow:
        held = await uow.session.get(type(c), c.id)
        assert held is not None
        await assignment.requeue(
            uow, held, now, from_agent_id=ids["agent2"], reason="transferred_to_queue"
        )
        await assignment.assign_waiting(uow, now)
    assert await owner_of(services, c.id) == ("agent", ids["lead"])
    async with services.sessions() as session:
        states = {a.agent_id: a for a in await routing.agent_states(session, now)}
    assert states[ids["lead"]].team == "售后一组" and states[ids["agent1"]].shift is None
