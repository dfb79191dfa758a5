"""Topic-based publish/subscribe for live events.

Subscribers get a bounded queue; one that falls too far behind is cut off rather than slowing
everybody (it reconnects and resumes from the event log, losing nothing).
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any, Protocol

from redis.asyncio import Redis

from tandem.core.events import Event, parse_event, wire

QUEUE_LIMIT = 1000


class Overflowed(Exception):
    """The subscriber fell behind; it must resume from the log."""


class Subscription:
    def __init__(self) -> None:
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue(QUEUE_LIMIT)
        self.overflowed = False
        self.closed = False
        self._ends_with: asyncio.Future[Any] | None = None

    def put(self, event: Event) -> None:
        if self.overflowed or self.closed:
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True
            # Make room for the wake-up marker; the reader sees `overflowed` and stops.
            with suppress(asyncio.QueueEmpty):
                self._queue.get_nowait()
            self._queue.put_nowait(None)

    async def get(self) -> Event:
        item = await self._queue.get()
        if item is None:
            raise Overflowed
        return item

    def close(self) -> None:
        """The reader has gone: `next` returns None from now on, a waiting one at once."""
        if not self.closed:
            self.closed = True
            with suppress(asyncio.QueueFull):  # a full queue wakes the reader anyway
                self._queue.put_nowait(None)

    def ends_with(self, task: asyncio.Future[Any]) -> None:
        """Close when `task` ends (a socket's reader noticing the disconnect): one callback,
        instead of a task and a wait per event to watch both."""
        if self._ends_with is not task:
            self._ends_with = task
            task.add_done_callback(lambda _: self.close())

    async def next(self) -> Event | None:
        """The next event, or None once closed (queued events are dropped: nobody reads
        them). Raises Overflowed when the reader fell behind."""
        if not self.closed:
            item = await self._queue.get()
            if not self.closed:
                if item is None:
                    raise Overflowed
                return item
        return None


class Hub(Protocol):
    async def publish(self, topic: str, event: Event) -> None: ...

    def subscribe(self, *topics: str) -> Any: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class LocalHub:
    """In-process hub: right for one server process (the SQLite default)."""

    def __init__(self) -> None:
        self._subs: dict[str, set[Subscription]] = defaultdict(set)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def publish(self, topic: str, event: Event) -> None:
        self.deliver(topic, event)

    def deliver(self, topic: str, event: Event) -> None:
        for sub in list(self._subs.get(topic, ())):
            sub.put(event)

    def listening(self, topic: str) -> bool:
        """Whether anyone in this process is subscribed to the topic (a customer's open chat)."""
        return bool(self._subs.get(topic))

    @asynccontextmanager
    async def subscribe(self, *topics: str) -> AsyncIterator[Subscription]:
        sub = Subscription()
        for topic in topics:
            self._subs[topic].add(sub)
        try:
            yield sub
        finally:
            for topic in topics:
                self._subs[topic].discard(sub)
                if not self._subs[topic]:
                    del self._subs[topic]


class RedisHub(LocalHub):
    """Several server instances: every publish goes through Redis, and each instance delivers
    what it receives to its own local subscribers."""

    CHANNEL = "tandem:events"

    def __init__(self, url: str) -> None:
        super().__init__()
        self._redis = Redis.from_url(url)
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen())
        await self._ready.wait()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        await self._redis.aclose()

    async def publish(self, topic: str, event: Event) -> None:
        # The same typed event on the other side: its JSON, parsed back by the registry.
        await self._redis.publish(self.CHANNEL, json.dumps({"topic": topic, "event": wire(event)}))

    async def _listen(self) -> None:
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(self.CHANNEL)
        self._ready.set()
        try:
            async for message in pubsub.listen():
                if message.get("type") != "message":
                    continue
                envelope = json.loads(message["data"])
                self.deliver(envelope["topic"], parse_event(envelope["event"]))
        finally:
            await pubsub.aclose()  # type: ignore[no-untyped-call]


def conversation_topic(conversation_id: str) -> str:
    return f"conversation:{conversation_id}"


DESK_TOPIC = "desk"
