"""Analytics: the dashboard's queries over 10k, 100k and 1M stored messages (SQLite).

For each size a database is filled with bulk inserts (conversations, messages, events,
decisions, queue rows over 90 days, from `tandem.analytics.seed.history`), folded once into the
rollups (timed), and then the dashboard's answer (`queries.overview`, about a dozen SQL
statements) is timed for the views a team lead opens: the last 7 days by day, the last 30 days
by week, one day by hour, 7 days filtered to one skill; plus an incremental refresh with
nothing new (the dashboard's poll, and the hourly sweep) and with 100 new conversations.
Baseline in the same run: one measure (hand-offs in the last 7 days) counted straight from the
raw event log, as a dashboard without rollups would.

Databases are cached under /work/cache/analytics/ (never committed); --fresh rebuilds them.

    .venv/bin/python -m bench.analytics_queries [--sizes 10000,100000,1000000] [--runs 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import sqlite3
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import func, select, text

from tandem.analytics import queries
from tandem.analytics.queries import Filters
from tandem.analytics.refresh import refresh
from tandem.analytics.seed import Story, history, insert_stories, queue_row
from tandem.config import Settings
from tandem.conversations.models import Event, Message
from tandem.db.migrate import upgrade
from tandem.db.session import build_engine, build_sessionmaker

CACHE = Path(os.environ.get("TANDEM_BENCH_CACHE", "/work/cache/analytics"))
ZONE = ZoneInfo("Asia/Shanghai")
DAYS = 90
END = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # midnight in Shanghai, 1 Dec
START = END - timedelta(days=DAYS)
NOW = END
MESSAGES_PER_CONVERSATION = 8.8  # what `history` produces on average (measured below)
AGENTS = [f"agent{i}" for i in range(12)]
console = Console()


def views() -> dict[str, Filters]:
    day = datetime(2026, 11, 30, tzinfo=ZONE)
    return {
        "7 days by day": Filters(day - timedelta(days=6), day + timedelta(days=1), ZONE, "day"),
        "30 days by week": Filters(day - timedelta(days=29), day + timedelta(days=1), ZONE, "week"),
        "1 day by hour": Filters(day, day + timedelta(days=1), ZONE, "hour"),
        "7 days, skill=after_sale": Filters(
            day - timedelta(days=6), day + timedelta(days=1), ZONE, "day", skill="after_sale"
        ),
    }


def _sql_value(v: object) -> object:
    """Values as SQLAlchemy stores them on SQLite (UTC text datetimes, JSON text)."""
    if isinstance(v, datetime):
        return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, dict | list):
        return json.dumps(v)
    return v


def fast_insert(db: sqlite3.Connection, stories: list[Story]) -> None:
    """Bulk inserts with the sqlite3 driver itself: the same rows `insert_stories` writes, ten
    times faster, so that a million messages are stored in a minute or two."""
    tables = {
        "conversations": [s.conversation() for s in stories],
        "messages": [m for s in stories for m in s.messages],
        "events": [e for s in stories for e in s.events],
        "decisions": [d for s in stories for d in s.decisions],
        "routing_queue": [queue_row(q) for s in stories for q in s.queue],
    }
    for table, rows in tables.items():
        if not rows:
            continue
        cols = list(rows[0])
        for r in rows[1:]:
            for k in r:
                if k not in cols:
                    cols.append(k)
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        db.executemany(sql, [tuple(_sql_value(r.get(c)) for c in cols) for r in rows])


async def build(path: Path, messages: int, fresh: bool) -> tuple[int, float, float]:
    """The database for `messages` stored messages; returns (messages, fill s, fold s)."""
    if path.exists() and not fresh:  # noqa: ASYNC240 (set-up, nothing else runs yet)
        return -1, 0.0, 0.0
    path.unlink(missing_ok=True)  # noqa: ASYNC240
    settings = Settings(data_dir=path.parent, database_url=f"sqlite:///{path}")
    engine = build_engine(settings)
    await upgrade(settings, engine)
    sessions = build_sessionmaker(engine)
    per_day = max(1, round(messages / MESSAGES_PER_CONVERSATION / DAYS))
    rng = random.Random(15)
    started = time.perf_counter()
    chunk: list[Story] = []
    db = sqlite3.connect(path)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"filling {messages:,} messages", total=per_day * DAYS)
        for story in history(rng, START, DAYS, per_day, AGENTS):
            chunk.append(story)
            if len(chunk) == 5000:
                fast_insert(db, chunk)
                db.commit()
                progress.advance(task, len(chunk))
                chunk = []
        if chunk:
            fast_insert(db, chunk)
            db.commit()
    stored = int(db.execute("SELECT count(*) FROM messages").fetchone()[0])
    db.close()
    fill = time.perf_counter() - started
    started = time.perf_counter()
    async with sessions() as session:
        await refresh(session, NOW, ZONE)
        await session.commit()
    fold = time.perf_counter() - started
    await engine.dispose()
    return stored, fill, fold


async def refold(path: Path) -> float:
    """Drop the analytics tables of a cached database and fold its history again (after a
    change to the analytics schema or definitions); returns the fold's seconds."""
    db = sqlite3.connect(path)
    for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'analytics_%'"
    ).fetchall():
        db.execute(f"DROP TABLE {name}")
    db.execute("DELETE FROM alembic_version WHERE version_num = '0015_analytics'")
    db.commit()
    db.close()
    settings = Settings(data_dir=path.parent, database_url=f"sqlite:///{path}")
    engine = build_engine(settings)
    await upgrade(settings, engine)
    sessions = build_sessionmaker(engine)
    started = time.perf_counter()
    async with sessions() as session:
        await refresh(session, NOW, ZONE)
        await session.commit()
    await engine.dispose()
    return time.perf_counter() - started


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered))) - 1))]


async def measure(path: Path, runs: int) -> dict[str, object]:
    settings = Settings(data_dir=path.parent, database_url=f"sqlite:///{path}")
    engine = build_engine(settings)
    await upgrade(settings, engine)  # a database cached by an older version gets new indexes
    sessions = build_sessionmaker(engine)
    out: dict[str, object] = {}
    async with sessions() as session:
        out["messages"] = int(await session.scalar(select(func.count()).select_from(Message)) or 0)
        out["events"] = int(await session.scalar(select(func.count()).select_from(Event)) or 0)
        out["episodes"] = int(
            await session.scalar(text("SELECT count(*) FROM analytics_episodes")) or 0
        )
        out["rollup_rows"] = int(
            await session.scalar(text("SELECT count(*) FROM analytics_hourly")) or 0
        )
        for name, f in views().items():
            await queries.overview(session, f)  # warm the page cache
            times, cpu = [], []
            for _ in range(runs):
                t0, c0 = time.perf_counter(), time.process_time()
                await queries.overview(session, f)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            out[name] = (statistics.median(times), pct(times, 99))
            out[f"{name} (CPU)"] = (statistics.median(cpu), pct(cpu, 99))
        f = views()["7 days by day"]
        times = []
        for _ in range(max(5, runs // 6)):
            t0 = time.perf_counter()
            await session.scalar(
                select(func.count())
                .select_from(Event)
                .where(
                    Event.type == "conversation.state_changed",
                    Event.created_at >= f.start,
                    Event.created_at < f.end,
                    func.json_extract(Event.data, "$.state") == "queued",
                )
            )
            times.append((time.perf_counter() - t0) * 1000)
        out["baseline: hand-offs from raw events"] = (statistics.median(times), pct(times, 99))
    # Incremental refresh. The dashboard's poll (at most every 10 s) with nothing new reads the
    # log since the last refresh; the hourly sweep compares every conversation with its cursor;
    # then 100 new conversations over the last day, the last refresh a day before (the poll's
    # worst case: a day of the log to read, most of it already folded). Rolled back after.
    async with sessions() as session:
        await refresh(session, NOW, ZONE)  # sets where the log is read from
        times = []
        for _ in range(max(5, runs // 6)):
            t0 = time.perf_counter()
            await refresh(session, NOW, ZONE)
            times.append((time.perf_counter() - t0) * 1000)
        out["refresh, nothing new"] = (statistics.median(times), pct(times, 99))
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            await refresh(session, NOW, ZONE, sweep=True)
            times.append((time.perf_counter() - t0) * 1000)
        out["hourly sweep, nothing new"] = (statistics.median(times), pct(times, 99))
        await session.execute(
            text("UPDATE analytics_state SET value = :v WHERE name = 'changes.since'"),
            {"v": (END - timedelta(days=1, minutes=5)).isoformat()},
        )
        stories = list(
            history(random.Random(99), END - timedelta(days=1), 1, 100, AGENTS, prefix="new")
        )
        await insert_stories(session, stories)
        t0 = time.perf_counter()
        stats = await refresh(session, NOW, ZONE)
        out["refresh, 100 new conversations"] = ((time.perf_counter() - t0) * 1000, None)
        assert stats.conversations == 100, stats
        await session.rollback()
    await engine.dispose()
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--fresh", action="store_true", help="rebuild the cached databases")
    parser.add_argument(
        "--refold", action="store_true", help="keep the cached history, fold it again"
    )
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (before anything runs)
    results: dict[int, dict[str, object]] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        path = CACHE / f"bench-{size}.db"
        stored, fill, fold = await build(path, size, args.fresh)
        if stored < 0 and args.refold:
            console.print(
                f"{size:>9,}: folded again into the rollups in {await refold(path):.1f} s"
            )
        if stored >= 0:
            console.print(
                f"{size:>9,}: stored {stored:,} messages in {fill:.1f} s, "
                f"first fold into the rollups {fold:.1f} s"
            )
        results[size] = await measure(path, args.runs)
    table = Table(
        title=f"analytics dashboard answer, ms (median / p99 of {args.runs}); "
        "wall clock, and CPU time of this process (all threads)"
    )
    table.add_column("view")
    for size in results:
        table.add_column(f"{results[size]['messages']:,} msgs", justify="right")
    for key in results[next(iter(results))]:
        if key in ("messages",):
            continue
        row = [key]
        for size in results:
            v = results[size][key]
            if isinstance(v, tuple):
                med, p99 = v
                row.append(f"{med:.1f} / {p99:.1f}" if p99 is not None else f"{med:.1f}")
            else:
                row.append(f"{v:,}")
        table.add_row(*row)
    console.print(table)
    console.print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, SQLite, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"load average {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
