"""Honest waits: position, slots, observed handling time and arrivals, Erlang C at the
customer's place in line, bounded overtaking by later, higher-priority arrivals."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tandem.routing.erlang import wait_at_position_quantile, wait_at_position_seconds
from tandem.routing.policy.assign import is_available
from tandem.routing.policy.priority import (
    DEFAULT_PRIORITY,
    PriorityConfig,
    order_key,
    queue_order,
    rank_score,
    static_points,
)
from tandem.routing.policy.types import AgentState, QueueEntry


@dataclass(frozen=True)
class WaitInputs:
    """What a wait estimate may look at, all observable at the moment of the estimate."""

    position: int  # 1-based, in the entry's skill queue
    free_slots: int  # room of available agents with the skill
    servers: int  # conversation slots of available agents with the skill
    agents_online: int
    slots_per_agent: int
    avg_handle_seconds: float  # observed
    arrival_rate_per_hour: float  # observed, arrivals competing for these slots
    # Later arrivals that would jump ahead of this entry, as (arrivals per second, seconds
    # during which they still would): a higher-priority newcomer overtakes only until this
    # entry's aging catches up with the difference in static points.
    overtakers: tuple[tuple[float, float], ...] = ()
    # Conversations ahead in *any* queue that would take these slots (see `competition`);
    # None: only the skill queue counts, `position − 1`.
    competing_ahead: float | None = None


@dataclass(frozen=True)
class WaitEstimate:
    seconds: float
    upper_seconds: float  # the `quantile` of the wait distribution at this position


def _wait_with_overtakers(
    base: float, per_slot: float, overtakers: Sequence[tuple[float, float]]
) -> float:
    """The W with W = base + per_slot · Σ r·min(W, h), solved exactly.

    The right side is piecewise linear, increasing and concave in W, and flat beyond the
    largest h, so there is one crossing: walk the horizons in order and solve the linear piece
    that holds it.
    """
    rate_after = sum(r for r, _ in overtakers)  # Σ r over horizons not yet passed
    passed = 0.0  # Σ r·h over horizons passed
    for r, h in sorted(overtakers, key=lambda o: o[1]):
        slope = per_slot * max(0.0, rate_after)
        if slope < 1:
            wait = (base + per_slot * passed) / (1 - slope)
            if wait <= h:
                return wait
        passed += r * h
        rate_after -= r
    return base + per_slot * passed


def estimate_wait(inputs: WaitInputs, quantile: float = 0.9) -> WaitEstimate | None:
    """Expected wait at a queue position, from the staffing on hand. None: nobody can serve.

    The first `free_slots` customers are taken at the next assignment round. Behind them, each
    place needs one slot to free; with N busy slots one frees every AHT/N seconds on average,
    so the wait is (ahead + 1)·AHT/N, the conditional form of Erlang C. Customers who arrive
    later with a higher priority and overtake add to it: a kind of arrival coming at rate r that
    outranks this entry for h seconds (until aging catches up) adds r·min(W, h) conversations
    ahead over a wait W, each AHT/N more. W = base + AHT/N · Σ r·min(W, h) is solved exactly;
    it is bounded because aging bounds every h, so no load makes it explode.
    """
    if inputs.servers <= 0:
        return None
    before = inputs.position - 1 if inputs.competing_ahead is None else inputs.competing_ahead
    if before + 1 <= inputs.free_slots:
        return WaitEstimate(0.0, 0.0)
    ahead = before - inputs.free_slots
    aht = inputs.avg_handle_seconds
    whole = max(0, round(ahead))
    mean = (ahead + 1) * aht / inputs.servers
    # The spread of an Erlang(k) wait, k whole; scaled to the (possibly fractional) mean.
    upper = (
        wait_at_position_quantile(whole, inputs.servers, aht, quantile)
        * mean
        / wait_at_position_seconds(whole, inputs.servers, aht)
    )
    if inputs.overtakers:
        wait = _wait_with_overtakers(mean, aht / inputs.servers, inputs.overtakers)
        upper *= wait / mean
        mean = wait
    return WaitEstimate(mean, upper)


def competition(skill: str, agents: Iterable[AgentState], now: datetime) -> dict[str, float]:
    """How much a conversation of each skill competes with one of `skill` for agents.

    Agents often hold several skills, so a logistics conversation ahead can take the slot an
    after-sale customer is waiting for. The weight of skill s' is the share of s'-capable slots
    (of available agents) that can also serve `skill`: 1 for `skill` itself, 0 for skills no
    shared agent has. Weighted counts of the queue ahead and of recent arrivals then stand in
    for the single queue the Erlang model assumes.
    """
    available = [a for a in agents if is_available(a, now)]
    slots: dict[str, int] = {}
    shared: dict[str, int] = {}
    for a in available:
        for s in a.skills:
            slots[s] = slots.get(s, 0) + a.max_concurrent
            if skill in a.skills:
                shared[s] = shared.get(s, 0) + a.max_concurrent
    return {s: shared.get(s, 0) / n for s, n in slots.items() if n > 0}


def competing_ahead(
    conversation_id: str,
    entries: Iterable[QueueEntry],
    weights: Mapping[str, float],
    config: PriorityConfig = DEFAULT_PRIORITY,
) -> float:
    """Weighted count of queued conversations ahead of this one, over all skill queues."""
    total = 0.0
    for e in queue_order(entries, config):
        if e.conversation_id == conversation_id:
            return total
        total += weights.get(e.skill, 0.0)
    return total


def observed_arrival_rate_per_hour(
    arrival_times: Iterable[datetime], now: datetime, window: timedelta
) -> float:
    """Arrivals in the trailing `window` before `now`, per hour."""
    start = now - window
    count = sum(1 for t in arrival_times if start < t <= now)
    return count * 3600 / window.total_seconds()


def observed_handle_seconds(durations: Sequence[float], default: float) -> float:
    """Mean of the recorded handling times, `default` before anything was recorded."""
    recorded = [d for d in durations if d > 0]
    return sum(recorded) / len(recorded) if recorded else default


def _arrival_points(
    weighted: Iterable[tuple[QueueEntry, float]], config: PriorityConfig
) -> dict[int, float]:
    """Weighted count of recent arrivals by static points, rounded to whole points (12 s of
    aging at the default rate): keeps the overtaking sum short however busy the shop is.
    A re-queued conversation is not a new arrival, so it is left out."""
    points: dict[int, float] = {}
    for e, w in weighted:
        if w > 0 and not e.requeued:
            key = round(static_points(e, config))
            points[key] = points.get(key, 0.0) + w
    return points


def _overtakers(
    mine: float, points: Mapping[int, float], rate_window: timedelta, config: PriorityConfig
) -> tuple[tuple[float, float], ...]:
    """(arrivals per second, seconds they outrank `mine`) for each points level above it."""
    window = rate_window.total_seconds()
    aging_per_second = config.aging_points_per_minute / 60
    return tuple(
        (count / window, (p - mine) / aging_per_second)
        for p, count in sorted(points.items())
        if p > mine and count > 1e-12
    )


def _overtakers_above(
    mine: float,
    levels: Sequence[tuple[int, float]],
    own: Mapping[int, float],
    rate_window: timedelta,
    config: PriorityConfig,
) -> tuple[tuple[float, float], ...]:
    """`_overtakers` for levels already sorted and above `mine`, less the entry's own
    arrivals (`own`)."""
    window = rate_window.total_seconds()
    aging_per_second = config.aging_points_per_minute / 60
    out = []
    for p, count in levels:
        left = count - own[p] if p in own else count
        if left > 1e-12:
            out.append((left / window, (p - mine) / aging_per_second))
    return tuple(out)


def _free_for(entry: QueueEntry, skilled: Iterable[AgentState]) -> int:
    """Free room that can take `entry`: not the agent it was just taken from (it does not go
    straight back to them), however much room they have."""
    return sum(a.room for a in skilled if a.agent_id != entry.avoid_agent_id)


def wait_inputs(
    entry: QueueEntry,
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
) -> WaitInputs:
    """What `estimate_wait` needs for a queued `entry`, from the queue (including `entry`), the
    agents and the arrivals of the trailing `rate_window` (any skill; they are weighted by how
    much they compete for this entry's agents, or filtered to its skill when
    `count_competition` is off)."""
    queue = list(queue)
    agents = list(agents)
    skilled = [a for a in agents if is_available(a, now) and entry.skill in a.skills]
    servers = sum(a.max_concurrent for a in skilled)
    weights = competition(entry.skill, agents, now) if count_competition else {entry.skill: 1.0}
    start = now - rate_window
    recent = [
        (e, weights.get(e.skill, 0.0))
        for e in recent_arrivals
        if start < e.enqueued_at <= now and weights.get(e.skill, 0.0) > 0
    ]
    weight_sum = sum(w for _, w in recent)
    overtakers: tuple[tuple[float, float], ...] = ()
    if estimate_overtaking:
        points = _arrival_points(
            ((e, w) for e, w in recent if e.conversation_id != entry.conversation_id), config
        )
        overtakers = _overtakers(static_points(entry, config), points, rate_window, config)
    position, ahead = _place(entry.conversation_id, queue, weights, config)
    return WaitInputs(
        position=position,
        free_slots=_free_for(entry, skilled),
        servers=servers,
        agents_online=len(skilled),
        slots_per_agent=round(servers / len(skilled)) if skilled else 0,
        avg_handle_seconds=avg_handle_seconds,
        arrival_rate_per_hour=weight_sum * 3600 / rate_window.total_seconds(),
        overtakers=overtakers,
        competing_ahead=ahead if count_competition else None,
    )


def _place(
    conversation_id: str,
    queue: Iterable[QueueEntry],
    weights: Mapping[str, float],
    config: PriorityConfig,
) -> tuple[int, float]:
    """(place in its skill queue, 1 when it is not queued; `competing_ahead`) from one pass
    over the queue that counts who is ahead, skill by skill (no sort)."""
    entries = list(queue)
    mine = next((e for e in entries if e.conversation_id == conversation_id), None)
    counts: dict[str, int] = {}
    if mine is None:
        for e in entries:
            counts[e.skill] = counts.get(e.skill, 0) + 1
        return 1, _weighted_count(counts, sorted(weights.items()))
    key = order_key(mine, config)
    for e in entries:
        if order_key(e, config) < key:
            counts[e.skill] = counts.get(e.skill, 0) + 1
    return counts.get(mine.skill, 0) + 1, _weighted_count(counts, sorted(weights.items()))


def _weighted_count(counts: Mapping[str, int], weights: Sequence[tuple[str, float]]) -> float:
    """Σ weight · count over the skills, in the order of `weights` (sorted by skill): the same
    figure to the last bit whichever order the conversations ahead were counted in, so a
    customer's own estimate (`wait_inputs`) and the batch (`wait_estimates`) agree exactly."""
    total = 0.0
    for skill, w in weights:
        n = counts.get(skill)
        if n:
            total += w * n
    return total


NEWCOMER_ID = "_new"


def pooled_newcomer_wait(
    queue: Iterable[QueueEntry],
    agents: Iterable[AgentState],
    now: datetime,
    *,
    recent_arrivals: Iterable[QueueEntry],
    avg_handle_seconds: float,
    rate_window: timedelta,
    config: PriorityConfig = DEFAULT_PRIORITY,
    quantile: float = 0.9,
) -> tuple[int, WaitEstimate | None]:
    """(place, estimate) of a conversation with no priority points joining the queue now,
    before its skill is decided: the desk as one pool, every waiting conversation competing
    for every agent on duty.

    The figures `wait_estimates` gives an entry `NEWCOMER_ID` enqueued now when every entry,
    arrival and agent is given the one skill "*", computed for the newcomer alone in one pass
    (no pooled copies, no sort, no estimate for the others).
    """
    newcomer = QueueEntry(conversation_id=NEWCOMER_ID, skill="*", enqueued_at=now)
    mine = static_points(newcomer, config)
    key = (-rank_score(newcomer, config), now, NEWCOMER_ID)
    ahead = sum(
        1 for e in queue if (-rank_score(e, config), e.enqueued_at, e.conversation_id) < key
    )
    on_duty = [a for a in agents if is_available(a, now)]
    servers = sum(a.max_concurrent for a in on_duty)
    overtakers: tuple[tuple[float, float], ...] = ()
    rate = 0.0
    if on_duty:  # otherwise no arrival competes for anyone (`competition` is empty)
        start = now - rate_window
        recent = [e for e in recent_arrivals if start < e.enqueued_at <= now]
        rate = len(recent) * 3600 / rate_window.total_seconds()
        points = _arrival_points(
            ((e, 1.0) for e in recent if e.conversation_id != NEWCOMER_ID), config
        )
        overtakers = _overtakers(mine, points, rate_window, config)
    inputs = WaitInputs(
        position=ahead + 1,
        free_slots=sum(a.room for a in on_duty),
        servers=servers,
        agents_online=len(on_duty),
        slots_per_agent=round(servers / len(on_duty)) if on_duty else 0,
        avg_handle_seconds=avg_handle_seconds,
        arrival_rate_per_hour=rate,
        overtakers=overtakers,
        competing_ahead=float(ahead),
    )
    return ahead + 1, estimate_wait(inputs, quantile)
