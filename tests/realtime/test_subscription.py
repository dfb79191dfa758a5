"""A subscription as every open socket reads it (`realtime.ws.next_event`): events in the
order published, None once the socket's reader has ended, Overflowed when it fell behind."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from tandem.core import events
from tandem.realtime import hub as hub_module
from tandem.realtime.hub import LocalHub, Overflowed
from tandem.realtime.ws import next_event

pytestmark = pytest.mark.asyncio
AT = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)


def _event(seq: int) -> events.Event:
    return events.conversation_event(
        "conversation.state_changed", "c1", seq, {"state": "agent"}, AT
    )


async def test_events_in_order_then_none_once_the_reader_ends() -> None:
    hub = LocalHub()
    # Tasks of other fixtures sharing the loop (a browser's pipe) are not this desk's.
    before = asyncio.all_tasks()
    reader_done = asyncio.Event()
    receiver = asyncio.create_task(reader_done.wait())
    async with hub.subscribe("desk") as sub:
        for seq in (1, 2, 3):
            await hub.publish("desk", _event(seq))
        got = [await next_event(sub, receiver) for _ in range(3)]
        assert [e.seq for e in got if isinstance(e, events.Sequenced)] == [1, 2, 3]
        waiting = asyncio.create_task(next_event(sub, receiver))
        await asyncio.sleep(0)  # let it start waiting on the empty queue
        # While a desk waits for the next event, nothing runs for it but its reader: no
        # task per event to watch the reader and the queue together.
        assert asyncio.all_tasks() - before == {receiver, waiting}
        reader_done.set()  # the client went away
        assert await waiting is None
        await hub.publish("desk", _event(4))  # published after: never read
        assert await next_event(sub, receiver) is None


async def test_a_reader_that_ended_with_events_queued_gets_none() -> None:
    hub = LocalHub()
    receiver: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    async with hub.subscribe("desk") as sub:
        await hub.publish("desk", _event(1))
        receiver.set_result(None)
        assert await next_event(sub, receiver) is None  # type: ignore[arg-type]


async def test_a_reader_too_far_behind_is_told_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hub_module, "QUEUE_LIMIT", 2)
    hub = LocalHub()
    receiver = asyncio.create_task(asyncio.Event().wait())
    try:
        async with hub.subscribe("desk") as sub:
            for seq in (1, 2, 3):
                await hub.publish("desk", _event(seq))
            # The third found the queue full: the oldest made room for the marker, so the
            # reader gets 2, then learns it fell behind (it resumes from the log).
            first = await next_event(sub, receiver)
            assert isinstance(first, events.Sequenced) and first.seq == 2
            with pytest.raises(Overflowed):
                await next_event(sub, receiver)
    finally:
        receiver.cancel()
