"""The routing service on a real database (SQLite and PostgreSQL) under random desk days
(hypothesis): arrivals, claims, caps, breaks, offline, silent agents re-queued, transfers,
escalations, resolves, rounds. Every step goes through the desk's use cases as the API calls
them; a refusal (TandemError: 403/409/422) is an answer, anything else is a failure. After
every step: every queued conversation has exactly one waiting row, one place and one wait;
nothing is lost or held twice; no step takes an agent above their cap."""

from __future__ import annotations

import contextlib
from collections import Counter
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from tandem.conversations.models import Conversation
from tandem.core.clock import utcnow
from tandem.core.errors import TandemError
from tandem.desk import presence, service
from tandem.identity.models import Account
from tandem.identity.service import principal_of
from tandem.routing import assignment
from tandem.routing import service as routing
from tandem.routing.models import LEFT, WAITING, AgentStatus, QueueRow
from tandem.services import Services

from .helpers import waiting

EXAMPLES = 10  # sequences per database; each up to 12 steps
STAFF = ("agent1", "agent2", "lead")
ARRIVE = st.tuples(st.just("arrive"), st.sampled_from(["after_sale", "pre_sale", "logistics"]))
# Arrivals weigh double: a desk at peak is one where slots run out.
STEP = st.one_of(
    ARRIVE,
    ARRIVE,
    st.tuples(st.just("claim"), st.integers(0, 2), st.integers(0, 9)),
    st.tuples(st.just("cap"), st.integers(0, 2), st.integers(1, 3)),
    st.tuples(
        st.just("presence"), st.integers(0, 2), st.sampled_from(["online", "break", "offline"])
    ),
    st.tuples(st.just("silent")),
    st.tuples(
        st.just("transfer"), st.integers(0, 9), st.sampled_from(["queue", "logistics", "agent"])
    ),
    st.tuples(st.just("escalate"), st.integers(0, 9)),
    st.tuples(st.just("resolve"), st.integers(0, 9)),
    st.tuples(st.just("round")),
)


async def _reset(services: Services) -> None:
    """Each example starts from an empty desk: earlier examples' conversations are closed."""
    async with services.unit_of_work() as uow:
        s = uow.session
        await s.execute(update(Conversation).values(state="resolved", assigned_agent_id=None))
        await s.execute(update(QueueRow).where(QueueRow.state == WAITING).values(state=LEFT))
        await s.execute(update(AgentStatus).values(break_until=None, last_activity_at=None))
        await s.execute(
            update(Account).values(
                presence="online", max_concurrent=1, presence_changed_at=utcnow()
            )
        )


async def _accounts(services: Services) -> list[Account]:
    async with services.sessions() as session:
        rows = await session.scalars(select(Account).where(Account.username.in_(STAFF)))
        return sorted(rows.all(), key=lambda a: a.username)


async def _loads(services: Services) -> Counter[str]:
    async with services.sessions() as session:
        return Counter(await routing.active_loads(session))


async def _pick(services: Services, state: str, k: int) -> str | None:
    async with services.sessions() as session:
        ids = sorted(
            (
                await session.scalars(select(Conversation.id).where(Conversation.state == state))
            ).all()
        )
    return ids[k % len(ids)] if ids else None


async def _step(services: Services, step: tuple[object, ...], now, mine: set[str]) -> None:  # type: ignore[no-untyped-def]
    staff = await _accounts(services)
    kind = step[0]
    async with services.unit_of_work() as uow:
        if kind == "arrive":
            c = await waiting(uow, skill=str(step[1]), queued_at=now)
            mine.add(c.id)
            await assignment.assign_waiting(uow, now)
        elif kind == "claim":
            agent = principal_of(staff[int(step[1])])  # type: ignore[call-overload]
            cid = await _pick(services, "queued", int(step[2]))  # type: ignore[call-overload]
            if cid:
                await service.accept(uow, agent, cid, now)
        elif kind == "cap":
            a = await uow.session.get(Account, staff[int(step[1])].id)  # type: ignore[call-overload]
            assert a is not None
            a.max_concurrent = int(step[2])  # type: ignore[call-overload]
            await assignment.assign_waiting(uow, now)
        elif kind == "presence":
            agent = principal_of(staff[int(step[1])])  # type: ignore[call-overload]
            await presence.set_presence(uow, agent, str(step[2]), now, break_minutes=1)
        elif kind in ("silent", "round"):
            await assignment.run_round(uow, now)
        else:
            cid = await _pick(services, "agent", int(step[1]))  # type: ignore[call-overload]
            if cid is None:
                return
            c = await uow.session.get(Conversation, cid)
            assert c is not None and c.assigned_agent_id is not None
            owner = await uow.session.get(Account, c.assigned_agent_id)
            assert owner is not None
            me = principal_of(owner)
            if kind == "resolve":
                await service.resolve(uow, me, cid, now)
            elif kind == "escalate":
                await service.escalate(uow, me, cid, now, "help")
            elif step[2] == "agent":
                other = next(a for a in staff if a.id != owner.id)
                await service.transfer(uow, me, cid, now, to_agent_id=other.id)
            else:
                skill = None if step[2] == "queue" else str(step[2])
                await service.transfer(uow, me, cid, now, to_skill=skill)


async def _check(services: Services, now, mine: set[str]) -> None:  # type: ignore[no-untyped-def]
    async with services.sessions() as session:
        convs = {
            c.id: c
            for c in (
                await session.scalars(select(Conversation).where(Conversation.id.in_(mine)))
            ).all()
        }
        assert set(convs) == mine, "a conversation was lost"
        rows = Counter(
            (
                await session.scalars(
                    select(QueueRow.conversation_id).where(
                        QueueRow.state == WAITING, QueueRow.conversation_id.in_(mine)
                    )
                )
            ).all()
        )
        for c in convs.values():
            assert c.state in ("queued", "agent", "resolved"), c.state
            if c.state == "queued":
                assert rows[c.id] == 1, "one waiting row per queued conversation"
                assert c.assigned_agent_id is None
            else:
                assert rows[c.id] == 0
            if c.state == "agent":
                assert c.assigned_agent_id is not None
        queued = {c.id for c in convs.values() if c.state == "queued"}
        listed = await service.queue(session, now)
        ids = [q["id"] for q in listed]
        assert len(ids) == len(set(ids)), "listed twice"
        assert set(ids) & mine == queued
        by_skill: dict[str, list[int]] = {}
        for q in listed:
            assert q["position"] is not None and q["eta_seconds"] is not None
            assert q["eta_seconds"] >= 0
            by_skill.setdefault(q["skill"], []).append(q["position"])
        for positions in by_skill.values():
            assert sorted(positions) == list(range(1, len(positions) + 1))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=1, max_size=12))
async def test_random_desk_days_on_the_database(
    services: Services, steps: list[tuple[object, ...]]
) -> None:
    await _reset(services)
    now = utcnow()
    mine: set[str] = set()
    caps = {a.id: a.max_concurrent for a in await _accounts(services)}
    for step in steps:
        before = await _loads(services)
        # A refusal with a message (403/409/422) is an answer; anything else fails the test.
        with contextlib.suppress(TandemError):
            await _step(services, step, now, mine)
        async with services.sessions() as session:
            caps = {a.id: a.max_concurrent for a in (await session.scalars(select(Account))).all()}
        after = await _loads(services)
        for agent, n in after.items():
            if n > before[agent]:
                assert n <= caps[agent], f"{agent} went over their cap ({n} > {caps[agent]})"
        await _check(services, now, mine)
        now += timedelta(minutes=6) if step[0] == "silent" else timedelta(seconds=20)
