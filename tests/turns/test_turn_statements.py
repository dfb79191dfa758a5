"""What one AI-answered customer message costs the database through the API (issue 17: each
statement is a round trip to the database's thread or server). Counted on the request's own
task, so the server's background work (rounds, folds, the dispatcher) is not mixed in."""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from typing import Any

import pytest
from sqlalchemy import event

from tests.conftest import LiveServer


def _verb_and_table(statement: str) -> tuple[str, str] | None:
    words = statement.split()
    verb = words[0].upper()
    if verb not in ("SELECT", "INSERT", "UPDATE", "DELETE"):
        return None  # BEGIN / BEGIN IMMEDIATE (SQLite's), SAVEPOINT ...
    marker = {"SELECT": "FROM", "INSERT": "INTO", "UPDATE": "UPDATE", "DELETE": "FROM"}[verb]
    return verb, words[[w.upper() for w in words].index(marker) + 1].strip('"')


@pytest.mark.asyncio
async def test_an_ai_answered_message_costs_nine_statements(
    server: LiveServer, open_customer: Any
) -> None:
    services = server.services
    customer = await open_customer()
    by_task: dict[int, list[tuple[str, str]]] = defaultdict(list)

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        parsed = _verb_and_table(statement)
        if parsed is not None:
            by_task[id(asyncio.current_task())].append(parsed)

    engine = services.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        r = await customer.say("你们默认发什么快递")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["conversation"]["state"] == "bot" and len(body["replies"]) == 1
    (turn,) = [s for s in by_task.values() if ("INSERT", "messages") in s]
    # Worked out from the turn (turns/service.py): the first read (the caller's conversation
    # with, joined, a stored message of the same client_msg_id; the block check), the message
    # stored (the conversation loaded by the UPDATE that takes its number; the event, the
    # row), the answer applied to the conversation as stored (the reply's number, which also
    # writes the engine's memory; the decision, the reply's event and row).
    assert Counter(turn) == Counter(
        {
            ("SELECT", "conversations"): 1,
            ("SELECT", "contact_blocks"): 1,
            ("UPDATE", "conversations"): 2,
            ("INSERT", "events"): 2,
            ("INSERT", "messages"): 2,
            ("INSERT", "decisions"): 1,
        }
    )
    assert len(turn) == 9
