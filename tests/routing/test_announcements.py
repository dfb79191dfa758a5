"""A waiting customer is told their place again only when it changed materially (issue 17):
a queue that did not move writes no event, one that moved tells each customer once."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from tandem.conversations.models import Event
from tandem.routing.assignment import changed_materially
from tandem.routing.models import QueueRow
from tandem.services import Services


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
    row = QueueRow(announced_position=3, announced_eta_seconds=600)
    assert changed_materially(row, 2, 600)  # moved up
    assert not changed_materially(row, 3, 650)  # 50 s: not worth a message
    assert not changed_materially(row, 3, 700)  # 100 s of 600 is under a fifth
    assert changed_materially(row, 3, 760)  # 160 s, over a fifth
    assert changed_materially(QueueRow(), 1, 60)  # never told yet
