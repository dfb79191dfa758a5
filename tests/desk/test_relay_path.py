"""What one agent message costs the server (issue 17: the relay's hot path), counted on the
request's own task through the real app: database statements and thread hops. Background work
(the assignment round, the dispatcher) runs on other tasks and is not mixed in."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import anyio.to_thread
import httpx
import pytest
from sqlalchemy import event

from tandem.core.clock import FixedClock
from tandem.routing import assignment
from tandem.routing.models import AgentStatus
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


def _data(sql: Counter[tuple[str, str]]) -> Counter[tuple[str, str]]:
    """The statements both databases run alike (no BEGIN flavours)."""
    verbs = ("SELECT", "INSERT", "UPDATE", "DELETE")
    return Counter({k: v for k, v in sql.items() if k[0] in verbs})


async def test_an_agent_message_costs_four_statements_and_its_activity_one_more_per_grain(
    server: LiveServer, agent_client: httpx.AsyncClient, open_customer: Any
) -> None:
    clock = server.services.clock
    assert isinstance(clock, FixedClock)
    url = await _held(server, agent_client, open_customer)
    start = clock.now()
    await agent_client.post(url, json={"text": "先看一下", "client_msg_id": "w"})
    # Worked out from desk/relay.py: the session (one SELECT joining the account), the
    # ownership check with the number (one UPDATE), the message and its event.
    message = {
        ("SELECT", "staff_sessions"): 1,
        ("UPDATE", "conversations"): 1,
        ("INSERT", "messages"): 1,
        ("INSERT", "events"): 1,
    }
    with _on_request_tasks(server) as seen:
        r = await agent_client.post(url, json={"text": "您好", "client_msg_id": "a1"})
    assert r.status_code == 201, r.text
    assert _data(seen["sql"]) == Counter(message), "activity written 0 s ago: not again"

    clock.set(start + timedelta(seconds=29))
    with _on_request_tasks(server) as seen:
        await agent_client.post(url, json={"text": "稍等", "client_msg_id": "a2"})
    assert _data(seen["sql"]) == Counter(message)

    clock.set(start + timedelta(seconds=31))
    with _on_request_tasks(server) as seen:
        await agent_client.post(url, json={"text": "查到了", "client_msg_id": "a3"})
    assert _data(seen["sql"]) == Counter(message) + Counter({("UPDATE", "routing_agents"): 1})
    async with server.services.sessions() as session:
        statuses = (await session.execute(AgentStatus.__table__.select())).mappings().all()
    active = [s["last_activity_at"] for s in statuses if s["last_activity_at"] is not None]
    assert max(active).replace(tzinfo=None) == (start + timedelta(seconds=31)).replace(tzinfo=None)


async def test_an_agent_writing_elsewhere_keeps_a_waiting_conversation_though_unrecorded(
    server: LiveServer, agent_client: httpx.AsyncClient, open_customer: Any
) -> None:
    """Their activity is stored at most every 30 s (routing.policy.ACTIVITY_GRAIN); the
    stopped-answering rule must still see an agent busy in another conversation as busy."""
    services = server.services
    clock = services.clock
    assert isinstance(clock, FixedClock)
    start = clock.now()
    first = await _held(server, agent_client, open_customer)
    waiting = await open_customer()
    assert (await waiting.say("转人工")).json()["conversation"]["state"] == "agent"
    second = f"/api/v1/desk/conversations/{waiting.id}/messages"
    await agent_client.post(first, json={"text": "您好", "client_msg_id": "f1"})
    await agent_client.post(second, json={"text": "您好", "client_msg_id": "s1"})
    clock.set(start + timedelta(seconds=10))
    await waiting.say("还在吗")  # waits from 00:10
    clock.set(start + timedelta(seconds=25))
    r = await agent_client.post(first, json={"text": "稍等", "client_msg_id": "f2"})
    assert r.status_code == 201  # the agent is active at 00:25 (not written: within 30 s)

    # 05:20: the customer has waited 5:10, the agent was active 4:55 ago: slow, not gone.
    at = start + timedelta(minutes=5, seconds=20)
    clock.set(at)
    async with services.unit_of_work() as uow:
        result = await assignment.run_round(uow, at)
    assert result.requeued == []
    # 05:40: 5:15 since their last action: stopped answering (at most 30 s late).
    at = start + timedelta(minutes=5, seconds=40)
    clock.set(at)
    async with services.unit_of_work() as uow:
        result = await assignment.run_round(uow, at)
    assert [(q.conversation_id, q.reason) for q in result.requeued] == [
        (waiting.id, "agent_silent")
    ]


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
