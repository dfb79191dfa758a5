"""The queue facts (staffing, the queue's snapshot) are read only by a turn that hands off: an
AI-answered turn touches no routing table, and a hand-off still decides with the queue as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime

from sqlalchemy import event, select

from tandem.conversations.models import Decision
from tandem.conversations.schemas import OpenConversationIn, SendMessageIn
from tandem.conversations.service import open_conversation
from tandem.engine import QueueFacts, TurnContext
from tandem.services import Services
from tandem.turns.facts import NOT_READ, decide_reading
from tandem.turns.service import TurnResult, take_customer_turn

from ..desk.helpers import set_online


@contextmanager
def statements(services: Services) -> Iterator[list[str]]:
    seen: list[str] = []

    def listen(conn: object, cursor: object, sql: str, *args: object) -> None:
        seen.append(sql)

    event.listen(services.engine.sync_engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(services.engine.sync_engine, "before_cursor_execute", listen)


async def _turn(services: Services, cid: str, token: str, text: str, n: int) -> TurnResult:
    return await take_customer_turn(
        services,
        services.turn_deps,
        services.turn_gate,
        cid,
        token,
        SendMessageIn(text=text, client_msg_id=f"m{n}"),
    )


async def _open(services: Services) -> tuple[str, str]:
    async with services.unit_of_work() as uow:
        c, token = await open_conversation(uow, services.settings, OpenConversationIn())
    return c.id, token


async def test_an_ai_answered_turn_reads_no_queue(services: Services) -> None:
    await set_online(services, "agent1")
    cid, token = await _open(services)
    with statements(services) as seen:
        turn = await _turn(services, cid, token, "你们能开发票吗", 1)
    assert turn.conversation.state == "bot"
    assert turn.replies, "the FAQ answers this question"
    routing_reads = [s for s in seen if "routing_" in s or "FROM accounts" in s]
    assert routing_reads == []


async def test_a_hand_off_decides_with_the_queue_read(services: Services) -> None:
    # An agent online with free slots: the queue facts, read during this very turn, make it
    # a hand-off to the queue (not a ticket), taken at once.
    await set_online(services, "agent1")
    cid, token = await _open(services)
    with statements(services) as seen:
        turn = await _turn(services, cid, token, "转人工", 1)
    assert any("routing_" in s for s in seen)
    async with services.sessions() as session:
        decision = (
            await session.scalars(select(Decision).where(Decision.conversation_id == cid))
        ).one()
    assert decision.action == "hand_off"
    assert "ticket" not in decision.data
    assert turn.conversation.state in ("queued", "agent")


async def test_nobody_online_hands_off_as_the_queue_facts_say(services: Services) -> None:
    # Inside service hours with nobody signed in: the queue facts promise a callback, so
    # the hand-off is a ticket. Only the queue facts know nobody is online.
    cid, token = await _open(services)
    await _turn(services, cid, token, "转人工", 1)
    async with services.sessions() as session:
        decision = (
            await session.scalars(select(Decision).where(Decision.conversation_id == cid))
        ).one()
    assert decision.action == "hand_off"
    assert decision.data.get("ticket") is True


def _ctx(queue: QueueFacts) -> TurnContext:
    return TurnContext(queue=queue, now=datetime(2026, 11, 11, 6, 0))


async def test_decide_reading_reads_only_when_the_engine_asks() -> None:
    facts = QueueFacts(agents_online=3, position_if_queued=4, eta_seconds=120)
    reads: list[int] = []

    async def read() -> QueueFacts:
        reads.append(1)
        return facts

    answer, ctx = await decide_reading(_ctx(NOT_READ), lambda c: "answered", read)
    assert (answer, ctx.queue, reads) == ("answered", NOT_READ, [])

    def hands_off(c: TurnContext) -> tuple[int, int]:
        return (c.queue.position_if_queued, c.queue.agents_online)

    decided, ctx = await decide_reading(_ctx(NOT_READ), hands_off, read)
    assert (decided, ctx.queue, reads) == ((4, 3), facts, [1])

    # Facts already read (or not wanted, as for a conversation a person holds) are used as is.
    given = replace(facts, agents_online=0)
    decided, _ = await decide_reading(_ctx(given), hands_off, read)
    assert (decided, reads) == ((4, 0), [1])
