"""The routing rules on a real database: assignment rounds, re-queueing, breaks, exposure,
honest waits (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tandem.desk import presence
from tandem.identity.models import Account
from tandem.identity.service import principal_of
from tandem.routing import assignment
from tandem.routing import service as routing
from tandem.routing.models import ASSIGNED, WAITING, AgentStatus, HostileEventRow, QueueRow
from tandem.services import Services

from .helpers import ABUSIVE, owner_of, set_online, waiting

pytestmark = pytest.mark.asyncio


async def test_routes_by_skill_language_and_room(services: Services) -> None:
    ids = await set_online(services, "agent1", "agent2")
    async with services.unit_of_work() as uow:
        logistics = await waiting(uow, skill="logistics")
        pre_sale = await waiting(uow, skill="pre_sale")
        english = await waiting(uow, skill="after_sale", language="en")
        after = [await waiting(uow, skill="after_sale") for _ in range(3)]
        assigned = await assignment.assign_waiting(uow, services.clock.now())
    assert len(assigned) == 6
    # Only agent2 does logistics; only agent1 does pre-sale and English.
    assert (await owner_of(services, logistics.id))[1] == ids["agent2"]
    assert (await owner_of(services, pre_sale.id))[1] == ids["agent1"]
    assert (await owner_of(services, english.id))[1] == ids["agent1"]
    # The after-sale ones fill whoever has more room: both end at their cap of three.
    owners = [(await owner_of(services, c.id))[1] for c in after]
    assert sorted(owners).count(ids["agent1"]) == 1 and owners.count(ids["agent2"]) == 2


async def test_nobody_with_the_skill_waits_without_blocking_others(services: Services) -> None:
    ids = await set_online(services, "agent2")
    async with services.unit_of_work() as uow:
        pre_sale = await waiting(uow, skill="pre_sale")
        logistics = await waiting(uow, skill="logistics")
        await assignment.assign_waiting(uow, services.clock.now())
    assert await owner_of(services, pre_sale.id) == ("queued", None)
    assert await owner_of(services, logistics.id) == ("agent", ids["agent2"])
    # The state is in the database: a fresh session (a restarted server) sees the same queue.
    async with services.sessions() as session:
        rows = (await session.scalars(select(QueueRow).where(QueueRow.state == WAITING))).all()
        assert [r.conversation_id for r in rows] == [pre_sale.id]


async def test_hostile_conversation_goes_to_the_less_exposed_agent(services: Services) -> None:
    ids = await set_online(services, "agent1", "agent2")
    now = services.clock.now()
    async with services.unit_of_work() as uow:
        # agent1 took two abusive customers in the last half hour; agent2 none but is busier.
        for minutes in (10, 20):
            uow.session.add(
                HostileEventRow(
                    agent_id=ids["agent1"],
                    conversation_id=f"old{minutes}",
                    at=now - timedelta(minutes=minutes),
                    kind="abusive",
                )
            )
        busy = [await waiting(uow, skill="logistics") for _ in range(2)]
        await assignment.assign_waiting(uow, now)
    assert [(await owner_of(services, c.id))[1] for c in busy] == [ids["agent2"]] * 2
    async with services.unit_of_work() as uow:
        hostile = await waiting(uow, text="垃圾客服", analysis=ABUSIVE)
        calm = await waiting(uow)
        await assignment.assign_waiting(uow, now)
    assert (await owner_of(services, hostile.id))[1] == ids["agent2"]
    # An ordinary conversation still goes to the one with the most room.
    assert (await owner_of(services, calm.id))[1] == ids["agent1"]
    async with services.sessions() as session:
        states = {a.agent_id: a for a in await routing.agent_states(session, services.clock.now())}
    assert states[ids["agent2"]].exposure == pytest.approx(1.0, abs=0.01)


async def test_break_hands_conversations_on_and_gets_nothing_until_it_ends(
    services: Services,
) -> None:
    ids = await set_online(services, "agent1", "agent2")
    now = services.clock.now()
    async with services.unit_of_work() as uow:
        held = await waiting(uow, skill="after_sale")
        await assignment.assign_waiting(uow, now)
    first_owner = (await owner_of(services, held.id))[1]
    assert first_owner is not None
    name = "agent1" if first_owner == ids["agent1"] else "agent2"
    other = ids["agent2" if name == "agent1" else "agent1"]
    async with services.unit_of_work() as uow:
        account = await uow.session.get(Account, first_owner)
        assert account is not None
        await presence.set_presence(uow, principal_of(account), "break", now, break_minutes=15)
    # Back to the front of the queue and on to the colleague at once.
    assert await owner_of(services, held.id) == ("agent", other)
    async with services.unit_of_work() as uow:
        account = await uow.session.get(Account, other)
        assert account is not None
        account.presence = "away"
        fresh = await waiting(uow, skill="after_sale")
        await assignment.assign_waiting(uow, now + timedelta(minutes=5))
    assert await owner_of(services, fresh.id) == ("queued", None), "nothing during a break"
    async with services.unit_of_work() as uow:
        await assignment.assign_waiting(uow, now + timedelta(minutes=16))
    assert await owner_of(services, fresh.id) == ("agent", first_owner), "back after the break"
    async with services.sessions() as session:
        status = await session.get(AgentStatus, first_owner)
        account = await session.get(Account, first_owner)
        assert status is not None and account is not None
        assert status.break_until is None and status.last_break_end is not None
        assert account.presence == "online"


async def test_an_agent_who_stops_answering_loses_the_conversation(services: Services) -> None:
    ids = await set_online(services, "agent1")
    now = services.clock.now()
    async with services.unit_of_work() as uow:
        c = await waiting(uow, skill="after_sale")
        await assignment.assign_waiting(uow, now)
    assert await owner_of(services, c.id) == ("agent", ids["agent1"])
    ids |= await set_online(services, "agent2")
    async with services.unit_of_work() as uow:
        result = await assignment.run_round(uow, now + timedelta(minutes=4))
    assert result.requeued == [], "four minutes is slow, not gone"
    async with services.unit_of_work() as uow:
        result = await assignment.run_round(uow, now + timedelta(minutes=6))
    assert [(r.conversation_id, r.reason) for r in result.requeued] == [(c.id, "agent_silent")]
    assert await owner_of(services, c.id) == ("agent", ids["agent2"])


async def test_offline_agent_conversations_go_back_to_the_front(services: Services) -> None:
    ids = await set_online(services, "agent1")
    now = services.clock.now()
    async with services.unit_of_work() as uow:
        held = await waiting(uow, skill="after_sale", queued_at=now)
        await assignment.assign_waiting(uow, now)
        # An angry VIP waits behind nobody yet; the re-queued one must still go first.
        await waiting(uow, skill="after_sale", analysis=ABUSIVE, queued_at=now)
    async with services.unit_of_work() as uow:
        a1 = await uow.session.get(Account, ids["agent1"])
        assert a1 is not None
        await presence.set_presence(uow, principal_of(a1), "offline", now + timedelta(seconds=5))
    async with services.sessions() as session:
        order = [c.id for c in await routing.queued_conversations(session)]
        row = await session.scalar(
            select(QueueRow).where(QueueRow.conversation_id == held.id, QueueRow.state == WAITING)
        )
    assert order[0] == held.id
    assert row is not None and row.requeued and row.avoid_agent_id == ids["agent1"]


async def test_wait_estimate_follows_position_slots_and_handling_time(services: Services) -> None:
    await set_online(services, "agent1", "agent2")
    now = services.clock.now()
    async with services.unit_of_work() as uow:
        for _ in range(6):  # both agents at their cap of three
            await waiting(uow, skill="after_sale", queued_at=now - timedelta(seconds=30))
        await assignment.assign_waiting(uow, now)
        first = await waiting(uow, skill="after_sale", queued_at=now)
        second = await waiting(uow, skill="after_sale", queued_at=now + timedelta(seconds=1))
        await assignment.assign_waiting(uow, now + timedelta(seconds=1))
    async with services.sessions() as session:
        c1 = await session.get(type(first), first.id)
        c2 = await session.get(type(second), second.id)
        assert c1 is not None and c2 is not None
        at = now + timedelta(seconds=1)
        pos1, eta1 = await routing.queue_estimate(session, c1, now=at)
        pos2, eta2 = await routing.queue_estimate(session, c2, now=at)
    # No history yet: 300 s handling; 6 busy slots free one every 50 s (Erlang C at position).
    assert (pos1, pos2) == (1, 2)
    assert eta1 == pytest.approx(50, abs=2)
    assert eta2 == pytest.approx(100, abs=2)


async def test_sustained_hostile_load_suggests_a_break_and_tells_the_supervisor(
    services: Services,
) -> None:
    ids = await set_online(services, "agent1")
    now = services.clock.now()
    async with services.unit_of_work() as uow:
        for minutes in (5, 10, 15):
            uow.session.add(
                HostileEventRow(
                    agent_id=ids["agent1"],
                    conversation_id=f"h{minutes}",
                    at=now - timedelta(minutes=minutes),
                    kind="abusive",
                )
            )
        await uow.session.flush()
        await assignment.assign_waiting(uow, now)
        staged = [event for _, event in uow.staged]
    types = {(e.type, getattr(e, "agent_id", None)) for e in staged}
    assert ("wellbeing.break_suggested", ids["agent1"]) in types
    assert ("wellbeing.alert", ids["agent1"]) in types
    async with services.sessions() as session:
        status = await session.get(AgentStatus, ids["agent1"])
        assert status is not None and status.break_suggested_at is not None
        assert status.alert_level == "notice"
    # Announced once: the next round does not repeat it.
    async with services.unit_of_work() as uow:
        await assignment.assign_waiting(uow, now + timedelta(seconds=10))
        again = [e.type for _, e in uow.staged]
    assert "wellbeing.break_suggested" not in again


async def test_assigned_rows_record_the_wait(services: Services) -> None:
    ids = await set_online(services, "agent1", presence="away")
    now = services.clock.now()
    async with services.unit_of_work() as uow:
        c = await waiting(uow, queued_at=now)
        await assignment.assign_waiting(uow, now)
    await set_online(services, "agent1")
    async with services.unit_of_work() as uow:
        await assignment.assign_waiting(uow, now + timedelta(seconds=40))
    async with services.sessions() as session:
        row = await session.scalar(select(QueueRow).where(QueueRow.conversation_id == c.id))
    assert row is not None and row.state == ASSIGNED and row.agent_id == ids["agent1"]
    assert row.ended_at is not None and (row.ended_at - row.enqueued_at).total_seconds() == 40
    assert row.first_estimate_seconds is not None


async def test_a_conversation_is_taken_from_the_queue_once(services: Services) -> None:
    async with services.unit_of_work() as uow:
        c = await waiting(uow)
    async with services.unit_of_work() as uow:
        first = await uow.session.get(type(c), c.id)
        assert first is not None
        assert await assignment.take_from_queue(uow, first)
        # A second claim or round racing for it (same row, state already moved) gets nothing.
        assert not await assignment.take_from_queue(uow, first)
