"""The services container built once at start-up and kept on `app.state.services`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tandem.config import Settings
from tandem.conversations.turns import TurnDeps
from tandem.core.clock import Clock
from tandem.db.uow import UnitOfWork
from tandem.http.ratelimit import RateLimiter
from tandem.knowledge.index import KnowledgeIndex
from tandem.realtime.hub import LocalHub
from tandem.shop.provider import Shop
from tandem.understanding import Understanding


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    hub: LocalHub
    hasher: PasswordHasher
    rate_limiter: RateLimiter
    login_limiter: RateLimiter
    understanding: Understanding
    clock: Clock
    knowledge: KnowledgeIndex
    shop: Shop
    extras: dict[str, Any] = field(default_factory=dict)
    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """One transaction. Committed when the block ends without error; the staged realtime
        events are published only after the commit succeeded (so nothing is announced that
        was not stored)."""
        async with self._writer_turn(), self.sessions() as session:
            uow = UnitOfWork(session)
            async with session.begin():
                yield uow
        await self.publish(uow)

    @asynccontextmanager
    async def _writer_turn(self) -> AsyncIterator[None]:
        # SQLite has one writer at a time. Queueing our writers here (instead of letting them
        # collide in SQLite's busy handler, which sleeps and retries) keeps the tail latency
        # low and rules out "database is locked" between two transactions of this process.
        # PostgreSQL needs no such thing: row locks do the work.
        if self.settings.is_sqlite:
            async with self.write_lock:
                yield
        else:
            yield

    @property
    def turn_deps(self) -> TurnDeps:
        return TurnDeps(
            self.settings,
            self.understanding,
            self.knowledge,
            self.shop,
            self.clock,
            wordsmith=self.extras.get("wordsmith"),
        )

    async def publish(self, uow: UnitOfWork) -> None:
        """Send what the unit of work staged; call only after its commit succeeded."""
        for topic, event in uow.take_staged():
            await self.hub.publish(topic, event)
