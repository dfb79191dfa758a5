"""The LLM's call log and budget once more on PostgreSQL (started from the installed binaries)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from tests.llm.test_reword import settings  # noqa: F401  (the fake provider switched on)
from tests.llm.test_reword import (
    test_over_the_day_budget_the_model_is_not_asked as _budget,
)
from tests.llm.test_reword import (
    test_the_engine_decides_the_same_with_the_model_on_or_off as _same,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres]


@pytest.fixture
async def db_url(request: pytest.FixtureRequest) -> AsyncIterator[str]:
    pg = request.getfixturevalue("pg_server")
    name = "t_" + uuid.uuid4().hex[:12]
    admin = await asyncpg.connect(host=pg.host, port=pg.port, user=pg.user, database="postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg.url(name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_same_decisions_on_postgres(server: Any, client: Any, fake_llm: Any) -> None:
    await _same(server, client, fake_llm)


async def test_budget_on_postgres(
    settings: Any,  # noqa: F811
    server: Any,
    open_customer: Any,
    fake_llm: Any,
) -> None:
    await _budget(settings, server, open_customer, fake_llm)
