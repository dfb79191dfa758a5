"""The webhook and email paths once more on PostgreSQL (started from the installed binaries)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from tests.channels.test_email import (
    test_a_customer_who_left_gets_the_promise_and_then_the_answer_by_email as _left,
)
from tests.channels.test_webhook import (
    test_a_receiver_down_for_a_while_loses_nothing_and_gets_nothing_twice as _down,
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


async def test_receiver_down_and_back_on_postgres(server: Any, client: Any, receiver: Any) -> None:
    await _down(server, client, receiver)


async def test_email_to_a_customer_who_left_on_postgres(
    server: Any, client: Any, open_customer: Any, mailbox: Any
) -> None:
    await _left(server, client, open_customer, mailbox)
