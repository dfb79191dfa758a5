"""The analytics rollups: hourly and local-day sums over the episode rows.

`refresh` folds conversations into episode rows; `rebuild_hours` then rebuilds the rollup rows
of the hours and days it touched. The statements are built once (`rollup_statements`): building
~40 aggregate expressions per statement, and their cache keys, cost more than running them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import cache
from typing import Any

from sqlalchemy import (
    Executable,
    Integer,
    Table,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from tandem.analytics.derive import FAILING_CATEGORIES, POSITIVE
from tandem.analytics.models import DailyByRow, DailyRow, EpisodeRow, HourlyRow

EPISODES: Table = EpisodeRow.__table__  # type: ignore[assignment]


def _n(cond: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((cond, 1), else_=0)).cast(Integer)


def _aggregates() -> list[Any]:
    """The summed measures over episode rows, in ROLLUP_COLUMNS order (after the keys)."""
    e = EPISODES.c
    cat = e.category
    return [
        func.count(),
        func.sum(e.customer_turns),
        _n(e.ai_resolved.is_not(None)),
        _n(e.ai_resolved.is_(True)),
        _n(e.handed_off.is_(True)),
        _n(cat == "asked"),
        _n(cat == "rephrase"),
        _n(cat == "emotion"),
        _n(cat == "value"),
        _n(cat == "low_confidence"),
        _n(cat == "policy"),
        _n(cat == "other"),
        func.coalesce(func.sum(e.turns_to_handoff), 0),
        _n(e.repeated.is_(True)),
        _n(e.asked_person.is_(True)),
        _n(e.dead_end.is_(True)),
        _n(e.callback_missed.is_(True)),
        _n(e.ticket.is_(True)),
        _n(e.first_ai_seconds.is_not(None)),
        func.coalesce(func.sum(e.first_ai_seconds), 0.0),
        _n(e.first_human_seconds.is_not(None)),
        func.coalesce(func.sum(e.first_human_seconds), 0.0),
        _n(e.wait_seconds.is_not(None)),
        func.coalesce(func.sum(e.wait_seconds), 0.0),
        func.coalesce(func.max(e.wait_seconds), 0.0),
        _n(e.abandoned.is_(True)),
        _n(e.handling_seconds.is_not(None)),
        func.coalesce(func.sum(e.handling_seconds), 0.0),
        _n(e.closed_by != ""),
        _n(e.rating.is_not(None)),
        _n(e.rating == POSITIVE),
        func.sum(e.abusive_messages),
        _n(e.abusive_messages > 0),
        func.sum(e.misses),
        _n(or_(cat.in_(tuple(FAILING_CATEGORIES)), e.returned.is_(True))),
    ]


KEYS = "keys"


def _keys(column: Any) -> Any:
    """`column IN (:keys)`, the list given at execution (one compiled statement for any
    number of keys)."""
    return column.in_(bindparam(KEYS, expanding=True, type_=column.type))


def _rollup_select(key: Any) -> Any:
    """The cube rows (time key x intent x skill x agent x channel) of the given hours/days."""
    e = EPISODES.c
    dims = (e.intent, e.skill, e.agent_id, e.channel)
    return select(key, *dims, *_aggregates()).where(_keys(key)).group_by(key, *dims)


def _marginal_select(dim: str) -> Any:
    """The local-day sums over one dimension (or all), the others folded."""
    e = EPISODES.c
    if dim == "all":
        return (
            select(e.day, literal("all"), literal(""), *_aggregates())
            .where(_keys(e.day))
            .group_by(e.day)
        )
    col = e[dim]
    return select(e.day, literal(dim), col, *_aggregates()).where(_keys(e.day)).group_by(e.day, col)


@dataclass(frozen=True)
class RollupStatements:
    hours: tuple[Executable, ...]
    days: tuple[Executable, ...]


@cache
def rollup_statements() -> RollupStatements:
    """The rollup's statements, built once: building ~40 aggregate expressions per statement
    and their cache keys cost more than running them, on every fold. Core tables, so no ORM
    bulk-persistence step either; the hours or days are the `KEYS` parameter."""
    hourly: Table = HourlyRow.__table__  # type: ignore[assignment]
    daily: Table = DailyRow.__table__  # type: ignore[assignment]
    daily_by: Table = DailyByRow.__table__  # type: ignore[assignment]
    e = EPISODES.c
    return RollupStatements(
        hours=(
            delete(hourly).where(_keys(hourly.c.hour)),
            insert(hourly).from_select(ROLLUP_COLUMNS, _rollup_select(e.hour)),
        ),
        days=(
            delete(daily).where(_keys(daily.c.day)),
            insert(daily).from_select(["day", *ROLLUP_COLUMNS[1:]], _rollup_select(e.day)),
            delete(daily_by).where(_keys(daily_by.c.day)),
            *(
                insert(daily_by).from_select(
                    ["day", "dim", "key", *ROLLUP_COLUMNS[5:]], _marginal_select(dim)
                )
                for dim in ("all", "intent", "skill", "agent_id", "channel")
            ),
        ),
    )


ROLLUP_COLUMNS = [
    "hour",
    "intent",
    "skill",
    "agent_id",
    "channel",
    "episodes",
    "customer_turns",
    "ai_decided",
    "ai_resolved",
    "handed_off",
    "ho_asked",
    "ho_rephrase",
    "ho_emotion",
    "ho_value",
    "ho_low_confidence",
    "ho_policy",
    "ho_other",
    "turns_to_handoff",
    "repeated",
    "asked_person",
    "dead_ends",
    "callbacks_missed",
    "tickets",
    "first_ai_n",
    "first_ai_sum",
    "first_human_n",
    "first_human_sum",
    "served",
    "wait_sum",
    "wait_max",
    "abandoned",
    "handled_n",
    "handled_sum",
    "closed",
    "rated",
    "positive",
    "abusive_messages",
    "abuse_incidents",
    "misses",
    "failed",
]


async def rebuild_hours(session: AsyncSession, dirty: set[datetime], zone: tzinfo) -> None:
    """The rollup rows of the touched hours and local days, rebuilt from the episodes (in
    chunks, so the statements stay within the databases' parameter limits)."""
    hours = sorted(dirty)
    # Both ends of each hour: with a half-hour zone an hour spans two local days.
    days = sorted(
        {h.astimezone(zone).date().isoformat() for h in hours}
        | {(h + timedelta(minutes=59)).astimezone(zone).date().isoformat() for h in hours}
    )
    statements = rollup_statements()
    for i in range(0, len(hours), 200):
        for statement in statements.hours:
            await session.execute(statement, {KEYS: hours[i : i + 200]})
    for i in range(0, len(days), 100):
        for statement in statements.days:
            await session.execute(statement, {KEYS: days[i : i + 100]})
