"""Desk: how wrong is the wait the product shows? Replays arrivals through the product's own
routing code on a real database (SQLite): conversations join the queue, `assign_waiting` runs
the round and announces each waiting customer's estimate (kept on the queue row as the first
estimate shown), agents answer and resolve through `desk.service.resolve` after the recorded
handling time. The same arrivals also go through the pure `policy.replay`, so the figures show
whether the product matches the rules it is built on.

    .venv/bin/python -m bench.desk_waits [--seed 7] [--loads 0.95,1.05] [--hours 3]
        [--arrivals FILE.csv]

Arrivals: `bench.routing_waits` (seeded working day, or a CSV of recorded traffic); the first
`--hours` hours are replayed (the late-morning peak), 8 multi-skilled agents x 3 slots.
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import platform
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from rich.progress import Progress
from sqlalchemy import select

from bench.routing_waits import AGENTS, generate, read_arrivals
from tandem.config import Settings
from tandem.conversations.models import Conversation, Message
from tandem.core.ids import new_id
from tandem.db.migrate import upgrade
from tandem.db.session import build_engine, build_sessionmaker
from tandem.db.uow import UnitOfWork
from tandem.desk import service as desk
from tandem.identity.models import Account
from tandem.identity.service import principal_of
from tandem.routing import assignment
from tandem.routing.models import ASSIGNED, QueueRow
from tandem.routing.policy import Arrival, ReplayConfig, replay

ABUSIVE = {"abuse": {"is_abusive": True, "kinds": ["insult"], "spans": []}}


@dataclass
class Scored:
    customers: int
    waited: float
    mean_actual: float
    mae: float
    bias: float
    mae_told_or_waited: float
    within_25: float
    within_25_or_60: float


def score(pairs: list[tuple[float, float]]) -> Scored:
    n = len(pairs)
    errors = [e - a for e, a in pairs]
    told = [abs(e - a) for e, a in pairs if e > 0 or a > 0]
    return Scored(
        customers=n,
        waited=sum(1 for _, a in pairs if a > 0) / n,
        mean_actual=sum(a for _, a in pairs) / n,
        mae=sum(abs(x) for x in errors) / n,
        bias=sum(errors) / n,
        mae_told_or_waited=sum(told) / len(told) if told else 0.0,
        within_25=sum(1 for e, a in pairs if abs(e - a) <= 0.25 * a) / n,
        within_25_or_60=sum(1 for e, a in pairs if abs(e - a) <= max(0.25 * a, 60)) / n,
    )


async def _add_arrival(uow: UnitOfWork, a: Arrival) -> None:
    e = a.entry
    at = e.enqueued_at
    c = Conversation(
        id=e.conversation_id,
        token_hash=new_id("tok"),
        language="zh",
        state="queued",
        priority=0,
        skill=e.skill,
        queued_at=at,
        handoff_reason="customer_request",
        last_seq=1,
        engine_state={},
        handoff_packet={
            "emotions": [{"label": e.emotion, "intensity": e.emotion_intensity}],
            "customer": {"tier": "vip" if e.vip else None},
            "order": {"total": f"¥{e.order_value_cents / 100:.2f}"},
        },
        created_at=at,
        updated_at=at,
    )
    uow.session.add(c)
    await uow.session.flush()
    uow.session.add(
        Message(
            id=new_id("msg"),
            conversation_id=c.id,
            seq=1,
            author="customer",
            text="人工",
            meta={"analysis": ABUSIVE if e.hostile else {}},
            created_at=at,
        )
    )
    await uow.session.flush()


async def run_product(arrivals: list[Arrival], progress: Progress) -> list[tuple[float, float]]:
    tmp = Path(tempfile.mkdtemp(prefix="tandem-desk-waits-"))
    settings = Settings(data_dir=tmp, database_url=f"sqlite:///{tmp / 'bench.db'}")
    engine = build_engine(settings)
    await upgrade(settings, engine)
    sessions = build_sessionmaker(engine)
    accounts: dict[str, Account] = {}
    async with sessions() as session, session.begin():
        for a in AGENTS:
            acc = Account(
                id=a.agent_id,
                username=a.agent_id,
                display_name=a.agent_id,
                password_hash="-",
                role="agent",
                skills=sorted(a.skills),
                max_concurrent=a.max_concurrent,
                presence="online",
                presence_changed_at=arrivals[0].entry.enqueued_at - timedelta(hours=1),
            )
            session.add(acc)
            accounts[acc.id] = acc
    principals = {k: principal_of(v) for k, v in accounts.items()}
    handle = {a.entry.conversation_id: a.handle_seconds for a in arrivals}
    completions: list[tuple[datetime, str, str]] = []
    scheduled: set[str] = set()
    task = progress.add_task("replaying through the product", total=2 * len(arrivals))
    i = 0
    while i < len(arrivals) or completions:
        arrival_at = arrivals[i].entry.enqueued_at if i < len(arrivals) else None
        if completions and (arrival_at is None or completions[0][0] <= arrival_at):
            now, cid, agent_id = heapq.heappop(completions)
            async with sessions() as session, session.begin():
                await desk.resolve(UnitOfWork(session), principals[agent_id], cid, now)
        else:
            assert arrival_at is not None
            now = arrival_at
            async with sessions() as session, session.begin():
                uow = UnitOfWork(session)
                await _add_arrival(uow, arrivals[i])
                await assignment.assign_waiting(uow, now)
            i += 1
        progress.advance(task)
        async with sessions() as session, session.begin():
            fresh = (
                await session.scalars(
                    select(QueueRow).where(QueueRow.state == ASSIGNED, QueueRow.ended_at == now)
                )
            ).all()
            for row in fresh:
                if row.conversation_id in scheduled or row.agent_id is None:
                    continue
                scheduled.add(row.conversation_id)
                # The agent answers at once (so they are not taken for silent), then works.
                session.add(
                    Message(
                        id=new_id("msg"),
                        conversation_id=row.conversation_id,
                        seq=1000,
                        author="agent",
                        agent_id=row.agent_id,
                        text="您好",
                        created_at=now,
                    )
                )
                done = now + timedelta(seconds=handle[row.conversation_id])
                heapq.heappush(completions, (done, row.conversation_id, row.agent_id))
    async with sessions() as session:
        rows = (await session.scalars(select(QueueRow).where(QueueRow.state == ASSIGNED))).all()
    await engine.dispose()
    pairs = []
    for row in rows:
        assert row.ended_at is not None
        actual = (row.ended_at - row.enqueued_at).total_seconds()
        pairs.append((float(row.first_estimate_seconds or 0), actual))
    return pairs


def fmt(s: Scored) -> str:
    return (
        f"{s.customers} | {s.waited:.0%} | {s.mean_actual:.1f} | {s.mae:.1f} | {s.bias:.1f} | "
        f"{s.mae_told_or_waited:.1f} | {s.within_25:.0%} | {s.within_25_or_60:.0%}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--loads", default="0.95,1.05")
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--arrivals", type=Path, help="CSV of recorded arrivals")
    args = parser.parse_args()
    print(f"# {platform.machine()} {platform.python_version()}, {args.hours} h replayed")
    print(
        "| scenario | path | customers | waited | mean wait s | MAE s | bias s | "
        "MAE s, told or made to wait | within ±25 % | within ±25 % or 60 s | run s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    loads = [None] if args.arrivals else [float(x) for x in args.loads.split(",")]
    for load in loads:
        arrivals = read_arrivals(args.arrivals) if args.arrivals else generate(args.seed, load or 1)
        start = arrivals[0].entry.enqueued_at
        arrivals = [
            a for a in arrivals if a.entry.enqueued_at < start + timedelta(hours=args.hours)
        ]
        name = f"peak load {load}" if load else str(args.arrivals)
        report = replay(arrivals, AGENTS, config=ReplayConfig())
        pure = score([(r.estimate_seconds, r.actual_seconds) for r in report.records])
        with Progress(transient=True) as progress:
            began = time.perf_counter()
            pairs = await run_product(arrivals, progress)
            took = time.perf_counter() - began
        print(f"| {name} | pure rules (`policy.replay`) | {fmt(pure)} | |")
        print(f"| {name} | product (DB, `assign_waiting`) | {fmt(score(pairs))} | {took:.0f} |")


if __name__ == "__main__":
    asyncio.run(main())
