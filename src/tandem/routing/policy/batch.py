"""Every waiting customer's place and wait at once (`wait_estimates`): the figures
`wait_inputs` + `estimate_wait` give one entry, from one sort of the queue and one pass over it,
for refreshing every waiting customer's display after each change."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tandem.routing.policy.assign import is_available
from tandem.routing.policy.priority import (
    DEFAULT_PRIORITY,
    PriorityConfig,
    queue_order,
    static_points,
)
from tandem.routing.policy.types import AgentState, QueueEntry
from tandem.routing.policy.waits import (
    WaitEstimate,
    WaitInputs,
    _free_for,
    _overtakers_above,
    _weighted_count,
    competition,
    estimate_wait,
)


def _suffix_sums(levels: Sequence[tuple[int, float]]) -> tuple[list[float], list[float]]:
    """For each index i of sorted (points, count) levels: Σ count and Σ count·points over
    levels[i:]."""
    counts, points = [0.0] * (len(levels) + 1), [0.0] * (len(levels) + 1)
    for i in range(len(levels) - 1, -1, -1):
        p, c = levels[i]
        counts[i] = counts[i + 1] + c
        points[i] = points[i + 1] + c * p
    return counts, points


@dataclass
class _SkillPass:
    """One skill queue's part of `wait_estimates`: its agents and the overtaking levels."""

    skilled: list[AgentState]
    servers: int
    free: int
    per_agent: int
    weights: Mapping[str, float]
    by_skill: list[tuple[str, float]]
    rate: float
    levels: list[tuple[int, float]]
    level_keys: list[int]
    above_count: list[float]
    above_points: list[float]
    per_slot: float
    position: int = 0


def _skill_pass(
    skill: str,
    agents: list[AgentState],
    now: datetime,
    counts: Mapping[tuple[str, int], int],
    recent_by_skill: Mapping[str, int],
    window_hours: float,
    avg_handle_seconds: float,
    count_competition: bool,
    estimate_overtaking: bool,
) -> _SkillPass:
    skilled = [a for a in agents if is_available(a, now) and skill in a.skills]
    servers = sum(a.max_concurrent for a in skilled)
    weights = competition(skill, agents, now) if count_competition else {skill: 1.0}
    rate = sum(weights.get(s, 0.0) * n for s, n in recent_by_skill.items()) / window_hours
    all_points: dict[int, float] = {}
    if estimate_overtaking:
        for (s, key), n in counts.items():
            w = weights.get(s, 0.0)
            if w > 0:
                all_points[key] = all_points.get(key, 0.0) + w * n
    # Sorted once per skill; each entry reads the levels above its own (no copy, no sort).
    levels = sorted(all_points.items())
    # From each level up: Σ count and Σ count·points, for the bound on overtaking.
    above_count, above_points = _suffix_sums(levels)
    return _SkillPass(
        skilled=skilled,
        servers=servers,
        free=sum(a.room for a in skilled),
        per_agent=round(servers / len(skilled)) if skilled else 0,
        weights=weights,
        by_skill=sorted(weights.items()),
        rate=rate,
        levels=levels,
        level_keys=[p for p, _ in levels],
        above_count=above_count,
        above_points=above_points,
        per_slot=avg_handle_seconds / servers if servers > 0 else 0.0,
    )


def wait_estimates(
    queue: Iterable[QueueEntry],
    agents: Iterable[AgentState],
    now: datetime,
    *,
    recent_arrivals: Iterable[QueueEntry],
    avg_handle_seconds: float,
    rate_window: timedelta,
    config: PriorityConfig = DEFAULT_PRIORITY,
    count_competition: bool = True,
    estimate_overtaking: bool = True,
    quantile: float = 0.9,
    settled: Callable[[str, int, float, float], bool] | None = None,
) -> dict[str, tuple[int, WaitEstimate | None]]:
    """(position in its skill queue, estimate) for every queued conversation at once.

    The same figures as `wait_inputs` + `estimate_wait` per entry, with one sort of the queue
    and one pass over it (each entry read once, for its own skill queue), for refreshing every
    waiting customer's display after each event.

    `settled(conversation_id, position, low, high)`: given bounds on the entry's expected wait
    in seconds (`low` <= `estimate.seconds` <= `high`, both cheap: no overtaking solved, no
    quantile), whether the caller needs no more about this entry; a settled entry is left out
    of the result. Announcements use it to estimate only the customers whose wait may have
    moved materially. Not asked when nobody with the skill is on duty (the figure is then
    None, no cost to give).
    """
    ordered = queue_order(queue, config)
    agents = list(agents)
    start = now - rate_window
    recent = [e for e in recent_arrivals if start < e.enqueued_at <= now]
    window_hours = rate_window.total_seconds() / 3600
    window_aging = rate_window.total_seconds() * config.aging_points_per_minute / 60
    # The arrivals counted once, by skill (the rate) and, leaving re-queued ones out, by skill
    # and whole static points (the overtaking levels); each skill queue weighs the counts.
    recent_by_skill: dict[str, int] = {}
    counts: dict[tuple[str, int], int] = {}
    # Each conversation's own recent arrivals, so it is not overtaken by itself. Keyed by the
    # points of those arrivals, not of the entry now waiting: a conversation given back by an
    # agent waits as a re-queued entry (other points) beside the row of its first arrival,
    # and it may have arrived more than once.
    arrived: dict[str, list[tuple[str, int]]] = {}
    for e in recent:
        recent_by_skill[e.skill] = recent_by_skill.get(e.skill, 0) + 1
        if estimate_overtaking and not e.requeued:
            key = (e.skill, round(static_points(e, config)))
            counts[key] = counts.get(key, 0) + 1
            arrived.setdefault(e.conversation_id, []).append(key)
    skills = sorted({e.skill for e in ordered})
    passes = [
        _skill_pass(
            skill,
            agents,
            now,
            counts,
            recent_by_skill,
            window_hours,
            avg_handle_seconds,
            count_competition,
            estimate_overtaking,
        )
        for skill in skills
    ]
    by_skill = dict(zip(skills, passes, strict=True))
    # Who is ahead, counted by skill as the pass goes: each skill queue weighs the counts.
    seen: dict[str, int] = {}
    result: dict[str, tuple[int, WaitEstimate | None]] = {}
    for entry in ordered:
        sp = by_skill[entry.skill]
        sp.position += 1
        position, servers = sp.position, sp.servers
        ahead = _weighted_count(seen, sp.by_skill)
        mine = static_points(entry, config) if estimate_overtaking else 0.0
        first_above = bisect_right(sp.level_keys, mine) if estimate_overtaking else 0
        free_here = sp.free if entry.avoid_agent_id is None else _free_for(entry, sp.skilled)
        settle = settled is not None and servers > 0
        if settle:
            # Overtaking only adds, and at most every overtaker for its whole horizon
            # (Σ r·h over the levels above): the wait lies between the two.
            before = ahead if count_competition else position - 1
            if before + 1 <= free_here:
                low = high = 0.0  # taken at the next round: exactly no wait
            else:
                # As `estimate_wait` computes its mean, to the last bit.
                low = (before - free_here + 1) * avg_handle_seconds / servers
                high = low
                if estimate_overtaking and first_above < len(sp.levels):
                    high += (
                        sp.per_slot
                        * (sp.above_points[first_above] - mine * sp.above_count[first_above])
                        / window_aging
                    )
                # Room for the rounding of the sums (the bounds are exact in reals).
                low, high = low * (1 - 1e-9), high * (1 + 1e-9)
            settle = settled(entry.conversation_id, position, low, high)  # type: ignore[misc]
        if not settle:
            overtakers: tuple[tuple[float, float], ...] = ()
            if estimate_overtaking:
                own: dict[int, float] = {}
                for s, level in arrived.get(entry.conversation_id, ()):
                    w = sp.weights.get(s, 0.0)
                    if w > 0:
                        own[level] = own.get(level, 0.0) + w
                overtakers = _overtakers_above(
                    mine, sp.levels[first_above:], own, rate_window, config
                )
            inputs = WaitInputs(
                position=position,
                free_slots=free_here,
                servers=servers,
                agents_online=len(sp.skilled),
                slots_per_agent=sp.per_agent,
                avg_handle_seconds=avg_handle_seconds,
                arrival_rate_per_hour=sp.rate,
                overtakers=overtakers,
                competing_ahead=ahead if count_competition else None,
            )
            result[entry.conversation_id] = (position, estimate_wait(inputs, quantile))
        seen[entry.skill] = seen.get(entry.skill, 0) + 1
    return result
