"""Replay recorded arrivals through the rules and score the wait each customer was shown."""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from tandem.routing.policy.assign import AssignmentConfig, next_assignments
from tandem.routing.policy.types import AgentState, QueueEntry
from tandem.routing.policy.waits import (
    WaitInputs,
    estimate_wait,
    observed_handle_seconds,
    wait_inputs,
)


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
