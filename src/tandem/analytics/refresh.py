"""Keep the analytics tables up to date, incrementally.

A refresh folds in only what changed since the last one:

1. conversations whose `last_seq` moved past their cursor (every event takes the next `seq` of
   its conversation in the same transaction, so a committed event is always visible together
   with its `last_seq`), or whose time-dependent facts are due (`settles_at` passed): their
   episodes are derived again from their own log (derive.py) and replace the old rows.
   The first fold compares every conversation with its cursor; once it is done, a refresh
   looks only at the conversations with an event since the last refresh (less a margin for
   transactions still open then), an index range on `events.created_at`, so that finding
   nothing new costs the same over a month or over years of history;
2. the customers of those conversations: "came back with the same problem within 24 h"
   crosses conversations, so their other episodes in that window are re-judged;
3. reveals and hostile-load events after the last id seen; the break each agent is on;
4. the hourly rollups of the hours touched by 1-3, rebuilt from `analytics_episodes`.

Nothing here commits: the caller's unit of work does (the edge owns the transaction).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Select,
    Table,
    delete,
    insert,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.analytics.derive import (
    HOSTILE_WEIGHT,
    RETURN_WINDOW,
    ConversationIn,
    DecisionIn,
    Episode,
    EventIn,
    QueueIn,
    derive,
    mark_returns,
)
from tandem.analytics.models import (
    AgentActivityRow,
    Cursor,
    DailyByRow,
    DailyRow,
    EpisodeRow,
    HourlyRow,
    StateRow,
)
from tandem.analytics.rollup import EPISODES, rebuild_hours
from tandem.conversations.models import Conversation, Decision, Event
from tandem.desk.models import Reveal
from tandem.routing.models import AgentStatus, HostileEventRow, QueueRow

BATCH = 1000
# Events are written with the writer's clock inside transactions that last well under this:
# an event committed after a refresh but stamped before it is still inside the next range.
CHANGE_MARGIN = timedelta(minutes=5)
# Core inserts (no ORM bookkeeping): the first fold writes one row per episode.
ACTIVITY: Table = AgentActivityRow.__table__  # type: ignore[assignment]
CURSORS: Table = Cursor.__table__  # type: ignore[assignment]
LOCK_KEY = 1515  # PostgreSQL advisory lock: one refresh at a time across instances


@dataclass
class RefreshStats:
    conversations: int = 0
    episodes: int = 0
    hours: int = 0
    agent_facts: int = 0
    more: bool = False


def hour_of(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


async def refresh(
    session: AsyncSession,
    now: datetime,
    zone: tzinfo = UTC,
    max_batches: int | None = None,
    sweep: bool = False,
) -> RefreshStats:
    """Fold everything new into the analytics tables (see the module docstring). `zone` is
    the shop's time zone (local days); when it changes, everything is folded again. With
    `max_batches`, stop after that many batches of conversations (`stats.more` tells whether
    some are left), so that a request never holds a transaction for long. `sweep` compares
    every conversation with its cursor, as the first fold does: it also finds events stamped
    before the last refresh's margin (a writer whose clock was far behind, rows restored
    from a backup)."""
    stats = RefreshStats()
    if session.get_bind().dialect.name == "postgresql":
        got = await session.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
        if not got:
            return stats  # another instance is refreshing right now; its result serves us too
    zone_row = await _state(session, "zone")
    if zone_row.value not in ("0", str(zone)):
        await rebuild_all(session)
        zone_row = await _state(session, "zone")
    zone_row.value = str(zone)
    since_row = await _state(session, "changes.since")
    since = None if sweep or since_row.value == "0" else datetime.fromisoformat(since_row.value)
    dirty: set[datetime] = set()
    batches = 0
    while True:
        ids = await _changed(session, now, since)
        if not ids:
            break
        if max_batches is not None and batches >= max_batches:
            stats.more = True
            break
        await _fold(session, ids, now, zone, dirty, stats)
        stats.conversations += len(ids)
        batches += 1
    if not stats.more:
        # Everything up to now is folded: the next refresh reads the log from here on.
        since_row.value = (now - CHANGE_MARGIN).isoformat()
    stats.agent_facts += await _reveals(session)
    stats.agent_facts += await _hostile(session)
    stats.agent_facts += await _breaks(session, now)
    await rebuild_hours(session, dirty, zone)
    stats.hours = len(dirty)
    return stats


async def _changed(session: AsyncSession, now: datetime, since: datetime | None) -> list[str]:
    """Up to BATCH conversations to fold again. `since`: only those with an event at or
    after it (None: every conversation, the first fold), plus those whose facts are due."""
    c, k = Conversation.__table__.c, Cursor.__table__.c
    behind = or_(k.conversation_id.is_(None), c.last_seq > k.seq)
    joined = Conversation.__table__.outerjoin(Cursor.__table__, k.conversation_id == c.id)
    query: Select[str] | CompoundSelect[str]
    if since is None:
        query = select(c.id).select_from(joined).where(or_(behind, k.settles_at <= now))
    else:
        # No DISTINCT: with it SQLite scans the log in key order instead of the time index.
        recent = select(Event.conversation_id).where(Event.created_at >= since)
        query = (
            select(c.id)
            .select_from(joined)
            .where(c.id.in_(recent), behind)
            .union(select(k.conversation_id).where(k.settles_at <= now))
        )
    rows = await session.execute(query.limit(BATCH))
    return [r[0] for r in rows]


async def _load(session: AsyncSession, ids: Sequence[str]) -> list[tuple[ConversationIn, int]]:
    convs = (
        await session.execute(
            select(
                Conversation.id,
                Conversation.customer_external_id,
                Conversation.callback_at,
                Conversation.last_seq,
            ).where(Conversation.id.in_(ids))
        )
    ).all()
    events: dict[str, list[EventIn]] = defaultdict(list)
    for cid, seq, type_, data, at in await session.execute(
        select(Event.conversation_id, Event.seq, Event.type, Event.data, Event.created_at).where(
            Event.conversation_id.in_(ids)
        )
    ):
        events[cid].append(EventIn(seq, type_, data or {}, at))
    decisions: dict[str, list[DecisionIn]] = defaultdict(list)
    for row in await session.execute(
        select(
            Decision.conversation_id,
            Decision.message_id,
            Decision.action,
            Decision.rule,
            Decision.intent,
            Decision.handoff_reason,
            Decision.data,
        ).where(Decision.conversation_id.in_(ids))
    ):
        decisions[row[0]].append(DecisionIn(row[1], row[2], row[3], row[4], row[5], row[6] or {}))
    queue: dict[str, list[QueueIn]] = defaultdict(list)
    for cid, skill, at, first in await session.execute(
        select(
            QueueRow.conversation_id,
            QueueRow.skill,
            QueueRow.enqueued_at,
            QueueRow.first_estimate_seconds,
        ).where(QueueRow.conversation_id.in_(ids))
    ):
        queue[cid].append(QueueIn(skill, at, first))
    return [
        (
            ConversationIn(cid, ext, cb, events[cid], decisions[cid], queue[cid]),
            int(last_seq),
        )
        for cid, ext, cb, last_seq in convs
    ]


async def _fold(
    session: AsyncSession,
    ids: Sequence[str],
    now: datetime,
    zone: tzinfo,
    dirty: set[datetime],
    stats: RefreshStats,
) -> None:
    loaded = await _load(session, ids)
    old_hours = await session.execute(
        select(EpisodeRow.hour).where(EpisodeRow.conversation_id.in_(ids)).distinct()
    )
    dirty.update(h for (h,) in old_hours)
    old_held = await session.execute(
        select(AgentActivityRow.hour)
        .where(AgentActivityRow.conversation_id.in_(ids), AgentActivityRow.kind == "held")
        .distinct()
    )
    dirty.update(h for (h,) in old_held)
    await session.execute(delete(EpisodeRow).where(EpisodeRow.conversation_id.in_(ids)))
    await session.execute(
        delete(AgentActivityRow).where(
            AgentActivityRow.conversation_id.in_(ids), AgentActivityRow.kind == "held"
        )
    )
    await session.execute(delete(Cursor).where(Cursor.conversation_id.in_(ids)))
    episodes: list[Episode] = []
    held_rows: list[dict[str, Any]] = []
    cursors: list[dict[str, Any]] = []
    for conv, last_seq in loaded:
        derived = derive(conv, now)
        episodes.extend(derived.episodes)
        for h in derived.held:
            for hour, seconds in _split_hours(h.start, h.end):
                held_rows.append(
                    {
                        "kind": "held",
                        "source": f"{h.conversation_id}:{h.start.isoformat()}:{hour.isoformat()}",
                        "agent_id": h.agent_id,
                        "conversation_id": h.conversation_id,
                        "hour": hour,
                        "value": seconds,
                    }
                )
                dirty.add(hour)
        cursors.append(
            {"conversation_id": conv.id, "seq": last_seq, "settles_at": derived.settles_at}
        )
    await _cross_conversation_returns(session, episodes, now, dirty)
    if episodes:
        await session.execute(insert(EPISODES), [_episode_row(e, zone) for e in episodes])
    if held_rows:
        await session.execute(insert(ACTIVITY), held_rows)
    if cursors:
        await session.execute(insert(CURSORS), cursors)
    dirty.update(e.hour for e in episodes)
    stats.episodes += len(episodes)
    # A conversation deleted between the two reads leaves no cursor: mark it done anyway.
    missing = set(ids) - {c["conversation_id"] for c in cursors}
    if missing:
        await session.execute(
            insert(CURSORS),
            [{"conversation_id": m, "seq": 1 << 30, "settles_at": None} for m in missing],
        )


def _split_hours(start: datetime, end: datetime) -> Iterable[tuple[datetime, float]]:
    at = start
    while at < end:
        next_hour = hour_of(at) + timedelta(hours=1)
        stop = min(end, next_hour)
        yield hour_of(at), (stop - at).total_seconds()
        at = stop


async def _cross_conversation_returns(
    session: AsyncSession, episodes: list[Episode], now: datetime, dirty: set[datetime]
) -> None:
    """Episodes of the same signed-in customer in other conversations, within the window, are
    judged together with the new ones (a return may be in another conversation). One query
    for the whole batch."""
    by_customer: dict[str, list[Episode]] = defaultdict(list)
    for e in episodes:
        if e.customer_key != e.conversation_id:  # anonymous: only its own conversation
            by_customer[e.customer_key].append(e)
    if not by_customer:
        return
    ids = {e.conversation_id for e in episodes}
    lo = min(e.started_at for e in episodes) - RETURN_WINDOW
    hi = max(e.last_customer_at for e in episodes) + RETURN_WINDOW
    others: dict[str, list[EpisodeRow]] = defaultdict(list)
    keys = list(by_customer)
    for i in range(0, len(keys), 500):
        for row in (
            await session.scalars(
                select(EpisodeRow).where(
                    EpisodeRow.customer_key.in_(keys[i : i + 500]),
                    EpisodeRow.started_at >= lo,
                    EpisodeRow.started_at <= hi,
                )
            )
        ).all():
            if row.conversation_id not in ids:
                others[row.customer_key].append(row)
    for key, mine in by_customer.items():
        rows = others.get(key, [])
        proxies = {row.id: _proxy(row) for row in rows}
        mark_returns([*mine, *proxies.values()], now)
        for row in rows:
            p = proxies[row.id]
            if (p.ai_resolved, p.returned) != (row.ai_resolved, row.returned):
                row.ai_resolved, row.returned = p.ai_resolved, p.returned
                dirty.add(row.hour)
    await session.flush()


def _proxy(row: EpisodeRow) -> Episode:
    return Episode(
        conversation_id=row.conversation_id,
        n=row.n,
        customer_key=row.customer_key,
        started_at=row.started_at,
        last_customer_at=row.last_customer_at,
        last_event_at=row.last_customer_at,
        intent=row.intent,
        handed_off=row.handed_off,
        ended=row.ended,
        ai_resolved=row.ai_resolved,
        returned=row.returned,
    )


def _episode_row(e: Episode, zone: tzinfo) -> dict[str, Any]:
    return {
        "conversation_id": e.conversation_id,
        "n": e.n,
        "customer_key": e.customer_key,
        "hour": e.hour,
        "day": e.started_at.astimezone(zone).date().isoformat(),
        "started_at": e.started_at,
        "last_customer_at": e.last_customer_at,
        "channel": e.channel,
        "intent": e.intent,
        "skill": e.skill,
        "agent_id": e.agent_id,
        "customer_turns": e.customer_turns,
        "handed_off": e.handed_off,
        "handoff_reason": e.handoff_reason,
        "category": e.category,
        "turns_to_handoff": e.turns_to_handoff,
        "asked_person": e.asked_person,
        "ticket": e.ticket,
        "callback_at": e.callback_at,
        "callback_missed": e.callback_missed,
        "queued_at": e.queued_at,
        "assigned_at": e.assigned_at,
        "wait_seconds": e.wait_seconds,
        "first_ai_seconds": e.first_ai_seconds,
        "first_human_seconds": e.first_human_seconds,
        "handling_seconds": e.handling_seconds,
        "closed_by": e.closed_by,
        "rating": e.rating,
        "repeated": e.repeated,
        "misses": e.misses,
        "abusive_messages": e.abusive_messages,
        "ended": e.ended,
        "abandoned": e.abandoned,
        "dead_end": e.dead_end,
        "ai_resolved": e.ai_resolved,
        "returned": e.returned,
    }


# --- agent facts from append-only tables ------------------------------------------------


async def _state(session: AsyncSession, name: str) -> StateRow:
    row = await session.get(StateRow, name)
    if row is None:
        row = StateRow(name=name, value="0")
        session.add(row)
    return row


async def _reveals(session: AsyncSession) -> int:
    cursor = await _state(session, "reveals.id")
    rows = (
        await session.execute(
            select(Reveal.id, Reveal.agent_id, Reveal.conversation_id, Reveal.at)
            .where(Reveal.id > int(cursor.value))
            .order_by(Reveal.id)
        )
    ).all()
    if not rows:
        return 0
    await session.execute(
        insert(ACTIVITY),
        [
            {
                "kind": "reveal",
                "source": f"r{rid}",
                "agent_id": agent,
                "conversation_id": None,
                "hour": hour_of(at),
                "value": 1.0,
            }
            for rid, agent, _cid, at in rows
        ],
    )
    cursor.value = str(rows[-1][0])
    return len(rows)


async def _hostile(session: AsyncSession) -> int:
    cursor = await _state(session, "hostile.id")
    rows = (
        await session.execute(
            select(
                HostileEventRow.id,
                HostileEventRow.agent_id,
                HostileEventRow.at,
                HostileEventRow.kind,
            )
            .where(HostileEventRow.id > int(cursor.value))
            .order_by(HostileEventRow.id)
        )
    ).all()
    if not rows:
        return 0
    await session.execute(
        insert(ACTIVITY),
        [
            {
                "kind": "hostile",
                "source": f"h{hid}",
                "agent_id": agent,
                "conversation_id": None,
                "hour": hour_of(at),
                "value": HOSTILE_WEIGHT.get(kind, 1.0),
            }
            for hid, agent, at, kind in rows
        ],
    )
    cursor.value = str(rows[-1][0])
    return len(rows)


async def _breaks(session: AsyncSession, now: datetime) -> int:
    """Breaks are not logged anywhere (only the current one and the last end are kept), so
    each refresh records the breaks it sees: one that started (a new `break_until`), or one
    that started and ended between two refreshes (a new `last_break_end` on an agent we did
    not see on a break)."""
    added = 0
    for status in (await session.scalars(select(AgentStatus))).all():
        seen = await _state(session, f"break.{status.agent_id}")
        until = status.break_until.isoformat() if status.break_until else ""
        ended = status.last_break_end.isoformat() if status.last_break_end else ""
        seen_until, _, seen_end = seen.value.partition("|") if seen.value != "0" else ("", "", "")
        at: datetime | None = None
        if until and until != seen_until and status.break_until is not None:
            at = now
        elif ended and ended != seen_end and not seen_until and status.last_break_end is not None:
            at = status.last_break_end
        if at is not None:
            session.add(
                AgentActivityRow(
                    kind="break",
                    source=f"b{status.agent_id}:{until or ended}",
                    agent_id=status.agent_id,
                    conversation_id=None,
                    hour=hour_of(at),
                    value=1.0,
                )
            )
            added += 1
        seen.value = f"{until}|{ended}"
    return added


async def rebuild_all(session: AsyncSession) -> None:
    """Throw the derived tables away, so the next refresh folds the whole log again (after
    the shop's time zone or a definition changed). Call before anything else in the
    transaction: the session forgets what it held."""
    for table in (HourlyRow, DailyRow, DailyByRow, EpisodeRow, Cursor, AgentActivityRow, StateRow):
        await session.execute(delete(table))
    session.expunge_all()
