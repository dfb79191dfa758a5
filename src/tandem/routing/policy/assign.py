"""Who may take a conversation and who gets it: one assignment round."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from tandem.routing.policy.priority import PriorityConfig, queue_order
from tandem.routing.policy.shifts import (
    DEFAULT_WIND_DOWN_MINUTES,
    ENDING,
    IN_SHIFT,
    OFF_SHIFT,
    ShiftCover,
    standing_at,
    standing_rank,
)
from tandem.routing.policy.types import LANGUAGE_SKILLS, PRESENCE_ONLINE, AgentState, QueueEntry


def is_available(agent: AgentState, now: datetime) -> bool:
    """Online and not on a break. A break that has not ended counts even if presence lags."""
    if agent.presence != PRESENCE_ONLINE:
        return False
    return agent.on_break_until is None or agent.on_break_until <= now


def speaks(agent: AgentState, language: str | None) -> bool:
    """An agent who lists no language skill is taken to serve every language; one who lists
    some serves those only."""
    if language is None:
        return True
    listed = [s for s in agent.skills if s in LANGUAGE_SKILLS]
    return not listed or language in listed


def is_eligible(agent: AgentState, entry: QueueEntry, now: datetime) -> bool:
    return (
        is_available(agent, now)
        and entry.skill in agent.skills
        and speaks(agent, entry.language)
        and agent.active < agent.max_concurrent
        and agent.agent_id != entry.avoid_agent_id
    )


@dataclass(frozen=True)
class AssignmentConfig:
    priority: PriorityConfig = field(default_factory=PriorityConfig)
    # Exposure a hostile conversation adds within one round, so that two hostile conversations
    # assigned in the same round do not both go to the same least-exposed agent. Matches the
    # weight of one abusive conversation in `wellbeing.ExposureConfig`.
    hostile_exposure_step: float = 1.0
    # The last minutes of a shift in which an agent is offered new work only when nobody
    # else in shift could take it (`shifts.ENDING`).
    wind_down_minutes: int = DEFAULT_WIND_DOWN_MINUTES
    # Signed-in agents outside their shift take new work when nobody in shift can (rather than
    # leave the customer waiting); False: never, whatever the queue.
    off_shift_fallback: bool = True


DEFAULT_ASSIGNMENT = AssignmentConfig()


def offered(agent: AgentState, now: datetime, config: AssignmentConfig) -> str | None:
    """The agent's shift standing if routing may offer them new work at all, else None."""
    standing = standing_at(agent.shift, now, config.wind_down_minutes)
    if standing == OFF_SHIFT and not config.off_shift_fallback:
        return None
    return standing


def shift_cover(
    agents: Iterable[AgentState], now: datetime, config: AssignmentConfig = DEFAULT_ASSIGNMENT
) -> ShiftCover:
    """How many available agents are in shift, ending it, or outside it (the lead's board)."""
    standings = [
        standing_at(a.shift, now, config.wind_down_minutes) for a in agents if is_available(a, now)
    ]
    return ShiftCover(*(standings.count(s) for s in (IN_SHIFT, ENDING, OFF_SHIFT)))


def team_left(entry: QueueEntry, agents: Iterable[AgentState]) -> str | None:
    """The team of the agent a conversation left (taken back, passed to the queue or a skill,
    escalated): their teammates are offered it first."""
    if entry.avoid_agent_id is None:
        return None
    return next((a.team for a in agents if a.agent_id == entry.avoid_agent_id), None)


def choose_agent(
    entry: QueueEntry,
    agents: Iterable[AgentState],
    now: datetime,
    config: AssignmentConfig = DEFAULT_ASSIGNMENT,
) -> str | None:
    """The agent to take `entry`, or None if nobody eligible.

    First by shift: an agent in shift before one in the last minutes of theirs, before one
    signed in outside it (`policy.shifts`). Then by team: the teammates of the agent the
    conversation left. Then ordinary conversations go to the agent with the most room; a
    hostile one goes to the least exposed agent first, so the abuse is shared rather than
    landing on whoever is free. Ties fall back to the other criterion, then to the agent id,
    so the result is deterministic.
    """
    agents = list(agents)
    return _choose(entry, agents, now, {a.agent_id: offered(a, now, config) for a in agents})


def _choose(
    entry: QueueEntry,
    agents: list[AgentState],
    now: datetime,
    standings: dict[str, str | None],
) -> str | None:
    """`choose_agent` with each agent's standing worked out once per round."""
    team = team_left(entry, agents)
    ranked = []
    for a in agents:
        standing = standings[a.agent_id]
        if standing is not None and is_eligible(a, entry, now):
            ranked.append((standing_rank(standing), 0 if team and a.team == team else 1, a))
    if not ranked:
        return None
    if entry.hostile:
        best = min(ranked, key=lambda r: (r[0], r[1], r[2].exposure, -r[2].room, r[2].agent_id))
    else:
        best = min(ranked, key=lambda r: (r[0], r[1], -r[2].room, r[2].exposure, r[2].agent_id))
    return best[2].agent_id


def next_assignments(
    queue_entries: Iterable[QueueEntry],
    agents: Iterable[AgentState],
    now: datetime,
    config: AssignmentConfig = DEFAULT_ASSIGNMENT,
) -> list[tuple[str, str]]:
    """One assignment round: (conversation_id, agent_id) pairs, highest priority first.

    Entries are taken in priority order across all skill queues; each goes to `choose_agent`
    given the load the earlier picks of this round added. An entry nobody can take stays queued
    and does not block entries of other skills behind it.
    """
    state = {a.agent_id: a for a in sorted(agents, key=lambda a: a.agent_id)}
    standings = {a.agent_id: offered(a, now, config) for a in state.values()}
    room = sum(a.room for a in state.values() if is_available(a, now))
    seen: set[str] = set()
    # Room only shrinks during a round: once a skill finds nobody, it finds nobody again.
    full_skills: set[tuple[str, str | None]] = set()
    pairs: list[tuple[str, str]] = []
    for entry in queue_order(queue_entries, config.priority):
        if room == 0:
            break
        if entry.conversation_id in seen or (entry.skill, entry.language) in full_skills:
            continue
        seen.add(entry.conversation_id)
        agent_id = _choose(entry, list(state.values()), now, standings)
        if agent_id is None:
            if entry.avoid_agent_id is None:
                full_skills.add((entry.skill, entry.language))
            continue
        room -= 1
        agent = state[agent_id]
        state[agent_id] = replace(
            agent,
            active=agent.active + 1,
            exposure=agent.exposure + (config.hostile_exposure_step if entry.hostile else 0.0),
        )
        pairs.append((entry.conversation_id, agent_id))
    return pairs
