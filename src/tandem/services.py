"""The composition root's container: everything the app needs, built once at start-up and kept
on `app.state.services`. It knows every component; nothing below it knows it (the edge's
routes reach it through `tandem.deps`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tandem.config import Settings
from tandem.core.clock import Clock, SystemClock
from tandem.db.session import begin_writing, build_engine, build_sessionmaker
from tandem.db.uow import UnitOfWork
from tandem.engine.wording import DEFAULT_WORDING, Wording, load_wording
from tandem.http.ratelimit import RateLimiter, storage_for
from tandem.identity.service import password_hasher
from tandem.knowledge.index import KnowledgeIndex
from tandem.llm.service import wordsmith_for
from tandem.realtime.hub import LocalHub, RedisHub
from tandem.shop.provider import Shop, build_shop
from tandem.turns.service import TurnDeps, TurnGate
from tandem.understanding import Understanding, load_understanding


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
    wording: Wording = DEFAULT_WORDING
    extras: dict[str, Any] = field(default_factory=dict)
    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    turn_gate: TurnGate = field(default_factory=TurnGate)

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[UnitOfWork]:
        """One transaction. Committed when the block ends without error; the staged realtime
        events are published only after the commit succeeded (so nothing is announced that
        was not stored)."""
        async with self._writer_turn(), self.sessions() as session:
            uow = UnitOfWork(session)
            async with session.begin():
                await begin_writing(session)
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
            self.wording,
            wordsmith=self.extras.get("wordsmith"),
        )

    async def publish(self, uow: UnitOfWork) -> None:
        """Send what the unit of work staged; call only after its commit succeeded."""
        for topic, event in uow.take_staged():
            await self.hub.publish(topic, event)


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    """Everything the app needs, built once. `clock` is for tests and the simulator."""
    engine = build_engine(settings)
    clock = clock or SystemClock()
    shop = build_shop(settings, clock=clock)
    return Services(
        settings=settings,
        engine=engine,
        sessions=build_sessionmaker(engine, clock, shop.policy.service_hours.zone),
        hub=RedisHub(settings.redis_url) if settings.redis_url else LocalHub(),
        hasher=password_hasher(settings.argon2_time_cost, settings.argon2_memory_cost),
        # Counted in Redis when there is one, so every worker and instance shares the window.
        rate_limiter=RateLimiter(
            settings.rate_limit_per_minute, storage=storage_for(settings.redis_url)
        ),
        login_limiter=RateLimiter(10, namespace="logins"),
        understanding=load_understanding(settings.nlu_model_dir),
        knowledge=KnowledgeIndex(),
        shop=shop,
        clock=clock,
        wording=load_wording(settings.data_dir),
        extras={"wordsmith": wordsmith_for(settings, clock, shop)},
    )
