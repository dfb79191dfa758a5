"""The analytics API (docs/analytics.md): supervisors see the team, an agent their own figures.

The server folds what changed into the rollups in the background, every 10 s (`keep_fresh`,
started with the app), so a request only reads them. A request folds first only when the
rollups are older than a minute (the background fold is not running, as in a process that
serves without the app's start-up, or it fell behind).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from fastapi.responses import Response

from tandem.analytics import export, queries, service
from tandem.analytics.refresh import RefreshStats, refresh
from tandem.deps import AgentDep, ServicesDep, SupervisorDep
from tandem.identity import audit
from tandem.identity.service import Principal
from tandem.services import Services

router = APIRouter(prefix="/api/v1/analytics", tags=["analytics"])
log = logging.getLogger("tandem.analytics")

From = Annotated[
    str | None, Query(alias="from", description="First local day, YYYY-MM-DD (default: 6 days ago)")
]
To = Annotated[
    str | None, Query(alias="to", description="Last local day, YYYY-MM-DD (default: today)")
]
Gran = Annotated[str, Query(description="hour, day or week (in the shop's time zone)")]
Dim = Annotated[str | None, Query(max_length=64)]


def _zone(services: Services) -> ZoneInfo:
    return services.shop.policy.service_hours.zone


def gate(services: Services) -> service.RefreshGate:
    found = services.extras.get("analytics.gate")
    if not isinstance(found, service.RefreshGate):
        found = service.RefreshGate()
        services.extras["analytics.gate"] = found
    return found


# A fold takes at most this many batches (of 1,000 conversations), each in its own short
# transaction: on SQLite the writers (customers' messages) take turns with it.
REQUEST_BATCHES = 5
# A request folds first only when the rollups are older than this.
STALE_AFTER = timedelta(minutes=1)


async def keep_fresh(services: Services) -> None:
    """The background fold: every `analytics_fold_seconds` (10 s), what changed goes into the
    rollups. The app's start-up runs this; a failed fold is logged and the next one tries
    again. 0 turns it off."""
    seconds = services.settings.analytics_fold_seconds
    if not seconds:
        return
    every = timedelta(seconds=seconds)
    while True:
        try:
            await fresh(services, every=every)
        except Exception:
            log.exception("analytics refresh failed")
        await asyncio.sleep(seconds)


async def fresh(
    services: Services, *, force: bool = False, every: timedelta = STALE_AFTER
) -> RefreshStats | None:
    """Fold what changed if the last fold is older than `every` (or `force`)."""
    now = services.clock.now()

    async def fold(sweep: bool) -> RefreshStats:
        total = RefreshStats()
        for _ in range(REQUEST_BATCHES):
            async with services.unit_of_work() as uow:
                step = await refresh(uow.session, now, _zone(services), max_batches=1, sweep=sweep)
            total.conversations += step.conversations
            total.episodes += step.episodes
            total.hours += step.hours
            total.agent_facts += step.agent_facts
            total.more = step.more
            if not step.more:
                break
        return total

    return await gate(services).run(now, fold, force=force, every=every)


def _filters(
    services: Services,
    principal: Principal,
    start: str | None,
    end: str | None,
    granularity: str,
    intent: str | None,
    skill: str | None,
    agent: str | None,
    channel: str | None,
) -> queries.Filters:
    # An agent sees their own figures only, whatever they ask for.
    agent_id = agent if principal.is_supervisor else principal.id
    return service.build_filters(
        _zone(services),
        services.clock.now(),
        start=start,
        end=end,
        granularity=granularity,
        intent=intent,
        skill=skill,
        agent_id=agent_id,
        channel=channel,
    )


@router.get("/overview")
async def overview(
    services: ServicesDep,
    supervisor: SupervisorDep,
    start: From = None,
    end: To = None,
    granularity: Gran = "day",
    intent: Dim = None,
    skill: Dim = None,
    agent: Dim = None,
    channel: Dim = None,
) -> dict[str, Any]:
    """Everything the dashboard draws: totals, wait percentiles, the series per bucket, the
    breakdowns by intent, skill, agent and channel, the team table, failing intents with their
    knowledge gaps, and the dead ends."""
    f = _filters(services, supervisor, start, end, granularity, intent, skill, agent, channel)
    stats = await fresh(services)
    async with services.sessions() as session:
        body = await queries.overview(session, f)
    body["catching_up"] = bool(stats and stats.more)
    return body


@router.get("/me")
async def mine(
    services: ServicesDep,
    agent: AgentDep,
    start: From = None,
    end: To = None,
    granularity: Gran = "day",
) -> dict[str, Any]:
    """The calling agent's own figures over the range (a supervisor gets their own too)."""
    f = _filters(services, agent, start, end, granularity, None, None, None, None)
    f = replace(f, agent_id=agent.id)
    await fresh(services)
    async with services.sessions() as session:
        team = await queries.agents(session, f)
        return {
            "agent_id": agent.id,
            "totals": await queries.totals(session, f),
            "series": await queries.series(session, f),
            "me": next((a for a in team if a["agent_id"] == agent.id), None),
        }


@router.get("/export/{name}.{fmt}")
async def export_table(
    name: str,
    fmt: Literal["csv", "xlsx"],
    services: ServicesDep,
    supervisor: SupervisorDep,
    start: From = None,
    end: To = None,
    granularity: Gran = "day",
    intent: Dim = None,
    skill: Dim = None,
    agent: Dim = None,
    channel: Dim = None,
) -> Response:
    """One of the dashboard's tables (series, intent, skill, agent, channel, agents, failing,
    dead_ends) as CSV (UTF-8 with BOM) or XLSX, with the same filters."""
    f = _filters(services, supervisor, start, end, granularity, intent, skill, agent, channel)
    await fresh(services)
    async with services.sessions() as session:
        rows = await service.table(session, f, name)
    stamp = f"{f.start.date().isoformat()}_{(f.end - timedelta(days=1)).date().isoformat()}"
    filename = f"tandem-{name}-{stamp}.{fmt}"
    if fmt == "csv":
        body, media = export.to_csv(rows), export.CSV_TYPE
    else:
        body, media = export.to_xlsx(rows, name), export.XLSX_TYPE
    async with services.unit_of_work() as uow:
        await audit.record(
            uow,
            actor=supervisor,
            action="export",
            at=services.clock.now(),
            target=f"analytics.{name}.{fmt}",
            details={"rows": len(rows), "from": f.start.isoformat(), "to": f.end.isoformat()},
        )
    return Response(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/refresh")
async def refresh_now(services: ServicesDep, supervisor: SupervisorDep) -> dict[str, Any]:
    """Fold in everything new now (the dashboard's refresh button)."""
    stats = await fresh(services, force=True)
    assert stats is not None
    return {**stats.__dict__, "at": datetime.isoformat(services.clock.now())}
