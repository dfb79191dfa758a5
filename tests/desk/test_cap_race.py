"""Two instances on one PostgreSQL database give the same agent work at the same moment: the
cap holds (the agent's row is locked while their load is counted and a conversation given)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from tandem.config import Settings
from tandem.core.clock import utcnow
from tandem.core.errors import Conflict
from tandem.db.migrate import upgrade
from tandem.demo import seed_demo
from tandem.desk import service
from tandem.identity.models import Account
from tandem.identity.service import principal_of
from tandem.routing import assignment
from tandem.routing.service import active_load as routing_service_load
from tandem.services import Services, build_services
from tests.conftest import PgServer

from .helpers import account, set_online, waiting

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres]


@pytest.fixture
async def two_instances(tmp_path, pg_server: PgServer) -> AsyncIterator[tuple[Services, Services]]:  # type: ignore[no-untyped-def]
    admin = await asyncpg.connect(
        host=pg_server.host, port=pg_server.port, user=pg_server.user, database="postgres"
    )
    await admin.execute('DROP DATABASE IF EXISTS "caprace" WITH (FORCE)')
    await admin.execute('CREATE DATABASE "caprace"')
    settings = Settings(
        data_dir=tmp_path,
        database_url=pg_server.url("caprace"),
        argon2_time_cost=1,
        argon2_memory_cost=64,
    )
    a, b = build_services(settings), build_services(settings)
    await upgrade(settings, a.engine)
    await seed_demo(a)
    try:
        yield a, b
    finally:
        await a.engine.dispose()
        await b.engine.dispose()
        await admin.execute('DROP DATABASE IF EXISTS "caprace" WITH (FORCE)')
        await admin.close()


async def _cap_of_one(services: Services, presence: str) -> tuple[str, list[str]]:
    """agent1 with a cap of one, and two after-sale conversations waiting (no round yet)."""
    ids = await set_online(services, "agent1", presence=presence)
    async with services.unit_of_work() as uow:
        (await account(uow, "agent1")).max_concurrent = 1
        queued = [(await waiting(uow)).id for _ in range(2)]
    return ids["agent1"], queued


async def _load(services: Services, agent_id: str) -> int:
    async with services.sessions() as session:
        return await routing_service_load(session, agent_id)


async def test_two_claims_on_two_instances_cannot_pass_the_cap(
    two_instances: tuple[Services, Services],
) -> None:
    a, b = two_instances
    agent_id, (first, second) = await _cap_of_one(a, presence="away")

    async def claim(services: Services, conversation_id: str) -> str:
        try:
            async with services.unit_of_work() as uow:
                me = await uow.session.get(Account, agent_id)
                assert me is not None
                await service.accept(uow, principal_of(me), conversation_id, utcnow())
        except Conflict:
            return "refused"
        return "claimed"

    results = await asyncio.gather(claim(a, first), claim(b, second))
    assert sorted(results) == ["claimed", "refused"]
    assert await _load(a, agent_id) == 1


async def test_two_rounds_on_two_instances_cannot_pass_the_cap(
    two_instances: tuple[Services, Services],
) -> None:
    a, b = two_instances
    agent_id, _ = await _cap_of_one(a, presence="online")

    async def round_on(services: Services) -> int:
        async with services.unit_of_work() as uow:
            return len(await assignment.assign_waiting(uow, utcnow()))

    assigned = await asyncio.gather(round_on(a), round_on(b))
    # A round never waits on rows another holds (so rounds cannot deadlock): under contention
    # both may leave the work to the next round, but never both give it.
    assert sum(assigned) <= 1
    assert await _load(a, agent_id) == sum(assigned)
    await asyncio.gather(round_on(a), round_on(b))
    await round_on(b)
    assert await _load(a, agent_id) == 1
