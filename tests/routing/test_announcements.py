"""A waiting customer is told their place again only when it changed materially (issue 17):
a queue that did not move writes no event, one that moved tells each customer once."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, update

from tandem.conversations.models import Conversation, Event
from tandem.identity.models import Account
from tandem.routing import assignment
from tandem.routing.assignment import changed_materially
from tandem.routing.models import WAITING, QueueRow
from tandem.services import Services

from .factories import conversation_row


async def _queue_updates(services: Services, conversation_id: str) -> int:
    async with services.sessions() as session:
        n = await session.scalar(
            select(func.count())
            .select_from(Event)
            .where(Event.conversation_id == conversation_id, Event.type == "queue.updated")
        )
    return int(n or 0)


@pytest.mark.asyncio
async def test_rounds_that_change_nothing_tell_nobody_anything(
    open_customer, client: httpx.AsyncClient, services: Services
) -> None:  # type: ignore[no-untyped-def]
    waiting = []
    for _ in range(3):
        c = await open_customer()
        r = await c.say("转人工")
        assert r.json()["conversation"]["state"] == "queued"
        waiting.append(c)
    before = [await _queue_updates(services, c.id) for c in waiting]
    # Every hand-off told its own customer once (nobody online: nobody else moved).
    assert before == [1, 1, 1]
    lead = httpx.AsyncClient(base_url=str(client.base_url), timeout=30)
    async with lead:
        r = await lead.post(
            "/api/v1/auth/login", json={"username": "lead", "password": "tandem-demo"}
        )
        assert r.status_code == 200
        for _ in range(3):
            assert (await lead.post("/api/v1/desk/assign")).status_code == 200
    after = [await _queue_updates(services, c.id) for c in waiting]
    assert after == before


def test_what_counts_as_a_material_change() -> None:
    assert changed_materially(3, 600, 2, 600)  # moved up near the front
    assert not changed_materially(3, 600, 3, 650)  # 50 s: not worth a message
    assert not changed_materially(3, 600, 3, 700)  # 100 s of 600 is under a fifth
    assert changed_materially(3, 600, 3, 760)  # 160 s, over a fifth
    assert changed_materially(None, None, 1, 60)  # never told yet


def test_far_back_a_place_is_news_only_when_it_moved_by_a_fifth() -> None:
    # Told 500th: 499th (one step) is not worth a message, 400th (a fifth) is.
    assert not changed_materially(500, 30_000, 499, 30_000)
    assert not changed_materially(500, 30_000, 401, 30_000)
    assert changed_materially(500, 30_000, 400, 30_000)
    # From 12th to 11th is under a fifth of 12 (2.4 places); reaching the front tells.
    assert not changed_materially(12, 900, 11, 900)
    assert changed_materially(12, 900, 10, 900)
    # Falling back far enough is news too (someone urgent went ahead of many).
    assert changed_materially(20, 1200, 24, 1200)
    # Far back, the wait still counts on its own.
    assert changed_materially(500, 3000, 499, 2000)


async def _fill_queue(services: Services, waiting: int) -> list[str]:
    """One agent (after-sale, one slot, busy) is the whole desk; `waiting` customers queue
    for after-sale, a minute apart (so their order is their arrival order)."""
    now = services.clock.now()
    async with services.unit_of_work() as uow:
        s = uow.session
        await s.execute(update(Account).values(presence="offline"))
        s.add(
            Account(
                id="solo",
                username="solo",
                display_name="小林",
                password_hash="-",
                role="agent",
                skills=["after_sale"],
                max_concurrent=1,
                presence="online",
                presence_changed_at=now,
            )
        )
        await s.flush()
        s.add(conversation_row("held", "agent", now, assigned_agent_id="solo", assigned_at=now))
        ids = [f"wait{i:02d}" for i in range(waiting)]
        for i, cid in enumerate(ids):
            queued_at = now - timedelta(minutes=waiting - i)
            s.add(conversation_row(cid, "queued", queued_at, queued_at=queued_at))
        await s.flush()
        await assignment.sync_queue(uow, now)
    return ids


async def _updates_byconversation_row(services: Services) -> dict[str, int]:
    async with services.sessions() as session:
        rows = await session.execute(
            select(Event.conversation_id, func.count())
            .where(Event.type == "queue.updated")
            .group_by(Event.conversation_id)
        )
        return {cid: int(n) for cid, n in rows.all()}


@pytest.mark.asyncio
async def test_one_freed_slot_tells_the_front_of_the_queue_not_everyone(
    services: Services,
) -> None:
    ids = await _fill_queue(services, 30)
    now = services.clock.now()
    async with services.unit_of_work() as uow:
        assert await assignment.assign_waiting(uow, now) == []
    # The first round tells every waiting customer once, in one pass.
    assert await _updates_byconversation_row(services) == {cid: 1 for cid in ids}
    async with services.unit_of_work() as uow:
        held = await uow.session.get(Conversation, "held")
        assert held is not None
        held.state, held.resolved_at = "resolved", now
    async with services.unit_of_work() as uow:
        done = await assignment.assign_waiting(uow, now)
    assert [(a.conversation_id, a.agent_id) for a in done] == [("wait00", "solo")]
    # Everyone moved up one place. Places 1-10 are news (wait01..wait10, now 1st..10th);
    # from 11th back, one place is less than a fifth of the place told: no message.
    told_again = {cid for cid, n in (await _updates_byconversation_row(services)).items() if n == 2}
    assert told_again == {f"wait{i:02d}" for i in range(1, 11)}
    async with services.sessions() as session:
        rows = {
            r.conversation_id: r
            for r in (
                await session.scalars(select(QueueRow).where(QueueRow.state == WAITING))
            ).all()
        }
    assert rows["wait01"].announced_position == 1
    # Not told again: the row keeps what the customer was told (their old place).
    assert rows["wait20"].announced_position == 21
