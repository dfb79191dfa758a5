"""The queue and assignment rules of the human desk. Pure: no database, no clock, no randomness.

Vocabulary:
- a *queue entry* is one conversation waiting for a person, in the queue of one skill
  (pre_sale, after_sale, logistics, vip, zh, en, ...);
- an *agent state* is what routing needs to know about one agent right now (presence, skills,
  how many conversations they hold, their hostile-load exposure, their break).

The database holds the state; the service layer builds these values from it, calls the rules
here with `now` and writes the result back, so a restart loses nothing and every rule can be
tested (and replayed) without a server.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from tandem.routing.erlang import wait_at_position_quantile, wait_at_position_seconds

PRESENCE_ONLINE = "online"
PRESENCE_AWAY = "away"
PRESENCE_BREAK = "break"
PRESENCE_OFFLINE = "offline"
DEFAULT_MAX_CONCURRENT = 3
KNOWN_SKILLS = ("pre_sale", "after_sale", "logistics", "vip", "zh", "en")
LANGUAGE_SKILLS = ("zh", "en")


@dataclass(frozen=True)
class QueueEntry:
    """A conversation waiting for a person.

    `hostile` means abusive or very angry (see `is_hostile`); such conversations go to the least
    exposed agent. `requeued` means it was taken back from an agent who went offline or stopped
    answering: it goes to the front. `avoid_agent_id` is that agent, so it does not bounce back.
    """

    conversation_id: str
    skill: str
    enqueued_at: datetime
    emotion: str = "neutral"
    emotion_intensity: float = 0.0
    order_value_cents: int = 0
    vip: bool = False
    hostile: bool = False
    requeued: bool = False
    avoid_agent_id: str | None = None
    # The customer's language; None: any agent with the skill will do (see `speaks`).
    language: str | None = None


@dataclass(frozen=True)
class AgentState:
    """One agent as routing sees them.

    `active`: conversations they hold now. `exposure`: from `wellbeing.exposure_score`.
    `on_break_until`: end of the break they are on, if any (honoured even if `presence` lags).
    `last_break_end`: when their last break ended. `at_capacity_since`: when `active` last
    reached `max_concurrent` without dropping below since; None when below the cap.
    """

    agent_id: str
    presence: str
    skills: frozenset[str]
    max_concurrent: int = DEFAULT_MAX_CONCURRENT
    active: int = 0
    exposure: float = 0.0
    on_break_until: datetime | None = None
    last_break_end: datetime | None = None
    at_capacity_since: datetime | None = None

    @property
    def room(self) -> int:
        return max(0, self.max_concurrent - self.active)


# --- priority ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriorityConfig:
    """Points that order a skill queue. Static points are bounded, aging is not: that bound is
    what guarantees nobody starves (see `max_static_points`)."""

    anger_points: float = 40.0  # at intensity 1.0
    anxiety_points: float = 30.0
    sadness_points: float = 10.0
    value_points_per_tenfold: float = 7.5  # 10 yuan -> 8, 100 -> 15, 1,000 -> 22.5, 10,000 -> 30
    value_points_cap: float = 30.0
    vip_points: float = 30.0
    aging_points_per_minute: float = 5.0
    # Larger than any static score plus a working day of aging: re-queued entries lead.
    requeue_points: float = 10_000.0

    @property
    def max_static_points(self) -> float:
        emotion = max(self.anger_points, self.anxiety_points, self.sadness_points)
        return emotion + self.value_points_cap + self.vip_points

    @property
    def starvation_bound(self) -> timedelta:
        """After waiting this much longer than a newcomer, any entry outranks it."""
        return timedelta(minutes=self.max_static_points / self.aging_points_per_minute)


DEFAULT_PRIORITY = PriorityConfig()


def is_hostile(
    emotion: str, emotion_intensity: float, abusive: bool, very_angry_at: float = 0.7
) -> bool:
    """Abusive, or angry at or above `very_angry_at` intensity: counts towards exposure."""
    return abusive or (emotion == "anger" and emotion_intensity >= very_angry_at)


def static_points(entry: QueueEntry, config: PriorityConfig = DEFAULT_PRIORITY) -> float:
    """Priority that does not change with time: emotion, order value, tier (and re-queue)."""
    intensity = min(1.0, max(0.0, entry.emotion_intensity))
    emotion_weight = {
        "anger": config.anger_points,
        "anxiety": config.anxiety_points,
        "sadness": config.sadness_points,
    }.get(entry.emotion, 0.0)
    yuan = max(0, entry.order_value_cents) / 100
    value = min(config.value_points_cap, config.value_points_per_tenfold * math.log10(1 + yuan))
    points = emotion_weight * intensity + value + (config.vip_points if entry.vip else 0.0)
    return points + (config.requeue_points if entry.requeued else 0.0)


def priority(entry: QueueEntry, now: datetime, config: PriorityConfig = DEFAULT_PRIORITY) -> float:
    """Static points plus `aging_points_per_minute` for every minute waited. Higher goes first."""
    waited = max(0.0, (now - entry.enqueued_at).total_seconds() / 60)
    return static_points(entry, config) + config.aging_points_per_minute * waited


def rank_score(entry: QueueEntry, config: PriorityConfig = DEFAULT_PRIORITY) -> float:
    """A number that orders entries exactly as `priority` does, at every `now`.

    Aging is linear and the same for everyone, so priority(now) − rate·now is constant per
    entry: static − rate·enqueued_minutes. Storing it lets the database keep the queue in
    order with a plain index, without rewriting rows as time passes.
    """
    minutes = entry.enqueued_at.timestamp() / 60
    return static_points(entry, config) - config.aging_points_per_minute * minutes


def queue_order(
    entries: Iterable[QueueEntry], config: PriorityConfig = DEFAULT_PRIORITY
) -> list[QueueEntry]:
    """Highest priority first; ties first come, first served, then by id (deterministic)."""
    return sorted(entries, key=lambda e: (-rank_score(e, config), e.enqueued_at, e.conversation_id))


def queues_by_skill(
    entries: Iterable[QueueEntry], config: PriorityConfig = DEFAULT_PRIORITY
) -> dict[str, list[QueueEntry]]:
    """One ordered queue per skill."""
    queues: dict[str, list[QueueEntry]] = {}
    for entry in queue_order(entries, config):
        queues.setdefault(entry.skill, []).append(entry)
    return queues


def position_in_queue(
    conversation_id: str, entries: Iterable[QueueEntry], config: PriorityConfig = DEFAULT_PRIORITY
) -> int | None:
    """1-based place of a conversation in its skill's queue, None if it is not queued."""
    ordered = queue_order(entries, config)
    mine = next((e for e in ordered if e.conversation_id == conversation_id), None)
    if mine is None:
        return None
    same_skill = [e for e in ordered if e.skill == mine.skill]
    return same_skill.index(mine) + 1


# --- assignment -------------------------------------------------------------------------------


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


# --- re-queue ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeldConversation:
    """A conversation an agent holds. `awaiting_reply_since`: the customer's oldest message
    the agent has not answered yet, None when the agent spoke last."""

    conversation_id: str
    agent_id: str
    awaiting_reply_since: datetime | None


@dataclass(frozen=True)
class RequeueDecision:
    conversation_id: str
    agent_id: str
    reason: str  # agent_offline | agent_on_break | agent_silent | agent_unknown


@dataclass(frozen=True)
class RequeueConfig:
    # An agent who has done nothing for this long while a customer waits has stopped answering.
    reply_timeout: timedelta = timedelta(minutes=5)
    # A customer should not sit through someone's break: hand their conversations on.
    requeue_on_break: bool = True


DEFAULT_REQUEUE = RequeueConfig()


def conversations_to_requeue(
    held: Iterable[HeldConversation],
    agents: Iterable[AgentState],
    last_activity: Mapping[str, datetime],
    now: datetime,
    config: RequeueConfig = DEFAULT_REQUEUE,
) -> list[RequeueDecision]:
    """Which held conversations go back to the front of the queue, and why.

    - the agent is offline (or no longer known): all of theirs;
    - the agent is on a break (unless `requeue_on_break` is off): all of theirs;
    - the agent stopped answering: a customer has waited longer than `reply_timeout` and the
      agent has shown no activity at all (`last_activity`, any action) for that long either.
      An agent busy in another conversation is slow, not gone, and keeps theirs.
    Ordered by conversation id.
    """
    by_id = {a.agent_id: a for a in agents}
    decisions: list[RequeueDecision] = []
    for conv in held:
        agent = by_id.get(conv.agent_id)
        reason: str | None = None
        if agent is None:
            reason = "agent_unknown"
        elif agent.presence == PRESENCE_OFFLINE:
            reason = "agent_offline"
        elif config.requeue_on_break and (
            agent.presence == PRESENCE_BREAK
            or (agent.on_break_until is not None and agent.on_break_until > now)
        ):
            reason = "agent_on_break"
        elif conv.awaiting_reply_since is not None:
            waited = now - conv.awaiting_reply_since
            active_at = last_activity.get(conv.agent_id)
            idle = now - active_at if active_at is not None else waited
            if waited > config.reply_timeout and idle > config.reply_timeout:
                reason = "agent_silent"
        if reason is not None:
            decisions.append(RequeueDecision(conv.conversation_id, conv.agent_id, reason))
    return sorted(decisions, key=lambda d: d.conversation_id)


def requeued(entry: QueueEntry, from_agent_id: str) -> QueueEntry:
    """The entry to put back: at the front, and not straight back to the agent it left."""
    return replace(entry, requeued=True, avoid_agent_id=from_agent_id)


# --- wait estimates ---------------------------------------------------------------------------


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


# --- replay: measure the estimate against what really happened --------------------------------


@dataclass(frozen=True)
class Arrival:
    """A recorded arrival: the entry as it joined the queue and how long handling then took."""

    entry: QueueEntry
    handle_seconds: float


@dataclass(frozen=True)
class ReplayConfig:
    assignment: AssignmentConfig = field(default_factory=AssignmentConfig)
    rate_window: timedelta = timedelta(hours=1)
    handle_samples: int = 50  # recent completions averaged, as the service does
    default_handle_seconds: float = 300.0
    tolerance_share: float = 0.25  # "within ±25 %"
    tolerance_floor_seconds: float = 60.0  # short waits: within a minute also counts as right
    estimate_overtaking: bool = True
    count_competition: bool = True


@dataclass(frozen=True)
class ReplayRecord:
    conversation_id: str
    skill: str
    arrived_at: datetime
    position: int
    estimate_seconds: float
    actual_seconds: float


@dataclass(frozen=True)
class ReplayReport:
    records: tuple[ReplayRecord, ...]
    unserved: int  # arrivals nobody could ever serve (no agent with the skill)
    mae_seconds: float
    bias_seconds: float  # mean of estimate − actual: positive means the estimate is pessimistic
    mean_actual_seconds: float
    within_share: float  # |error| <= tolerance_share × actual
    within_share_or_floor: float  # ... or <= tolerance_floor_seconds


Estimator = Callable[[WaitInputs], float | None]


def erlang_estimator(inputs: WaitInputs) -> float | None:
    estimate = estimate_wait(inputs)
    return None if estimate is None else estimate.seconds


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
    return WaitInputs(
        position=position_in_queue(entry.conversation_id, queue, config) or 1,
        free_slots=sum(a.room for a in skilled),
        servers=servers,
        agents_online=len(skilled),
        slots_per_agent=round(servers / len(skilled)) if skilled else 0,
        avg_handle_seconds=avg_handle_seconds,
        arrival_rate_per_hour=weight_sum * 3600 / rate_window.total_seconds(),
        overtakers=overtakers,
        competing_ahead=(
            competing_ahead(entry.conversation_id, queue, weights, config)
            if count_competition
            else None
        ),
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
) -> dict[str, tuple[int, WaitEstimate | None]]:
    """(position in its skill queue, estimate) for every queued conversation at once.

    The same figures as `wait_inputs` + `estimate_wait` per entry, with one sort of the queue
    and one pass per skill, for refreshing every waiting customer's display after each event.
    """
    ordered = queue_order(queue, config)
    agents = list(agents)
    start = now - rate_window
    recent = [e for e in recent_arrivals if start < e.enqueued_at <= now]
    window_hours = rate_window.total_seconds() / 3600
    result: dict[str, tuple[int, WaitEstimate | None]] = {}
    for skill in sorted({e.skill for e in ordered}):
        skilled = [a for a in agents if is_available(a, now) and skill in a.skills]
        servers = sum(a.max_concurrent for a in skilled)
        free = sum(a.room for a in skilled)
        per_agent = round(servers / len(skilled)) if skilled else 0
        weights = competition(skill, agents, now) if count_competition else {skill: 1.0}
        weighted = [(e, weights.get(e.skill, 0.0)) for e in recent]
        rate = sum(w for _, w in weighted) / window_hours
        all_points = _arrival_points(weighted, config) if estimate_overtaking else {}
        own_weight = {e.conversation_id: w for e, w in weighted if w > 0 and not e.requeued}
        position, ahead = 0, 0.0
        for entry in ordered:
            if entry.skill == skill:
                position += 1
                overtakers: tuple[tuple[float, float], ...] = ()
                if estimate_overtaking:
                    mine = static_points(entry, config)
                    points = all_points
                    if entry.conversation_id in own_weight:  # not overtaken by itself
                        points = dict(all_points)
                        points[round(mine)] -= own_weight[entry.conversation_id]
                    overtakers = _overtakers(mine, points, rate_window, config)
                inputs = WaitInputs(
                    position=position,
                    free_slots=free,
                    servers=servers,
                    agents_online=len(skilled),
                    slots_per_agent=per_agent,
                    avg_handle_seconds=avg_handle_seconds,
                    arrival_rate_per_hour=rate,
                    overtakers=overtakers,
                    competing_ahead=ahead if count_competition else None,
                )
                result[entry.conversation_id] = (position, estimate_wait(inputs, quantile))
            ahead += weights.get(entry.skill, 0.0)
    return result


def replay(
    arrivals: Sequence[Arrival],
    agents: Sequence[AgentState],
    estimator: Estimator = erlang_estimator,
    config: ReplayConfig = ReplayConfig(),  # noqa: B008 - frozen, shared safely
) -> ReplayReport:
    """Run recorded arrivals through the assignment rules and score the wait each customer
    was shown against the wait they then had.

    A discrete-event simulation: at each arrival or completion the assignment round runs with
    the agents as given (fixed presence, skills and caps). Each arrival is shown the estimate
    computed from what was observable then: its position, the free and total slots for its
    skill, the mean handling time of recent completions and the arrival rate over the trailing
    window. Deterministic for a given input.
    """
    priority_config = config.assignment.priority
    pending = sorted(arrivals, key=lambda a: (a.entry.enqueued_at, a.entry.conversation_id))
    handle_of = {a.entry.conversation_id: a.handle_seconds for a in pending}
    state = {a.agent_id: replace(a, active=0) for a in agents}
    queue: dict[str, QueueEntry] = {}
    completions: list[tuple[datetime, str, str]] = []  # (at, conversation, agent) heap
    done_durations: list[float] = []
    recent: deque[QueueEntry] = deque()  # arrivals inside the rate window
    shown: dict[str, tuple[datetime, int, float]] = {}
    actual: dict[str, float] = {}
    i = 0
    while i < len(pending) or completions:
        next_arrival = pending[i].entry.enqueued_at if i < len(pending) else None
        now = completions[0][0] if completions else next_arrival
        if next_arrival is not None and now is not None and next_arrival < now:
            now = next_arrival
        assert now is not None
        while completions and completions[0][0] <= now:
            _, conversation_id, agent_id = heapq.heappop(completions)
            agent = state[agent_id]
            state[agent_id] = replace(agent, active=agent.active - 1)
            done_durations.append(handle_of[conversation_id])
        while i < len(pending) and pending[i].entry.enqueued_at <= now:
            entry = pending[i].entry
            i += 1
            queue[entry.conversation_id] = entry
            while recent and recent[0].enqueued_at <= now - config.rate_window:
                recent.popleft()
            recent.append(entry)
            inputs = wait_inputs(
                entry,
                queue.values(),
                state.values(),
                now,
                recent_arrivals=recent,
                avg_handle_seconds=observed_handle_seconds(
                    done_durations[-config.handle_samples :], config.default_handle_seconds
                ),
                rate_window=config.rate_window,
                config=priority_config,
                count_competition=config.count_competition,
                estimate_overtaking=config.estimate_overtaking,
            )
            estimate = estimator(inputs)
            if estimate is not None:
                shown[entry.conversation_id] = (now, inputs.position, estimate)
        for conversation_id, agent_id in next_assignments(
            queue.values(), state.values(), now, config.assignment
        ):
            entry = queue.pop(conversation_id)
            agent = state[agent_id]
            state[agent_id] = replace(agent, active=agent.active + 1)
            actual[conversation_id] = (now - entry.enqueued_at).total_seconds()
            heapq.heappush(
                completions,
                (now + timedelta(seconds=handle_of[conversation_id]), conversation_id, agent_id),
            )
    records = tuple(
        ReplayRecord(
            conversation_id=a.entry.conversation_id,
            skill=a.entry.skill,
            arrived_at=shown[a.entry.conversation_id][0],
            position=shown[a.entry.conversation_id][1],
            estimate_seconds=shown[a.entry.conversation_id][2],
            actual_seconds=actual[a.entry.conversation_id],
        )
        for a in pending
        if a.entry.conversation_id in shown and a.entry.conversation_id in actual
    )
    return _score(records, len(pending) - len(actual), config)


def _score(records: tuple[ReplayRecord, ...], unserved: int, config: ReplayConfig) -> ReplayReport:
    if not records:
        return ReplayReport(records, unserved, 0.0, 0.0, 0.0, 1.0, 1.0)
    errors = [r.estimate_seconds - r.actual_seconds for r in records]
    n = len(records)
    within = sum(
        1
        for r, e in zip(records, errors, strict=True)
        if abs(e) <= config.tolerance_share * r.actual_seconds
    )
    within_floor = sum(
        1
        for r, e in zip(records, errors, strict=True)
        if abs(e) <= max(config.tolerance_share * r.actual_seconds, config.tolerance_floor_seconds)
    )
    return ReplayReport(
        records=records,
        unserved=unserved,
        mae_seconds=sum(abs(e) for e in errors) / n,
        bias_seconds=sum(errors) / n,
        mean_actual_seconds=sum(r.actual_seconds for r in records) / n,
        within_share=within / n,
        within_share_or_floor=within_floor / n,
    )
