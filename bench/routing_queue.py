"""Routing on a real database: one assignment round and one hand-off turn at 0 / 100 / 1,000 /
10,000 queued conversations x 50 agents (issue 17: <= 50 ms at 1,000, growing no faster than
linearly). Also counts the `queue.updated` events each writes: a customer is told again only
when their place or wait changed materially.

The database (SQLite in a temporary directory) holds 50 agents at full capacity (3 each) and
N queued conversations with their waiting rows, spread over four skills, with the mix of a
peak (two in five angry or anxious at some intensity, order values from none to ¥5,000, one
in twenty VIP), so the waits include later, higher-priority arrivals overtaking. A round frees one
slot (one of an agent's conversations is resolved) and runs `assign_waiting`; its transaction
is rolled back so every run sees the same queue. A hand-off turn is the product's own
customer turn (`take_customer_turn`, the "转人工" button) of a new conversation with the AI,
committed, so each turn adds one to the queue. Wall time and CPU time (the process's, which
includes SQLite's thread) are both reported: on a shared machine the CPU time is the steadier
figure.

    .venv/bin/python -m bench.routing_queue [--sizes 0,100,1000,10000] [--runs 5] [--pure]

`--pure`: the pure passes alone, no database (CPU, min of `--runs`): on fresh entries of the
same mix, the round's `next_assignments`, a customer's own place (`wait_inputs`) and the
announcements' `wait_estimates` (every customer settled by the bounds), as one change uses them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update

from tandem.config import Settings
from tandem.conversations.models import Conversation, Event
from tandem.conversations.schemas import OpenConversationIn, SendMessageIn
from tandem.conversations.service import open_conversation
from tandem.core.clock import FixedClock
from tandem.db.migrate import upgrade
from tandem.db.uow import UnitOfWork
from tandem.engine.handoff import PAYLOAD as HANDOFF_PAYLOAD
from tandem.identity.models import Account
from tandem.routing import assignment, policy
from tandem.routing.models import WAITING, QueueRow
from tandem.services import Services, build_services
from tandem.turns.service import take_customer_turn

NOW = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)
SKILLS = ("after_sale", "pre_sale", "logistics", "billing")
AGENTS = 50
SLOTS = 3


def _conversation(cid: str, state: str, at: datetime, **extra: object) -> dict[str, object]:
    return {
        "id": cid,
        "token_hash": f"h-{cid}",
        "language": "zh",
        "state": state,
        "priority": 0,
        "last_seq": 0,
        "engine_state": {},
        "created_at": at,
        "updated_at": at,
        **extra,
    }


async def fill(services: Services, queued: int, rng: random.Random) -> None:
    """50 agents at capacity, 100 resolved conversations (handling times), `queued` waiting."""
    async with services.unit_of_work() as uow:
        s = uow.session
        await s.execute(
            insert(Account),
            [
                {
                    "id": f"agent{k:02d}",
                    "username": f"agent{k:02d}",
                    "display_name": f"客服{k:02d}",
                    "password_hash": "-",
                    "role": "agent",
                    "skills": [SKILLS[k % 4], SKILLS[(k + 1) % 4]],
                    "max_concurrent": SLOTS,
                    "presence": "online",
                    "presence_changed_at": NOW - timedelta(hours=2),
                }
                for k in range(AGENTS)
            ],
        )
        held = [
            _conversation(
                f"held{k:02d}{j}",
                "agent",
                NOW - timedelta(minutes=20),
                skill=SKILLS[k % 4],
                assigned_agent_id=f"agent{k:02d}",
                assigned_at=NOW - timedelta(minutes=10),
            )
            for k in range(AGENTS)
            for j in range(SLOTS)
        ]
        done = [
            _conversation(
                f"done{i:03d}",
                "resolved",
                NOW - timedelta(hours=1),
                skill=SKILLS[i % 4],
                assigned_agent_id=f"agent{i % AGENTS:02d}",
                assigned_at=NOW - timedelta(minutes=50),
                resolved_at=NOW - timedelta(minutes=50) + timedelta(seconds=rng.uniform(120, 600)),
            )
            for i in range(100)
        ]
        waiting = []
        rows = []
        for i in range(queued):
            at = NOW - timedelta(seconds=rng.uniform(0, 1800))
            skill = SKILLS[rng.randrange(4)]
            cid = f"wait{i:05d}"
            waiting.append(_conversation(cid, "queued", at, skill=skill, queued_at=at))
            entry = policy.QueueEntry(
                conversation_id=cid,
                skill=skill,
                enqueued_at=at,
                emotion=rng.choice(("neutral", "neutral", "neutral", "anger", "anxiety")),
                emotion_intensity=round(rng.uniform(0.2, 1.0), 2),
                order_value_cents=rng.choice((0, rng.randrange(1_000, 500_000))),
                vip=rng.random() < 0.05,
            )
            rows.append(
                {
                    "id": f"q{i:05d}",
                    "conversation_id": cid,
                    "skill": skill,
                    "language": "zh",
                    "enqueued_at": at,
                    "emotion": entry.emotion,
                    "emotion_intensity": entry.emotion_intensity,
                    "order_value_cents": entry.order_value_cents,
                    "vip": entry.vip,
                    "rank": policy.rank_score(entry),
                    "state": WAITING,
                }
            )
        for batch in (held, done, waiting):
            if batch:
                await s.execute(insert(Conversation), batch)
        if rows:
            await s.execute(insert(QueueRow), rows)
    # Every waiting customer has been told their place once (as the product would have).
    async with services.unit_of_work() as uow:
        await assignment.assign_waiting(uow, NOW)


async def events_written(services: Services) -> int:
    async with services.sessions() as s:
        return int(
            await s.scalar(
                select(func.count()).select_from(Event).where(Event.type == "queue.updated")
            )
            or 0
        )


async def one_round(services: Services, k: int) -> tuple[float, float, int]:
    """An agent finishes one conversation, the round fills the slot; rolled back. Returns
    the round's wall time, its CPU time (the process's, SQLite's thread included) and the
    `queue.updated` events it wrote."""
    updates = select(func.count()).select_from(Event).where(Event.type == "queue.updated")
    async with services.sessions() as s:
        tx = await s.begin()
        await s.execute(
            update(Conversation)
            .where(Conversation.id == f"held{k % AGENTS:02d}0")
            .values(state="resolved", resolved_at=NOW)
        )
        before = int(await s.scalar(updates) or 0)
        began, cpu = time.perf_counter(), time.process_time()
        done = await assignment.assign_waiting(UnitOfWork(s), NOW)
        await s.flush()
        took, cpu = time.perf_counter() - began, time.process_time() - cpu
        assert len(done) <= 1, done
        written = int(await s.scalar(updates) or 0) - before
        await tx.rollback()
    return took, cpu, written


async def one_handoff(services: Services) -> tuple[float, float, int]:
    async with services.unit_of_work() as uow:
        c, token = await open_conversation(uow, services.settings, OpenConversationIn())
    before = await events_written(services)
    began, cpu = time.perf_counter(), time.process_time()
    result = await take_customer_turn(
        services,
        services.turn_deps,
        services.turn_gate,
        c.id,
        token,
        SendMessageIn(text="转人工", payload=HANDOFF_PAYLOAD),
    )
    took, cpu = time.perf_counter() - began, time.process_time() - cpu
    assert result.conversation.state in ("queued", "agent"), result.conversation.state
    return took, cpu, await events_written(services) - before


async def measure(queued: int, runs: int, seed: int) -> str:
    tmp = Path(tempfile.mkdtemp(prefix="tandem-routing-queue-"))
    settings = Settings(data_dir=tmp, database_url=f"sqlite:///{tmp / 'bench.db'}")
    services = build_services(settings, clock=FixedClock(NOW))
    await upgrade(settings, services.engine)
    try:
        await fill(services, queued, random.Random(seed))
        measured = [await one_round(services, k) for k in range(runs)]
        rounds = [t for t, _, _ in measured]
        round_cpu = [c for _, c, _ in measured]
        round_events = sum(n for _, _, n in measured)
        await one_handoff(services)  # warm the understanding models
        turns = [await one_handoff(services) for _ in range(runs)]
        async with services.sessions() as s:
            waiting = await s.scalar(
                select(func.count()).select_from(QueueRow).where(QueueRow.state == WAITING)
            )
    finally:
        await services.engine.dispose()
    turn_s = [t for t, _, _ in turns]
    turn_cpu = [c for _, c, _ in turns]
    turn_events = statistics.mean(n for _, _, n in turns)
    return (
        f"| {queued:,} | {AGENTS} | {statistics.median(rounds) * 1e3:.1f} ms "
        f"| {statistics.median(round_cpu) * 1e3:.1f} ms "
        f"| {max(rounds) * 1e3:.1f} ms | {round_events / runs:.0f} "
        f"| {statistics.median(turn_s) * 1e3:.1f} ms "
        f"| {statistics.median(turn_cpu) * 1e3:.1f} ms | {max(turn_s) * 1e3:.1f} ms "
        f"| {turn_events:.1f} | {waiting:,} |"
    )


def peak_entries(queued: int, rng: random.Random) -> list[policy.QueueEntry]:
    """`queued` waiting entries with the peak's mix (as `fill` writes them)."""
    return [
        policy.QueueEntry(
            conversation_id=f"wait{i:05d}",
            skill=SKILLS[rng.randrange(4)],
            enqueued_at=NOW - timedelta(seconds=rng.uniform(0, 1800)),
            emotion=rng.choice(("neutral", "neutral", "neutral", "anger", "anxiety")),
            emotion_intensity=round(rng.uniform(0.2, 1.0), 2),
            order_value_cents=rng.choice((0, rng.randrange(1_000, 500_000))),
            vip=rng.random() < 0.05,
        )
        for i in range(queued)
    ]


def pure_passes(queued: int, runs: int, seed: int) -> str:
    """CPU of one change's pure passes over fresh entries (a snapshot's are new each time)."""
    agents = [
        policy.AgentState(
            agent_id=f"agent{k:02d}",
            presence="online",
            skills=frozenset({SKILLS[k % 4], SKILLS[(k + 1) % 4]}),
            max_concurrent=SLOTS,
            active=SLOTS - (k == 0),  # one slot free
        )
        for k in range(AGENTS)
    ]
    cpu = []
    for run in range(runs):
        entries = peak_entries(queued, random.Random(seed + run))
        observed: dict[str, Any] = {
            "recent_arrivals": entries,
            "avg_handle_seconds": 400.0,
            "rate_window": timedelta(hours=1),
        }
        began = time.process_time()
        policy.next_assignments(entries, agents, NOW)
        if entries:
            policy.wait_inputs(
                entries[-1],
                entries,
                agents,
                NOW,
                **observed,
            )
        policy.wait_estimates(
            entries,
            agents,
            NOW,
            **observed,
            settled=lambda *_: True,
        )
        cpu.append(time.process_time() - began)
    return f"| {queued:,} | {AGENTS} | {min(cpu) * 1e3:.1f} ms | {statistics.median(cpu) * 1e3:.1f} ms |"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0,100,1000,10000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--pure", action="store_true", help="the pure passes alone, no database")
    args = parser.parse_args()
    if args.pure:
        print(
            f"# {platform.machine()}, Python {platform.python_version()}, pure passes, "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        print("| queued | agents | CPU min | CPU p50 |")
        print("|---|---|---|---|")
        for size in (int(x) for x in args.sizes.split(",")):
            print(pure_passes(size, args.runs, args.seed), flush=True)
        return
    print(
        f"# {platform.machine()}, Python {platform.python_version()}, SQLite, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        "| queued | agents | round p50 | round CPU p50 | round max | queue.updated per round "
        "| hand-off turn p50 | hand-off CPU p50 | hand-off max | queue.updated per hand-off "
        "| waiting after |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for size in (int(x) for x in args.sizes.split(",")):
        print(await measure(size, args.runs, args.seed), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
