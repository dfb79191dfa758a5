"""Who may take a conversation and who gets it: one assignment round."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from tandem.routing.policy.priority import PriorityConfig, queue_order
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


def choose_agent(entry: QueueEntry, agents: Iterable[AgentState], now: datetime) -> str | None:
    """The agent to take `entry`, or None if nobody eligible.

    Ordinary conversations go to the agent with the most room; a hostile one goes to the least
    exposed agent first, so the abuse is shared rather than landing on whoever is free. Ties
    fall back to the other criterion, then to the agent id, so the result is deterministic.
    """
    eligible = [a for a in agents if is_eligible(a, entry, now)]
    if not eligible:
        return None
    if entry.hostile:
        best = min(eligible, key=lambda a: (a.exposure, -a.room, a.agent_id))
    else:
        best = min(eligible, key=lambda a: (-a.room, a.exposure, a.agent_id))
    return best.agent_id


@dataclass(frozen=True)
class AssignmentConfig:
    priority: PriorityConfig = field(default_factory=PriorityConfig)
    # Exposure a hostile conversation adds within one round, so that two hostile conversations
    # assigned in the same round do not both go to the same least-exposed agent. Matches the
    # weight of one abusive conversation in `wellbeing.ExposureConfig`.
    hostile_exposure_step: float = 1.0


DEFAULT_ASSIGNMENT = AssignmentConfig()


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
        agent_id = choose_agent(entry, state.values(), now)
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
