"""Two workers against one on PostgreSQL + Redis: the same load driver (bench/load.py's AI path
and realistic mix) against `tandem demo` with TANDEM_WORKERS=1 and =2, each on a fresh database
of a PostgreSQL and a Redis started on loopback from the installed binaries (as the test
fixtures do), the demo shop and FAQ loaded.

The machine's cores are shared by the driver, PostgreSQL and the workers, so beside msg/s and
p50/p99 the run reports the CPU each of them spent per message (from /proc): the ratio two
workers can reach is bounded by what is left for the workers.

    .venv/bin/python -m bench.workers [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.load import Result, Server, _cpu_seconds, tandem_ai, tandem_mix
from bench.local_servers import NotInstalled, Postgres, local_postgres, local_redis


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and every live descendant (a uvicorn supervisor and its
    workers; the postmaster and its backends)."""
    total = 0.0
    with contextlib.suppress(FileNotFoundError, ProcessLookupError):
        total += _cpu_seconds(pid)
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += tree_cpu(int(child))
    return total


def machine_busy() -> float:
    """CPU seconds the whole machine spent busy so far (every process, from /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def children_cpu(pid: int) -> dict[int, float]:
    """CPU seconds of each direct child (each worker of a supervisor) and its descendants."""
    out: dict[int, float] = {}
    with contextlib.suppress(FileNotFoundError, ProcessLookupError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                out[int(child)] = tree_cpu(int(child))
    return out


def tandem_env(work: Path, database_url: str, redis_url: str, workers: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
    return env | {
        "TANDEM_DATA_DIR": str(work),
        "TANDEM_DATABASE_URL": database_url,
        "TANDEM_REDIS_URL": redis_url,
        "TANDEM_WORKERS": str(workers),
        "TANDEM_RATE_LIMIT_PER_MINUTE": "1000000",
        # Every simulated customer comes from this one address (see bench/load.py).
        "TANDEM_NEW_CONVERSATIONS_PER_IP": "1000000",
        "TANDEM_NEW_CONVERSATIONS_PER_CUSTOMER": "1000000",
        "TANDEM_LOG_LEVEL": "warning",
    }


def tandem_demo(name: str, env: dict[str, str], work: Path) -> Server:
    tandem = str(Path(sys.executable).with_name("tandem"))
    return Server(name, [tandem, "demo", "--port", "{port}"], env, work)


@dataclass
class Row:
    workers: int
    path: str
    concurrency: int
    messages: int
    msg_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    workers_cpu_ms: float  # per message, the supervisor and its workers
    postgres_cpu_ms: float
    driver_cpu_ms: float
    # Share of the workers' CPU each worker process spent (how evenly the connections spread).
    worker_shares: list[float]
    # Cores busy with other processes of the machine during the run (other jobs on a shared
    # machine): what was not available to this run.
    others_cores: float
    load_average: float


async def measured(
    workers: int,
    server: Server,
    pg: Postgres,
    run: Callable[[], Awaitable[Result]],
) -> Row:
    w0, p0, d0 = tree_cpu(server.pid), tree_cpu(pg.pid), time.process_time()
    each0 = children_cpu(server.pid)
    m0, t0 = machine_busy(), time.perf_counter()
    r = await run()
    m, wall = machine_busy() - m0, time.perf_counter() - t0
    w, p, d = tree_cpu(server.pid) - w0, tree_cpu(pg.pid) - p0, time.process_time() - d0
    each = {k: v - each0.get(k, 0.0) for k, v in children_cpu(server.pid).items()}
    spent = sum(each.values()) or 1.0
    n = max(r.messages, 1)
    return Row(
        workers=workers,
        path=r.path,
        concurrency=r.concurrency,
        messages=r.messages,
        msg_per_s=r.msg_per_s,
        p50_ms=r.p50_ms,
        p99_ms=r.p99_ms,
        errors=r.errors,
        workers_cpu_ms=round(1000 * w / n, 1),
        postgres_cpu_ms=round(1000 * p / n, 1),
        driver_cpu_ms=round(1000 * d / n, 1),
        worker_shares=sorted(
            (round(v / spent, 2) for v in each.values() if v > 0.05), reverse=True
        ),
        others_cores=round(max(m - w - p - d, 0.0) / wall, 2),
        load_average=round(os.getloadavg()[0], 2),
    )


async def run(quick: bool, fsync: bool, counts: list[int]) -> list[Row]:
    per = 6 if quick else 16
    conversations = 48 if quick else 128
    concurrency = 32
    rows: list[Row] = []
    with (
        local_postgres(fsync=fsync) as pg,
        local_redis() as redis_url,
        tempfile.TemporaryDirectory(prefix="tandem-workers-") as tmp,
    ):
        for workers in counts:
            work = Path(tmp) / f"w{workers}"
            work.mkdir()
            url = await pg.fresh(f"w{workers}")
            server = tandem_demo(
                f"tandem-w{workers}", tandem_env(work, url, redis_url, workers), work
            )
            async with server:
                # Warm-up: every worker loads its models and knowledge on its first turns.
                await tandem_ai(server, 2 * workers, 3)
                rows.append(
                    await measured(
                        workers, server, pg, lambda s=server: tandem_ai(s, concurrency, per)
                    )
                )
                rows.append(
                    await measured(
                        workers,
                        server,
                        pg,
                        lambda s=server: tandem_mix(s, concurrency, conversations),
                    )
                )
    return rows


def table(rows: list[Row]) -> str:
    one = {r.path: r for r in rows if r.workers == 1}
    lines = [
        "| workers | path | concurrency | messages | msg/s | p50 / p99 ms | × one worker | errors "
        "| CPU ms/msg: workers / PostgreSQL / driver | CPU share per worker | cores busy elsewhere | load average |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        base = one.get(r.path)
        ratio = f"{r.msg_per_s / base.msg_per_s:.2f}" if base and base.msg_per_s else "—"
        lines.append(
            f"| {r.workers} | {r.path} | {r.concurrency} | {r.messages} | {r.msg_per_s} | "
            f"{r.p50_ms:,.0f} / {r.p99_ms:,.0f} | {ratio} | {r.errors} | "
            f"{r.workers_cpu_ms} / {r.postgres_cpu_ms} / {r.driver_cpu_ms} | "
            f"{' / '.join(str(x) for x in r.worker_shares)} | {r.others_cores} | {r.load_average} |"
        )
    return "\n".join(lines)


def ceiling(rows: list[Row], cores: int) -> str:
    """What the CPU allows: one worker is bounded by its own CPU per message on one core; N
    workers by the cores left after other jobs of the machine, PostgreSQL and the driver took
    theirs (all measured in the run)."""
    out = []
    for path in sorted({r.path for r in rows}):
        one = next((r for r in rows if r.path == path and r.workers == 1), None)
        more = [r for r in rows if r.path == path and r.workers > 1]
        if one is None or not one.workers_cpu_ms:
            continue
        for r in more:
            free = max(cores - r.others_cores, 0.0)
            single = 1000 * min(1.0, max(cores - one.others_cores, 0.0)) / one.workers_cpu_ms
            per_msg = r.workers_cpu_ms + r.postgres_cpu_ms + r.driver_cpu_ms
            shared = 1000 * min(free, float(r.workers)) / per_msg
            out.append(
                f"{path}: one worker ≤ {single:.1f} msg/s ({one.workers_cpu_ms} ms a message on "
                f"the ≤ 1 core left to it); {r.workers} workers ≤ {shared:.1f} msg/s ({per_msg:.1f}"
                f" ms a message for workers + PostgreSQL + driver on the {free:.2f} of {cores} "
                f"cores other jobs left): the ratio on this machine now is at most "
                f"{shared / single:.2f}"
            )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer messages (about a minute)")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare")
    parser.add_argument(
        "--fsync", action="store_true", help="PostgreSQL with fsync on (default off, as in tests)"
    )
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args()
    started = os.getloadavg()[0]
    counts = [int(n) for n in args.workers.split(",")]
    try:
        rows = asyncio.run(run(args.quick, args.fsync, counts))
    except NotInstalled as missing:
        raise SystemExit(f"{missing} is not installed: apt-get install it (see .ci/run)") from None
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores; "
        f"load average {started:.2f} at the start, {os.getloadavg()[0]:.2f} at the end; "
        f"PostgreSQL fsync {'on' if args.fsync else 'off'}; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    print(table(rows))
    print(ceiling(rows, os.cpu_count() or 1))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=2))


if __name__ == "__main__":
    main()
