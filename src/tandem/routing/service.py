"""Routing queries: the queue and the agents as the pure rules see them, and honest waits.

Reads the database into `policy` values (`QueueEntry`, `AgentState`) and asks the rules. The
effects of an assignment round (state changes, messages, events) live in `assignment.py`,
which may use the conversation use cases; this module is what `conversations` itself calls
for positions and waits, so it imports only tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from typing import TypedDict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.conversations.models import Conversation
from tandem.db.session import clock_of, zone_of
from tandem.engine.types import QueueFacts
from tandem.identity.models import Account
from tandem.routing import policy
from tandem.routing.agents import (
    DEFAULT_ZONE,
    EXPOSURE,
    STAFF_ROLES,
    SUPERVISOR_SKILL,
    active_load,
    active_loads,
    agent_state,
    agent_states,
    agent_statuses,
    hostile_events,
    require_status,
    skills_of,
    staff,
)
from tandem.routing.entries import (
    DEFAULT_SKILL,
    VERY_ANGRY_AT,
    entry_of,
    hostile_kind,
    is_hostile_analysis,
    new_entry,
    waiting_rows,
)
from tandem.routing.models import AgentStatus
from tandem.routing.policy import AgentState, QueueEntry
from tandem.routing.queue import Told, queue_rows
from tandem.routing.waits import DEFAULT_HANDLE_SECONDS, estimate_wait
from tandem.routing.wellbeing import HostileEvent

__all__ = [
    "DEFAULT_SKILL",
    "DEFAULT_ZONE",
    "Desk",
    "EXPOSURE",
    "STAFF_ROLES",
    "SUPERVISOR_SKILL",
    "Snapshot",
    "Staffing",
    "Told",
    "VERY_ANGRY_AT",
    "active_load",
    "active_loads",
    "agent_state",
    "agent_states",
    "agent_statuses",
    "entry_of",
    "hostile_events",
    "hostile_kind",
    "is_hostile_analysis",
    "new_entry",
    "require_status",
    "skills_of",
    "staff",
    "waiting_rows",
]

RECENT_FOR_HANDLE_TIME = 50
RATE_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Staffing:
    agents_online: int
    free_slots: int
    slots_per_agent: int
    avg_handle_seconds: float


@dataclass
class Desk:
    """The agents as a round reads them, once: their accounts (ORM objects: a round changes
    a presence), routing rows, loads and the hostile events of the exposure window. The round
    keeps it current in memory as it takes back and assigns, instead of reading it again for
    each of its steps."""

    accounts: list[Account]
    statuses: dict[str, AgentStatus]
    loads: dict[str, int]
    events: list[HostileEvent]
    # The shop's time zone, the one shifts are read in.
    zone: tzinfo | None = None

    def states(self, now: datetime) -> list[AgentState]:
        return [
            agent_state(
                a, self.statuses.get(a.id), self.loads.get(a.id, 0), self.events, now, self.zone
            )
            for a in self.accounts
        ]

    def took(self, agent_id: str, hostile: HostileEvent | None = None) -> None:
        """`agent_id` now holds one more conversation (a hostile one: `hostile` recorded)."""
        self.loads[agent_id] = self.loads.get(agent_id, 0) + 1
        if hostile is not None:
            self.events.append(hostile)

    def gave_back(self, agent_id: str) -> None:
        self.loads[agent_id] = max(0, self.loads.get(agent_id, 0) - 1)


class Observed(TypedDict):
    """What every wait estimate observes besides the queue and the agents (`policy`'s keyword
    arguments, the same in each of them)."""

    recent_arrivals: list[QueueEntry]
    avg_handle_seconds: float
    rate_window: timedelta


@dataclass(frozen=True)
class Snapshot:
    """The queue and the desk at one moment: what every estimate and assignment reads. Built
    once per change and shared by the round, the announcements and the turn that caused it."""

    now: datetime
    entries: list[QueueEntry]
    agents: list[AgentState]
    recent: list[QueueEntry]
    avg_handle_seconds: float
    events: list[HostileEvent]
    # Per waiting conversation: what it was last told (only conversations with a row).
    told: dict[str, Told] = field(default_factory=dict)
    # The agents' rows this snapshot was read from, for a round in the same transaction.
    desk: Desk | None = None

    @property
    def observed(self) -> Observed:
        return Observed(
            recent_arrivals=self.recent,
            avg_handle_seconds=self.avg_handle_seconds,
            rate_window=RATE_WINDOW,
        )

    def told_now(self, conversation_id: str, position: int, wait: int) -> Snapshot:
        """The same moment, with `conversation_id` just told (`position`, `wait`)."""
        told = self.told.get(conversation_id)
        if told is None:
            return self
        first = told.first_estimate_seconds if told.first_estimate_seconds is not None else wait
        return replace(
            self,
            told={
                **self.told,
                conversation_id: told._replace(
                    position=position, eta_seconds=wait, first_estimate_seconds=first
                ),
            },
        )

    def after_assignments(self, assigned: list[tuple[str, str]]) -> Snapshot:
        """The same moment after `(conversation, agent)` assignments: those conversations
        left the queue and each agent holds one more. No database read."""
        if not assigned:
            return self
        gone = {cid for cid, _ in assigned}
        more: dict[str, int] = {}
        for _, agent_id in assigned:
            more[agent_id] = more.get(agent_id, 0) + 1
        return replace(
            self,
            entries=[e for e in self.entries if e.conversation_id not in gone],
            agents=[
                replace(a, active=a.active + more[a.agent_id]) if a.agent_id in more else a
                for a in self.agents
            ],
            told={cid: t for cid, t in self.told.items() if cid not in gone},
        )


# --- the snapshot -----------------------------------------------------------------------------


async def read_desk(session: AsyncSession, now: datetime) -> Desk:
    """The agents, their routing rows, loads and recent hostile events: four queries."""
    return Desk(
        accounts=await staff(session),
        statuses=await agent_statuses(session),
        loads=await active_loads(session),
        events=await hostile_events(session, now),
        zone=zone_of(session),
    )


async def snapshot(
    session: AsyncSession,
    now: datetime,
    extra: list[Conversation] | None = None,
    desk: Desk | None = None,
) -> Snapshot:
    """The queue (waiting rows, plus `extra` queued conversations that have no row yet), the
    agents (from `desk` when the caller has read them in this transaction) and the arrivals
    of the last hour."""
    start = now - RATE_WINDOW
    # The rows from the process's memory, or only those written since it was read.
    rows = await queue_rows(session, start)
    entries = list(rows.entries.values())
    for c in extra or []:
        if c.state == "queued" and c.id not in rows.told:
            entries.append(await new_entry(session, c, now))
    # The arrivals of the last hour: rows that are no longer waiting, and the waiting ones.
    recent = rows.recent(start)
    recent_ids = {e.conversation_id for e in recent}
    recent += [e for e in entries if e.conversation_id not in recent_ids]
    desk = desk if desk is not None else await read_desk(session, now)
    return Snapshot(
        now=now,
        entries=entries,
        agents=desk.states(now),
        recent=recent,
        avg_handle_seconds=await average_handle_seconds(session),
        events=list(desk.events),
        told=dict(rows.told),
        desk=desk,
    )


# --- waits --------------------------------------------------------------------------------------


def estimates(
    snap: Snapshot, settled: Callable[[str, int, float, float], bool] | None = None
) -> dict[str, tuple[int, int | None]]:
    """(position in its skill queue, expected wait in whole seconds or None when nobody with
    the skill is on duty) for every waiting conversation (but those `settled` leaves out, see
    `policy.wait_estimates`)."""
    result = policy.wait_estimates(
        snap.entries,
        snap.agents,
        snap.now,
        **snap.observed,
        settled=settled,
    )
    return {
        cid: (position, None if est is None else round(est.seconds))
        for cid, (position, est) in result.items()
    }


def unstaffed_wait(position: int, snap: Snapshot) -> int:
    """Nobody with the skill is on duty: assume one agent comes on duty (the shop's minimum
    staffing) and say how long that takes; the engine offers a ticket with a callback."""
    return estimate_wait(
        position=position,
        agents_online=0,
        free_slots=0,
        slots_per_agent=policy.DEFAULT_MAX_CONCURRENT,
        avg_handle_seconds=snap.avg_handle_seconds,
    )


def shown_wait(position: int, eta: int | None, snap: Snapshot) -> int:
    return unstaffed_wait(position, snap) if eta is None else eta


def staffing_of(agents: list[AgentState], now: datetime, avg_handle_seconds: float) -> Staffing:
    """Who is on duty among `agents`: online and not on a break, their free slots."""
    on_duty = [a for a in agents if policy.is_available(a, now)]
    slots = (
        round(sum(a.max_concurrent for a in on_duty) / len(on_duty))
        if on_duty
        else policy.DEFAULT_MAX_CONCURRENT
    )
    return Staffing(len(on_duty), sum(a.room for a in on_duty), slots, avg_handle_seconds)


async def staffing(session: AsyncSession, now: datetime | None = None) -> Staffing:
    """Who is on duty now: agents online and not on a break, their free slots."""
    now = now or clock_of(session).now()
    return staffing_of(await agent_states(session, now), now, await average_handle_seconds(session))


async def average_handle_seconds(session: AsyncSession) -> float:
    rows = (
        await session.execute(
            select(Conversation.assigned_at, Conversation.resolved_at)
            .where(Conversation.assigned_at.is_not(None), Conversation.resolved_at.is_not(None))
            .order_by(Conversation.resolved_at.desc())
            .limit(RECENT_FOR_HANDLE_TIME)
        )
    ).all()
    durations = [
        (r - a).total_seconds() for a, r in rows if a is not None and r is not None and r > a
    ]
    return policy.observed_handle_seconds(durations, DEFAULT_HANDLE_SECONDS)


async def queue_estimate(
    session: AsyncSession,
    conversation: Conversation,
    s: Staffing | None = None,
    now: datetime | None = None,
) -> tuple[int, int]:
    """(position in its skill queue, estimated wait in seconds) of a queued conversation, from
    the observed arrivals and handling times (Erlang C, `policy.wait_estimates`). A ticket's
    promised callback time bounds the wait from below: nobody is there to answer before it.
    A conversation that is no longer queued gets (0, 0)."""
    if conversation.state != "queued":
        return 0, 0
    now = now or clock_of(session).now()
    return estimate_in(await snapshot(session, now, extra=[conversation]), conversation)


def estimate_in(snap: Snapshot, conversation: Conversation) -> tuple[int, int]:
    """`queue_estimate` from a snapshot already read (the one the round just used)."""
    if conversation.state != "queued":
        return 0, 0
    now = snap.now
    position, eta = 1, None
    entry = next((e for e in snap.entries if e.conversation_id == conversation.id), None)
    if entry is not None:
        # This customer's figures only (the same as `estimates` gives them): one pass over
        # the queue instead of an estimate for everyone in it.
        inputs = policy.wait_inputs(
            entry,
            snap.entries,
            snap.agents,
            now,
            **snap.observed,
        )
        est = policy.estimate_wait(inputs)
        position, eta = inputs.position, None if est is None else round(est.seconds)
    wait = shown_wait(position, eta, snap)
    if conversation.callback_at is not None:
        wait = max(wait, int((conversation.callback_at - now).total_seconds()))
    return position, wait


async def facts_for_new_entry(
    session: AsyncSession,
    s: Staffing | None = None,
    priority: int = 0,
    now: datetime | None = None,
) -> QueueFacts:
    """What the queue would look like for a conversation joining it now. Its skill is not
    decided yet, so the desk is taken as one pool: everyone waiting, everyone on duty. One
    snapshot serves the staffing too (`s`, when the caller has it already, is not re-read)."""
    now = now or clock_of(session).now()
    snap = await snapshot(session, now)
    position, est = policy.pooled_newcomer_wait(
        snap.entries,
        snap.agents,
        now,
        **snap.observed,
    )
    s = s or staffing_of(snap.agents, now, snap.avg_handle_seconds)
    eta = None if est is None else round(est.seconds)
    return QueueFacts(
        agents_online=s.agents_online,
        position_if_queued=position,
        eta_seconds=shown_wait(position, eta, snap),
    )


async def queued_conversations(session: AsyncSession) -> list[Conversation]:
    """Queued conversations, in the order the rules serve them (across skills)."""
    conversations = list(
        (await session.scalars(select(Conversation).where(Conversation.state == "queued"))).all()
    )
    now = clock_of(session).now()
    rows = {r.conversation_id: r for r in await waiting_rows(session)}
    order = {
        e.conversation_id: i
        for i, e in enumerate(
            policy.queue_order(
                [entry_of(rows[c.id]) for c in conversations if c.id in rows]
                + [await new_entry(session, c, now) for c in conversations if c.id not in rows]
            )
        )
    }
    return sorted(conversations, key=lambda c: order.get(c.id, len(order)))
