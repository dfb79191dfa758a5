"""What one agent message costs the server (issue 17: the relay's hot path), counted on the
request's own task through the real app: database statements and thread hops. Background work
(the assignment round, the dispatcher) runs on other tasks and is not mixed in."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio.to_thread
import httpx
import pytest
from sqlalchemy import event

from tests.conftest import LiveServer

pytestmark = pytest.mark.asyncio


def _verb_and_table(statement: str) -> tuple[str, str]:
    words = statement.split()
    verb = words[0].upper()
    marker = {"SELECT": "FROM", "INSERT": "INTO", "UPDATE": "UPDATE", "DELETE": "FROM"}.get(verb)
    if marker is None:
        return verb, ""  # BEGIN / BEGIN IMMEDIATE (SQLite's), COMMIT ...
    return verb, words[[w.upper() for w in words].index(marker) + 1].strip('"')


@contextmanager
def _on_request_tasks(server: LiveServer) -> Iterator[dict[str, Counter[tuple[str, str]]]]:
    """Statements and thread-pool calls, by the task that made them."""
    seen: dict[str, Counter[tuple[str, str]]] = {"sql": Counter(), "threads": Counter()}
    by_task: dict[int, Counter[tuple[str, str]]] = {}

    def statement(_conn: Any, _cursor: Any, text: str, *_: Any) -> None:
        by_task.setdefault(id(asyncio.current_task()), Counter())[_verb_and_table(text)] += 1

    real = anyio.to_thread.run_sync

    async def counted(func: Any, *args: Any, **kw: Any) -> Any:
        by_task.setdefault(id(asyncio.current_task()), Counter())[("thread", "")] += 1
        return await real(func, *args, **kw)

    engine = server.services.engine.sync_engine
    event.listen(engine, "before_cursor_execute", statement)
    anyio.to_thread.run_sync = counted  # type: ignore[assignment]
    try:
        yield seen
    finally:
        anyio.to_thread.run_sync = real
        event.remove(engine, "before_cursor_execute", statement)
        # The request's task is the one that wrote the agent's message.
        (mine,) = [c for c in by_task.values() if c[("INSERT", "messages")]]
        seen["threads"][("thread", "")] = mine.pop(("thread", ""), 0)
        seen["sql"].update(mine)


async def _held(server: LiveServer, agent_client: httpx.AsyncClient, open_customer: Any) -> str:
    c = await open_customer()
    r = await c.say("转人工")
    assert r.json()["conversation"]["state"] == "agent", r.text
    return f"/api/v1/desk/conversations/{c.id}/messages"


async def test_an_agent_message_takes_no_thread_pool_hop(
    server: LiveServer, agent_client: httpx.AsyncClient, open_customer: Any
) -> None:
    url = await _held(server, agent_client, open_customer)
    await agent_client.post(url, json={"text": "先看一下", "client_msg_id": "w"})  # seen token
    with _on_request_tasks(server) as seen:
        r = await agent_client.post(url, json={"text": "您好", "client_msg_id": "a1"})
    assert r.status_code == 201, r.text
    # The route's dependencies (services, bearer, cookie) are plain lookups: a `def` one
    # would cost a hop to the thread pool each.
    assert seen["threads"][("thread", "")] == 0
