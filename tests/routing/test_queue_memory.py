"""The queue kept in memory per process (`routing.queue`), keyed by the queue version: another
process's change is seen on the next snapshot and only the rows written since are read; a
change rolled back leaves nothing behind; the snapshot from memory is the one a fresh process
reads whole. On SQLite and PostgreSQL, with a second `Services` (its own engine and memory,
as a second server process has) and with a real second process."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tandem.config import Settings
from tandem.conversations import service as conversations
from tandem.conversations.models import Conversation
from tandem.db.uow import UnitOfWork
from tandem.routing import assignment, queue
from tandem.routing import service as routing
from tandem.routing.models import QueueRow
from tandem.services import Services, build_services

from .factories import conversation_row

pytestmark = pytest.mark.asyncio


async def _enqueue(services: Services, cid: str, at: datetime, skill: str = "after_sale") -> None:
    """A conversation handed to the queue, committed (as a hand-off turn does it)."""
    async with services.unit_of_work() as uow:
        c = conversation_row(cid, "queued", at, skill=skill, queued_at=at)
        uow.session.add(c)
        await uow.session.flush()
        await assignment.enqueue(uow, c, at, await routing.new_entry(uow.session, c, at))


async def _snapshot(services: Services) -> routing.Snapshot:
    async with services.sessions() as session:
        return await routing.snapshot(session, services.clock.now())


async def _memory(services: Services) -> queue.QueueMemory:
    async with services.sessions() as session:
        memory = queue.memory_of(session)
    assert memory is not None
    return memory


def _queued(snap: routing.Snapshot) -> set[str]:
    return {e.conversation_id for e in snap.entries if e.conversation_id.startswith("qm-")}


def _recent(snap: routing.Snapshot) -> set[str]:
    return {e.conversation_id for e in snap.recent if e.conversation_id.startswith("qm-")}


async def test_another_process_change_is_seen_reading_only_what_changed(
    services: Services, settings: Settings
) -> None:
    now = services.clock.now()
    other = build_services(settings, services.clock)
    try:
        await _enqueue(services, "qm-a", now - timedelta(minutes=3))
        assert _queued(await _snapshot(services)) == {"qm-a"}
        memory = await _memory(services)
        reads, deltas = memory.reads, memory.deltas
        assert _queued(await _snapshot(services)) == {"qm-a"}  # nothing changed: nothing read
        assert (memory.reads, memory.deltas) == (reads, deltas)

        # The other process enqueues one: seen here, through the rows written since.
        await _enqueue(other, "qm-b", now - timedelta(minutes=1), skill="logistics")
        snap = await _snapshot(services)
        assert _queued(snap) == {"qm-a", "qm-b"}
        assert (memory.reads, memory.deltas) == (reads, deltas + 1)

        # It tells qm-b its place, and qm-a goes back to the AI (its row ends there).
        async with other.unit_of_work() as uow:
            await assignment.mark_announced(uow, "qm-b", 7, 420)
            c = await uow.session.get(Conversation, "qm-a")
            assert c is not None
            await conversations.change_state(uow, c, "bot", reason="customer_left_queue")
            assert await assignment.sync_queue(uow, now)
        snap = await _snapshot(services)
        assert _queued(snap) == {"qm-b"}
        told = snap.told["qm-b"]
        assert (told.position, told.eta_seconds, told.first_estimate_seconds) == (7, 420, 420)
        assert "qm-a" not in snap.told
        # qm-a still arrived within the hour: it counts among the observed arrivals.
        assert _recent(snap) == {"qm-a", "qm-b"}
        assert (memory.reads, memory.deltas) == (reads, deltas + 2)

        # A third process reads the queue whole: the same queue as the one kept in memory.
        third = build_services(settings, services.clock)
        try:
            fresh = await _snapshot(third)
        finally:
            await third.engine.dispose()
        assert sorted(snap.entries, key=lambda e: e.conversation_id) == sorted(
            fresh.entries, key=lambda e: e.conversation_id
        )
        assert snap.told == fresh.told
        assert sorted(e.conversation_id for e in snap.recent) == sorted(
            e.conversation_id for e in fresh.recent
        )
    finally:
        await other.engine.dispose()


async def test_a_change_rolled_back_leaves_the_memory_as_it_was(services: Services) -> None:
    now = services.clock.now()
    await _enqueue(services, "qm-c", now - timedelta(minutes=2))
    before = await _snapshot(services)
    assert _queued(before) == {"qm-c"}
    async with services.sessions() as session:
        version = await queue.read_version(session)
        # The committed row carries the version its transaction bumped, not the pending mark.
        stamped = await session.scalar(
            select(QueueRow.version).where(QueueRow.conversation_id == "qm-c")
        )
    assert version is not None and stamped == version

    async with services.sessions() as session:
        transaction = await session.begin()
        uow = UnitOfWork(session)
        c = conversation_row("qm-d", "queued", now, queued_at=now)
        session.add(c)
        await session.flush()
        await assignment.enqueue(uow, c, now, await routing.new_entry(session, c, now))
        # Inside its transaction the change is seen (its own rows, not yet committed) ...
        inside = await routing.snapshot(session, now)
        assert _queued(inside) == {"qm-c", "qm-d"}
        await transaction.rollback()
    # ... and after the rollback it is gone, here and in the version.
    after = await _snapshot(services)
    assert _queued(after) == {"qm-c"}
    async with services.sessions() as session:
        assert await queue.read_version(session) == version


_OTHER_PROCESS = """
import asyncio, sys
from datetime import datetime
from tandem.config import Settings
from tandem.core.clock import FixedClock
from tandem.routing import assignment
from tandem.routing import service as routing
from tandem.services import build_services
from tests.routing.factories import conversation_row

async def main(url, data_dir, when):
    now = datetime.fromisoformat(when)
    services = build_services(Settings(data_dir=data_dir, database_url=url), FixedClock(now))
    async with services.unit_of_work() as uow:
        c = conversation_row("qm-proc", "queued", now, queued_at=now)
        uow.session.add(c)
        await uow.session.flush()
        await assignment.enqueue(uow, c, now, await routing.new_entry(uow.session, c, now))
    await services.engine.dispose()

asyncio.run(main(*sys.argv[1:]))
"""


async def test_a_real_second_process_enqueuing_is_seen(
    services: Services, settings: Settings
) -> None:
    now = services.clock.now()
    await _enqueue(services, "qm-e", now - timedelta(minutes=1))
    assert _queued(await _snapshot(services)) == {"qm-e"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _OTHER_PROCESS,
        settings.database_url,
        str(settings.data_dir),
        now.isoformat(),
    )
    assert await proc.wait() == 0
    snap = await _snapshot(services)
    assert _queued(snap) == {"qm-e", "qm-proc"}
    assert snap.told["qm-proc"].position is None  # enqueued, not told yet
