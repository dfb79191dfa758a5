"""The 200-WebSocket-customer soak: customers who each keep a chat WebSocket open and send one
message every 8-16 s (one in five asks for a person on their second message and keeps
writing), two agents taking the hand-offs, for a few minutes, against `tandem demo` (FAQ and
demo shop loaded) on SQLite, or with `--postgres` on PostgreSQL + Redis (started on loopback,
as bench/workers.py does) with `--workers N`.

Reported: msg/s, the customer's send-to-answer latency p50/p99 (the POST returns the AI's
answer with the acknowledgement), timeouts (no answer within 10 s) and errors, events that
never reached the customer's WebSocket (every acknowledged message must arrive there, once, in
sequence order), and `queue.updated` events written per message (read from the database).
Targets (issue 17): p99 <= 1 s and no timeout.

    .venv/bin/python -m bench.soak [--customers 200] [--minutes 3] [--quick]
                                   [--postgres --workers 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import sqlite3
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from bench.load import AI_TEXTS, FOLLOW_UPS, Server, Tandem, _agent_loop
from bench.local_servers import NotInstalled, local_postgres, local_redis
from bench.workers import (
    machine_busy,
    tandem_demo,
    tandem_env,
    tree_cpu,
)

TIMEOUT_S = 10.0
ARRIVALS_DONE_S = 24.0


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    # (seconds since the run started, latency ms): the arrival burst apart from the rest.
    timeline: list[tuple[float, float]] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    timeouts: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    acked: dict[str, set[str]] = field(default_factory=dict)  # conversation -> client_msg_ids
    seen: dict[str, set[str]] = field(default_factory=dict)  # ... that reached the WebSocket
    gaps: int = 0
    duplicates: int = 0
    handoffs: int = 0
    retries: int = 0
    # Set by a conversation's listener when everything acknowledged so far has arrived.
    arrived: dict[str, asyncio.Event] = field(default_factory=dict)


async def _listen(ws: Any, cid: str, tally: Tally) -> None:
    """The customer's chat socket: every event once, numbered without a gap."""
    last = 0
    seen = tally.seen.setdefault(cid, set())
    with contextlib.suppress(ConnectionClosed):
        async for raw in ws:
            event = json.loads(raw)
            seq = event.get("seq")
            if seq is None:  # ready, typing: not numbered
                continue
            if seq <= last:
                tally.duplicates += 1
                continue
            tally.gaps += seq != last + 1 and last != 0
            last = seq
            data = event.get("data") or {}
            if event.get("type") == "message.created" and data.get("client_msg_id"):
                seen.add(data["client_msg_id"])
                if tally.acked.get(cid, set()) <= seen:
                    tally.arrived.setdefault(cid, asyncio.Event()).set()


async def customer(
    t: Tandem, ws_base: str, k: int, stop_at: float, rng: random.Random, tally: Tally
) -> None:
    # Arrivals spread over the first 8 s, as a page's visitors do.
    await asyncio.sleep(rng.uniform(0, 8))
    try:
        cid, headers = await t.open()
    except httpx.HTTPError as exc:
        tally.errors[f"open: {type(exc).__name__}"] += 1
        return
    token = headers["Authorization"].split()[1]
    tally.acked[cid] = set()
    script = [AI_TEXTS[(k + i) % len(AI_TEXTS)] for i in range(3)]
    if k % 5 == 0:
        script = [AI_TEXTS[k % len(AI_TEXTS)], "转人工", *FOLLOW_UPS]
        tally.handoffs += 1
    try:
        opened = await connect(f"{ws_base}/api/v1/conversations/{cid}/events?token={token}")
    except (TimeoutError, OSError) as exc:
        # A server too far behind to finish the handshake: the customer counts, the run goes on.
        tally.errors[f"websocket: {type(exc).__name__}"] += 1
        return
    async with opened as ws:
        listener = asyncio.create_task(_listen(ws, cid, tally))
        i = 0
        while time.monotonic() < stop_at:
            text = script[i % len(script)] if i < len(script) else AI_TEXTS[(k + i) % 8]
            msg_id = f"s{k}-{i}"
            start = time.perf_counter()
            try:
                r = await asyncio.wait_for(t.say(cid, headers, text, msg_id), TIMEOUT_S)
            except (TimeoutError, httpx.TimeoutException):
                tally.timeouts += 1
            except httpx.HTTPError as exc:
                tally.errors[type(exc).__name__] += 1
            else:
                if r.status_code == 201:
                    took = 1000 * (time.perf_counter() - start)
                    tally.latencies.append(took)
                    tally.timeline.append((time.monotonic() - tally.started, took))
                    tally.acked[cid].add(msg_id)
                else:
                    tally.errors[str(r.status_code)] += 1
            i += 1
            # Read, think, type: the next message 8-16 s after this one was sent.
            pause = rng.uniform(8, 16) - (time.perf_counter() - start)
            if time.monotonic() + max(pause, 0) >= stop_at:
                break
            await asyncio.sleep(max(pause, 0))
        # Let the last events reach the socket: up to 10 s for every acknowledged message
        # to have arrived (what did not is counted as never delivered).
        arrived = tally.arrived.setdefault(cid, asyncio.Event())
        if not tally.acked[cid] <= tally.seen.get(cid, set()):
            arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(arrived.wait(), TIMEOUT_S)
        await ws.close()
        await listener


async def agent(t: Tandem, headers: dict[str, str], stop: asyncio.Event, tally: Tally) -> None:
    """bench/load.py's agent (answers and resolves what is assigned to them) for minutes on
    end: a request lost to a connection the server closed as idle (the keep-alive race every
    HTTP client meets) is sent again once, counted if it fails again, and the agent goes on."""
    await _agent_loop(t, headers, stop, tally.errors)


async def queue_updates(database_url: str | None, data_dir: Path) -> tuple[int, int]:
    """(queue.updated events, customer messages) written in the run's database."""
    events = "SELECT count(*) FROM events WHERE type = 'queue.updated'"
    messages = "SELECT count(*) FROM messages WHERE author = 'customer'"
    if database_url is None:
        with contextlib.closing(sqlite3.connect(data_dir / "tandem.db")) as db:
            return db.execute(events).fetchone()[0], db.execute(messages).fetchone()[0]
    conn = await asyncpg.connect(database_url)
    try:
        return await conn.fetchval(events), await conn.fetchval(messages)
    finally:
        await conn.close()


@dataclass
class Report:
    database: str
    workers: int
    customers: int
    seconds: float
    messages: int
    msg_per_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    # After the arrivals: every customer came within 8 s and sent their first message by 24 s.
    p50_after_arrivals_ms: float
    p99_after_arrivals_ms: float
    timeouts: int
    errors: dict[str, int]
    never_delivered: int
    seq_gaps: int
    duplicates: int
    handoffs: int
    retries: int
    queue_updated: int
    queue_updated_per_message: float
    server_cpu_cores: float
    machine_busy_cores: float
    load_average_start: float
    load_average_end: float


async def soak(server: Server, customers: int, seconds: float, seed: int) -> Tally:
    tally = Tally()
    limits = httpx.Limits(max_connections=customers + 10, max_keepalive_connections=customers)
    async with httpx.AsyncClient(
        base_url=server.base, timeout=TIMEOUT_S + 5, limits=limits
    ) as client:
        t = Tandem(client)
        agents = [await t.login(name, "online") for name in ("agent1", "agent2")]
        stop = asyncio.Event()
        loops = [asyncio.create_task(agent(t, h, stop, tally)) for h in agents]
        rng = random.Random(seed)
        stop_at = time.monotonic() + seconds
        ws_base = server.base.replace("http", "ws")
        try:
            await asyncio.gather(
                *(
                    customer(t, ws_base, k, stop_at, random.Random(rng.random()), tally)
                    for k in range(customers)
                )
            )
        finally:
            stop.set()
            await asyncio.gather(*loops)
            tally.retries = t.retries
    return tally


async def run(args: argparse.Namespace) -> Report:
    load0 = os.getloadavg()[0]
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tandem-soak-")))
        database_url = None
        env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
        if args.postgres:
            pg = stack.enter_context(local_postgres(fsync=False))
            redis_url = stack.enter_context(local_redis())
            database_url = await pg.fresh("soak")
            env = tandem_env(tmp, database_url, redis_url, args.workers)
        else:
            env |= {
                "TANDEM_DATA_DIR": str(tmp),
                "TANDEM_RATE_LIMIT_PER_MINUTE": "1000000",
                "TANDEM_NEW_CONVERSATIONS_PER_IP": "1000000",
                "TANDEM_LOG_LEVEL": "warning",
            }
        server = tandem_demo("tandem-soak", env, tmp)
        async with server:
            cpu0, busy0, t0 = tree_cpu(server.pid), machine_busy(), time.perf_counter()
            tally = await soak(server, args.customers, args.minutes * 60, args.seed)
            wall = time.perf_counter() - t0
            cpu, busy = tree_cpu(server.pid) - cpu0, machine_busy() - busy0
        written, stored = await queue_updates(database_url, tmp)
        if args.server_log:  # the server's own log (tracebacks of any 5xx) outlives the run
            args.server_log.write_bytes((tmp / "tandem-soak.log").read_bytes())
    ordered = sorted(tally.latencies) or [0.0]
    steady = sorted(ms for at, ms in tally.timeline if at >= ARRIVALS_DONE_S) or [0.0]
    never = sum(len(acked - tally.seen.get(cid, set())) for cid, acked in tally.acked.items())
    return Report(
        database="postgresql" if args.postgres else "sqlite",
        workers=args.workers if args.postgres else 1,
        customers=args.customers,
        seconds=round(wall, 1),
        messages=len(tally.latencies),
        msg_per_s=round(len(tally.latencies) / wall, 2),
        p50_ms=round(statistics.median(ordered), 1),
        p99_ms=round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1),
        max_ms=round(ordered[-1], 1),
        p50_after_arrivals_ms=round(statistics.median(steady), 1),
        p99_after_arrivals_ms=round(steady[min(len(steady) - 1, int(0.99 * len(steady)))], 1),
        timeouts=tally.timeouts,
        errors=dict(tally.errors),
        never_delivered=never,
        seq_gaps=tally.gaps,
        duplicates=tally.duplicates,
        handoffs=tally.handoffs,
        retries=tally.retries,
        queue_updated=written,
        queue_updated_per_message=round(written / max(stored, 1), 3),
        server_cpu_cores=round(cpu / wall, 2),
        machine_busy_cores=round(busy / wall, 2),
        load_average_start=round(load0, 2),
        load_average_end=round(os.getloadavg()[0], 2),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--quick", action="store_true", help="50 customers for one minute")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL + Redis")
    parser.add_argument("--workers", type=int, default=1, help="with --postgres")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--json", type=Path, help="also write the report as JSON here")
    parser.add_argument("--server-log", type=Path, help="keep the server's log here")
    args = parser.parse_args()
    if args.quick:
        args.customers, args.minutes = 50, 1.0
    try:
        report = asyncio.run(run(args))
    except NotInstalled as missing:
        raise SystemExit(f"{missing} is not installed: apt-get install it (see .ci/run)") from None
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    for key, value in asdict(report).items():
        print(f"  {key}: {value}")
    if args.json:
        args.json.write_text(json.dumps(asdict(report), indent=2))


if __name__ == "__main__":
    main()
