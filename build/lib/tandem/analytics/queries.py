"""What the dashboard, the exports and the report read: sums over the hourly rollups, folded
into the shop's local hours, days or weeks; wait percentiles and the lists from the episodes.

Every figure is computed from sums (rates are ratios of sums), so any range, filter and
breakdown is a GROUP BY over `analytics_hourly`; only the wait percentiles, the dead-end list
and the failing intents' gaps read `analytics_episodes` (within the range, by its hour index).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.analytics.derive import CATEGORIES
from tandem.analytics.models import (
    AgentActivityRow,
    DailyByRow,
    DailyRow,
    EpisodeRow,
    HourlyRow,
)
from tandem.core.errors import InvalidInput
from tandem.engine.wording import DEFAULT_WORDING
from tandem.identity.models import Account
from tandem.knowledge.models import KnowledgeMiss

Granularity = Literal["hour", "day", "week"]
DIMENSIONS = ("intent", "skill", "agent_id", "channel")
SUMMED = [
    "episodes",
    "customer_turns",
    "ai_decided",
    "ai_resolved",
    "handed_off",
    *(f"ho_{c}" for c in CATEGORIES),
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
EXTRA_INTENT_LABELS = {
    "human": ("要人工", "Asked for a person"),
    "greeting": ("问候", "Greeting"),
    "thanks": ("感谢", "Thanks"),
    "bye": ("再见", "Goodbye"),
    "unknown": ("未识别", "Not understood"),
}
SKILL_LABELS = {
    "pre_sale": ("售前", "Pre-sale"),
    "after_sale": ("售后", "After-sale"),
    "logistics": ("物流", "Logistics"),
    "vip": ("VIP", "VIP"),
    "en": ("英文", "English"),
    "supervisor": ("主管", "Supervisor"),
    "": ("未转人工", "Not handed off"),
}
CHANNEL_LABELS = {"web": ("网页", "Web"), "app": ("App", "App"), "email": ("邮件", "Email")}
MAX_DAYS = 400
MAX_HOUR_BUCKETS = 24 * 31


@dataclass(frozen=True)
class Filters:
    """A time range in the shop's zone (`start` inclusive, `end` exclusive, both UTC-aware)
    and optional dimension values."""

    start: datetime
    end: datetime
    zone: ZoneInfo
    granularity: Granularity = "day"
    intent: str | None = None
    skill: str | None = None
    agent_id: str | None = None
    channel: str | None = None

    def dims(self) -> dict[str, str]:
        out = {
            "intent": self.intent,
            "skill": self.skill,
            "agent_id": self.agent_id,
            "channel": self.channel,
        }
        return {k: v for k, v in out.items() if v is not None}


def parse_range(
    start: str | None,
    end: str | None,
    zone: ZoneInfo,
    now: datetime,
    granularity: str = "day",
) -> tuple[datetime, datetime, Granularity]:
    """`from`/`to` as local dates (YYYY-MM-DD, both days included); by default the last 7
    days up to today. Clear errors, Chinese first."""
    if granularity not in ("hour", "day", "week"):
        raise InvalidInput(
            f"粒度只能是 hour、day 或 week（收到 {granularity!r}）；"
            f"granularity must be hour, day or week (got {granularity!r})"
        )
    today = now.astimezone(zone).date()

    def day(value: str | None, default: date, name: str) -> date:
        if value is None or value == "":
            return default
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            raise InvalidInput(
                f"{name} 的日期格式应为 YYYY-MM-DD（收到 {value!r}）；"
                f"{name} must be a date like 2026-11-30 (got {value!r})"
            ) from None

    last = day(end, today, "to")
    first = day(start, last - timedelta(days=6), "from")
    if first > last:
        raise InvalidInput(
            f"开始日期 {first} 晚于结束日期 {last}，请交换；from ({first}) is after to ({last})"
        )
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(
            f"时间范围最多 {MAX_DAYS} 天；the range can cover at most {MAX_DAYS} days"
        )
    if granularity == "hour" and (last - first).days + 1 > MAX_HOUR_BUCKETS // 24:
        raise InvalidInput(
            "按小时最多看 31 天，请改用 day 或 week；hourly figures cover at most 31 days: "
            "use day or week"
        )
    lo = datetime.combine(first, time(), zone)
    hi = datetime.combine(last + timedelta(days=1), time(), zone)
    return lo, hi, granularity  # type: ignore[return-value]


# --- figures from sums --------------------------------------------------------------------


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 4) if b else None


def _avg(total: float, n: float) -> float | None:
    return round(total / n, 1) if n else None


def figures(s: Mapping[str, Any]) -> dict[str, Any]:
    """The measures of docs/analytics.md from one set of sums."""

    def g(k: str) -> float:
        return float(s.get(k) or 0)

    handed = g("handed_off")
    return {
        "episodes": int(g("episodes")),
        "ai_resolved": int(g("ai_resolved")),
        "ai_decided": int(g("ai_decided")),
        "ai_resolution_rate": _ratio(g("ai_resolved"), g("ai_decided")),
        "handed_off": int(handed),
        "handoff_rate": _ratio(handed, g("episodes")),
        "handoff_by_reason": {c: int(g(f"ho_{c}")) for c in CATEGORIES},
        "handoff_reason_rate": {c: _ratio(g(f"ho_{c}"), g("episodes")) for c in CATEGORIES},
        "avg_turns_to_handoff": _avg(g("turns_to_handoff"), handed),
        "repeated": int(g("repeated")),
        "repeated_rate": _ratio(g("repeated"), g("episodes")),
        "asked_person": int(g("asked_person")),
        "dead_ends": int(g("dead_ends")),
        "callbacks_missed": int(g("callbacks_missed")),
        "tickets": int(g("tickets")),
        "first_ai_seconds": _avg(g("first_ai_sum"), g("first_ai_n")),
        "first_human_seconds": _avg(g("first_human_sum"), g("first_human_n")),
        "served": int(g("served")),
        "avg_wait_seconds": _avg(g("wait_sum"), g("served")),
        "max_wait_seconds": round(g("wait_max"), 1) if g("served") else None,
        "abandoned": int(g("abandoned")),
        "abandonment_rate": _ratio(g("abandoned"), handed),
        "avg_handling_seconds": _avg(g("handled_sum"), g("handled_n")),
        "closed": int(g("closed")),
        "rated": int(g("rated")),
        "positive": int(g("positive")),
        "positive_rate": _ratio(g("positive"), g("rated")),
        "abusive_messages": int(g("abusive_messages")),
        "abuse_incidents": int(g("abuse_incidents")),
        "misses": int(g("misses")),
        "failed": int(g("failed")),
    }


def _daily(f: Filters) -> bool:
    """Days and weeks read the local-day rollup (whole local days by construction)."""
    return f.granularity != "hour"


def _source(f: Filters) -> Any:
    """Hours read the hourly cube; days and weeks the local-day cube, or, with no filter, the
    one-dimension-at-a-time daily sums (a few dozen rows a day)."""
    if not _daily(f):
        return HourlyRow
    return DailyRow if f.dims() else DailyByRow


def _sums_select(f: Filters, *group: Any, tag: str | None = None) -> Any:
    """Sums over the rollup rows in range and filter, grouped by `group` (a time column, or
    one dimension named by `tag`)."""
    h: Any = _source(f)
    cols = [func.sum(getattr(h, c)).label(c) for c in SUMMED]
    cols.append(func.max(h.wait_max).label("wait_max"))
    if h is DailyByRow:
        if tag is not None:
            q = select(h.dim.label("dim"), h.key.label("key"), *cols).where(h.dim.in_(DIMENSIONS))
            group = (h.dim, h.key)
        else:
            q = select(*group, *cols).where(h.dim == "all")
    else:
        head = [literal(tag).label("dim")] if tag is not None else []
        group = tuple(getattr(h, g) if isinstance(g, str) else g for g in group)
        shown = [group[0].label("key"), *group[1:]] if tag is not None else list(group)
        q = select(*head, *shown, *cols)
    if _daily(f):
        first, end = f.start.astimezone(f.zone).date(), f.end.astimezone(f.zone).date()
        q = q.where(h.day >= first.isoformat(), h.day < end.isoformat())
    else:
        q = q.where(h.hour >= f.start, h.hour < f.end)
    for k, v in f.dims().items():
        q = q.where(getattr(h, k) == v)
    return q.group_by(*group) if group else q


async def totals(session: AsyncSession, f: Filters) -> dict[str, Any]:
    row = (await session.execute(_sums_select(f))).mappings().one()
    return figures(dict(row))


def bucket_of(hour: datetime, f: Filters) -> datetime:
    local = hour.astimezone(f.zone)
    if f.granularity == "hour":
        return local.replace(minute=0, second=0, microsecond=0)
    day = datetime.combine(local.date(), time(), f.zone)
    if f.granularity == "week":
        day = datetime.combine(local.date() - timedelta(days=local.weekday()), time(), f.zone)
    return day


def buckets(f: Filters) -> list[datetime]:
    out: list[datetime] = []
    at = bucket_of(f.start, f)
    while at < f.end:
        out.append(at)
        if f.granularity == "hour":
            at = (at + timedelta(hours=1)).astimezone(f.zone)
        else:
            # Calendar steps in the local zone (a DST change keeps days at midnight).
            step = 7 if f.granularity == "week" else 1
            at = datetime.combine(at.date() + timedelta(days=step), time(), f.zone)
    return out


def _label(b: datetime, g: Granularity) -> str:
    return b.strftime("%Y-%m-%d %H:00") if g == "hour" else b.date().isoformat()


async def _hour_sums(session: AsyncSession, f: Filters) -> list[dict[str, Any]]:
    """Sums per UTC hour (hourly view) or per local day, each with its time as `at`."""
    if not _daily(f):
        q = _sums_select(f, HourlyRow.hour.label("at"))
        return [dict(r) for r in (await session.execute(q)).mappings()]
    rows = []
    day = _source(f).day
    for r in (await session.execute(_sums_select(f, day.label("at")))).mappings():
        row = dict(r)
        row["at"] = datetime.combine(date.fromisoformat(row["at"]), time(), f.zone)
        rows.append(row)
    return rows


def _fold_series(rows: Sequence[Mapping[str, Any]], f: Filters) -> list[dict[str, Any]]:
    sums: dict[datetime, dict[str, float]] = {b: defaultdict(float) for b in buckets(f)}
    for row in rows:
        b = bucket_of(row["at"], f)
        acc = sums.setdefault(b, defaultdict(float))
        for c in SUMMED:
            acc[c] += float(row[c] or 0)
        acc["wait_max"] = max(acc["wait_max"], float(row["wait_max"] or 0))
    return [{"bucket": _label(b, f.granularity), **figures(sums[b])} for b in sorted(sums)]


def _total_of(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    acc: dict[str, float] = defaultdict(float)
    for row in rows:
        for c in SUMMED:
            acc[c] += float(row[c] or 0)
        acc["wait_max"] = max(acc["wait_max"], float(row["wait_max"] or 0))
    return figures(acc)


async def series(session: AsyncSession, f: Filters) -> list[dict[str, Any]]:
    """The figures per local hour, day or week (Monday first), every bucket present."""
    return _fold_series(await _hour_sums(session, f), f)


async def breakdowns(session: AsyncSession, f: Filters) -> dict[str, list[dict[str, Any]]]:
    """The figures by intent, skill, agent and channel, in one statement (one round trip)."""
    if _source(f) is DailyByRow:
        q = _sums_select(f, tag="by")
    else:
        q = union_all(*[_sums_select(f, dim, tag=dim) for dim in DIMENSIONS])
    out: dict[str, list[dict[str, Any]]] = {d: [] for d in DIMENSIONS}
    for r in (await session.execute(q)).mappings():
        out[r["dim"]].append({"key": r["key"], **figures(dict(r))})
    for rows in out.values():
        rows.sort(key=lambda r: (-r["episodes"], r["key"]))
    return out


async def breakdown(session: AsyncSession, f: Filters, dim: str) -> list[dict[str, Any]]:
    if dim not in DIMENSIONS:
        raise InvalidInput(f"未知维度 {dim!r}；unknown dimension {dim!r}: use {DIMENSIONS}")
    return (await breakdowns(session, f))[dim]


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return round(ordered[rank - 1], 1)


def _episodes_where(q: Any, f: Filters) -> Any:
    e = EpisodeRow
    q = q.where(e.hour >= f.start, e.hour < f.end)
    for k, v in f.dims().items():
        q = q.where(getattr(e, k) == v)
    return q


async def waits(session: AsyncSession, f: Filters) -> dict[str, Any]:
    q = _episodes_where(select(EpisodeRow.wait_seconds), f).where(
        EpisodeRow.wait_seconds.is_not(None)
    )
    values = [float(v) for (v,) in await session.execute(q)]
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p90": percentile(values, 90),
        "max": round(max(values), 1) if values else None,
    }


async def dead_end_list(session: AsyncSession, f: Filters, limit: int = 50) -> list[dict[str, Any]]:
    e = EpisodeRow
    q = (
        _episodes_where(
            select(
                e.conversation_id, e.started_at, e.intent, e.callback_at, e.callback_missed, e.skill
            ),
            f,
        )
        .where(e.dead_end.is_(True))
        .order_by(e.started_at.desc())
        .limit(limit)
    )
    return [
        {
            "conversation_id": cid,
            "started_at": started.astimezone(f.zone).isoformat(),
            "intent": intent,
            "skill": skill,
            "kind": "callback_missed" if missed else "asked_no_person",
            "callback_at": cb.astimezone(f.zone).isoformat() if cb else None,
        }
        for cid, started, intent, cb, missed, skill in await session.execute(q)
    ]


async def failing_intents(
    session: AsyncSession,
    f: Filters,
    limit: int = 8,
    examples: int = 3,
    by_intent: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Intents ranked by how often the AI failed on them: it handed off because it could not
    answer (low confidence, out of scope, fallbacks) or the customer had to ask again, or the
    customer came back with the same problem. With the questions the AI missed (the knowledge
    gaps behind them)."""
    if by_intent is None:
        by_intent = (await breakdowns(session, f))["intent"]
    ranked = sorted(
        (r for r in by_intent if r["failed"] or r["misses"]),
        key=lambda r: (-r["failed"], r["key"]),
    )[:limit]
    rows = [(r["key"], r["episodes"], r["failed"], r["misses"]) for r in ranked]
    gaps: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if rows:
        gap_q = (
            select(EpisodeRow.intent, KnowledgeMiss.text, func.count().label("n"))
            .join(EpisodeRow, EpisodeRow.conversation_id == KnowledgeMiss.conversation_id)
            .where(
                EpisodeRow.intent.in_([r[0] for r in rows]),
                EpisodeRow.hour >= f.start,
                EpisodeRow.hour < f.end,
                KnowledgeMiss.created_at >= f.start,
                KnowledgeMiss.created_at < f.end,
            )
            .group_by(EpisodeRow.intent, KnowledgeMiss.text)
            .order_by(EpisodeRow.intent, func.count().desc(), KnowledgeMiss.text)
        )
        for intent, text_, c in await session.execute(gap_q):
            if len(gaps[intent]) < examples:
                gaps[intent].append({"text": text_, "count": int(c)})
    return [
        {
            "intent": intent,
            "episodes": n,
            "failed": fl,
            "failure_rate": _ratio(fl, n),
            "misses": misses,
            "gaps": gaps.get(intent, []),
        }
        for intent, n, fl, misses in rows
    ]


async def agents(
    session: AsyncSession, f: Filters, by_agent_rows: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Per agent: closed (关单量), positive-rating rate (好评率), handling and first-response
    times from the rollups; occupancy, hostile exposure, reveals and breaks from the agent
    activity. Occupancy = seconds holding conversations ÷ (cap × 3600 × hours in which the
    agent held at least one)."""
    if by_agent_rows is None:
        by_agent_rows = await breakdown(session, f, "agent_id")
    by_agent = {r["key"]: r for r in by_agent_rows if r["key"]}  # '' = nobody
    a = AgentActivityRow
    q = (
        select(
            a.agent_id,
            a.kind,
            func.sum(a.value),
            func.count(),
            func.count(func.distinct(a.hour)),
        )
        .where(a.hour >= f.start, a.hour < f.end)
        .group_by(a.agent_id, a.kind)
    )
    if f.agent_id is not None:
        q = q.where(a.agent_id == f.agent_id)
    activity: dict[str, dict[str, tuple[float, int, int]]] = defaultdict(dict)
    for agent_id, kind, total, n, hours in await session.execute(q):
        activity[agent_id][kind] = (float(total or 0), int(n), int(hours))
    ids = set(by_agent) | set(activity)
    accounts = {
        acc.id: acc
        for acc in (await session.scalars(select(Account).where(Account.id.in_(ids)))).all()
    }
    out = []
    for agent_id in sorted(ids, key=lambda i: accounts[i].display_name if i in accounts else i):
        fig = by_agent.get(agent_id) or figures({})
        act = activity.get(agent_id, {})
        held, _, hours = act.get("held", (0.0, 0, 0))
        cap = accounts[agent_id].max_concurrent if agent_id in accounts else 1
        out.append(
            {
                "agent_id": agent_id,
                "name": accounts[agent_id].display_name if agent_id in accounts else agent_id,
                "closed": fig["closed"],
                "rated": fig["rated"],
                "positive": fig["positive"],
                "positive_rate": fig["positive_rate"],
                "avg_handling_seconds": fig["avg_handling_seconds"],
                "first_human_seconds": fig["first_human_seconds"],
                "held_seconds": round(held),
                "working_hours": hours,
                "capacity_seconds": cap * 3600 * hours,
                "occupancy": _ratio(held, cap * 3600 * hours),
                "hostile_conversations": act.get("hostile", (0.0, 0, 0))[1],
                "hostile_exposure": round(act.get("hostile", (0.0, 0, 0))[0], 2),
                "reveals": act.get("reveal", (0.0, 0, 0))[1],
                "breaks": act.get("break", (0.0, 0, 0))[1],
            }
        )
    return out


def labels() -> dict[str, dict[str, tuple[str, str]]]:
    """Chinese and English names of the dimension values (intents, skills, channels)."""
    return {
        "intent": {
            **{
                intent: (names.get("zh", intent), names.get("en", intent))
                for intent, names in DEFAULT_WORDING.topics.items()
            },
            **EXTRA_INTENT_LABELS,
        },
        "skill": SKILL_LABELS,
        "channel": CHANNEL_LABELS,
    }


async def overview(session: AsyncSession, f: Filters) -> dict[str, Any]:
    """Everything the dashboard draws, for one range and filter (seven statements)."""
    hourly = await _hour_sums(session, f)
    by = await breakdowns(session, f)
    team = await agents(session, f, by["agent_id"])
    total = _total_of(hourly)
    total["reveals"] = sum(a["reveals"] for a in team)
    total["breaks"] = sum(a["breaks"] for a in team)
    total["occupancy"] = _ratio(
        sum(a["held_seconds"] for a in team), sum(a["capacity_seconds"] for a in team)
    )
    return {
        "range": {
            "from": f.start.date().isoformat(),
            "to": (f.end - timedelta(days=1)).date().isoformat(),
            "granularity": f.granularity,
            "timezone": str(f.zone),
        },
        "filters": f.dims(),
        "labels": labels(),
        "totals": total,
        "waits": await waits(session, f),
        "series": _fold_series(hourly, f),
        "by": by,
        "agents": team,
        "failing": await failing_intents(session, f, by_intent=by["intent"]),
        "dead_ends": await dead_end_list(session, f),
    }
