"""Analytics use cases: keep the rollups fresh (at most one refresh per interval per process),
build the filters of a request, and the tables every export offers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from tandem.analytics import queries
from tandem.analytics.queries import Filters
from tandem.analytics.refresh import RefreshStats
from tandem.core.errors import NotFound

REFRESH_EVERY = timedelta(seconds=10)
# A sweep compares every conversation with its cursor (refresh.refresh(sweep=True)): the quick
# path reads only the recent log. Once per process start, per hour, and on the refresh button.
SWEEP_EVERY = timedelta(hours=1)


def _passed(last: datetime | None, now: datetime, every: timedelta) -> bool:
    return last is None or now - last >= every or now < last


@dataclass
class RefreshGate:
    """Dashboards poll; one refresh serves every request within `every` (per process)."""

    every: timedelta = REFRESH_EVERY
    sweep_every: timedelta = SWEEP_EVERY
    last: datetime | None = None
    last_sweep: datetime | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Set after every completed fold (what a caller waiting for fresh rollups awaits).
    folded: asyncio.Event = field(default_factory=asyncio.Event)

    def due(self, now: datetime, every: timedelta | None = None) -> bool:
        return _passed(self.last, now, every or self.every)

    async def run(
        self,
        now: datetime,
        fold: Callable[[bool], Awaitable[RefreshStats]],
        force: bool = False,
        every: timedelta | None = None,
    ) -> RefreshStats | None:
        """`fold(sweep)` folds in what changed; it is called at most once per `every`
        (default: the gate's)."""
        if not force and not self.due(now, every):
            return None
        async with self.lock:
            if not force and not self.due(now, every):
                return None  # another caller refreshed while this one waited
            sweep = force or _passed(self.last_sweep, now, self.sweep_every)
            stats = await fold(sweep)
            if not stats.more:  # still catching up: the next request continues at once
                self.last = now
                if sweep:
                    self.last_sweep = now
                self.folded.set()
            return stats


def build_filters(
    zone: ZoneInfo,
    now: datetime,
    *,
    start: str | None = None,
    end: str | None = None,
    granularity: str = "day",
    intent: str | None = None,
    skill: str | None = None,
    agent_id: str | None = None,
    channel: str | None = None,
) -> Filters:
    lo, hi, g = queries.parse_range(start, end, zone, now, granularity)
    return Filters(
        start=lo,
        end=hi,
        zone=zone,
        granularity=g,
        intent=intent or None,
        skill=skill or None,
        agent_id=agent_id or None,
        channel=channel or None,
    )


TABLES = ("series", "intent", "skill", "agent", "channel", "agents", "failing", "dead_ends")


async def table(session: AsyncSession, f: Filters, name: str) -> list[dict[str, Any]]:
    """One of the dashboard's tables as flat rows (what CSV and XLSX export)."""
    if name == "series":
        rows = await queries.series(session, f)
    elif name in ("intent", "skill", "agent", "channel"):
        rows = await queries.breakdown(session, f, "agent_id" if name == "agent" else name)
    elif name == "agents":
        rows = await queries.agents(session, f)
    elif name == "failing":
        rows = [
            {**r, "gaps": " | ".join(f"{g['text']} ×{g['count']}" for g in r["gaps"])}
            for r in await queries.failing_intents(session, f, limit=50)
        ]
    elif name == "dead_ends":
        rows = await queries.dead_end_list(session, f, limit=10_000)
    else:
        raise NotFound(
            f"没有名为 {name!r} 的表，可选：{', '.join(TABLES)}；"
            f"no table {name!r}: choose one of {', '.join(TABLES)}"
        )
    return [_flat(r) for r in rows]


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in row.items():
        if isinstance(v, dict):
            for k2, v2 in v.items():
                out[f"{k}.{k2}"] = v2
        else:
            out[k] = v
    return out
