"""The figures a run is judged by, per policy (all pure arithmetic over the run's records)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from tandem.simulation.simulator import (
    ABANDONED,
    AI_RESOLVED,
    DEAD_END,
    HUMAN_RESOLVED,
    OPEN,
    RunResult,
)


@dataclass(frozen=True)
class Costs:
    """Inputs of the cost per contact: agents' wages come from the roster."""

    ai_cost_per_turn: float = 0.02  # yuan per AI turn (models, hosting)


@dataclass(frozen=True)
class AgentFigures:
    name: str
    handled: int
    hostile: int
    occupancy: float


@dataclass(frozen=True)
class PolicyFigures:
    policy: str
    conversations: int
    ai_resolution: float  # share resolved by the AI alone
    human_resolved: float
    abandonment: float  # share who left the queue before a person answered
    dead_ends: float  # share who gave up (or were left) with no answer and no person
    refused_person: float  # share who asked for a person and were not put through that turn
    open_at_end: float
    wait_p50: float  # seconds, customers a person answered
    wait_p90: float
    wait_mean: float
    queued: int  # customers who waited for a person (tickets apart)
    answered_within_60s: float  # of those who queued (abandoned ones count as not answered)
    occupancy: float  # busy slot time / slot time on duty
    hostile_max: int  # hostile conversations handled by the most exposed agent
    hostile_mean: float
    ai_turns: int
    wage_cost: float
    ai_cost: float
    cost_per_contact: float
    agents: tuple[AgentFigures, ...]
    hourly_waits: tuple[float, ...]  # mean wait of answered customers by arrival hour
    hourly_arrivals: tuple[int, ...]
    handoff_reasons: dict[str, int]  # why the AI handed over (engine policies), most first


def quantile(values: list[float], q: float) -> float:
    """The q-quantile by linear interpolation between order statistics (0 for no values)."""
    if not values:
        return 0.0
    s = sorted(values)
    pos = (len(s) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def figures(result: RunResult, costs: Costs = Costs()) -> PolicyFigures:
    records = result.records
    n = len(records) or 1
    count = {k: 0 for k in (AI_RESOLVED, HUMAN_RESOLVED, ABANDONED, DEAD_END, OPEN)}
    for r in records:
        count[r.outcome] += 1
    answered = [
        r.answered_at - r.queued_at
        for r in records
        if r.answered_at is not None and r.queued_at is not None and not r.ticket
    ]
    queued = [r for r in records if r.queued_at is not None and not r.ticket]
    within = sum(
        1
        for r in queued
        if r.answered_at is not None
        and r.queued_at is not None
        and r.answered_at - r.queued_at <= 60
    )
    hours = max(1, math.ceil(result.horizon_seconds / 3600))
    sums = [0.0] * hours
    nums = [0] * hours
    arrivals = [0] * hours
    for r in records:
        h = min(hours - 1, int(r.customer.arrival // 3600))
        arrivals[h] += 1
        if r.answered_at is not None and r.queued_at is not None and not r.ticket:
            sums[h] += r.answered_at - r.queued_at
            nums[h] += 1
    busy = sum(a.busy_slot_seconds for a in result.agents)
    avail = sum(a.available_slot_seconds for a in result.agents)
    agents = tuple(
        AgentFigures(
            a.spec.name,
            a.handled,
            a.hostile,
            a.busy_slot_seconds / a.available_slot_seconds if a.available_slot_seconds else 0.0,
        )
        for a in result.agents
    )
    ai_turns = sum(r.bot_turns for r in records)
    wage = (
        result.roster.wage_cost(result.horizon_seconds) if result.roster and result.agents else 0.0
    )
    ai_cost = ai_turns * costs.ai_cost_per_turn
    hostile = [a.hostile for a in result.agents if a.handled]
    return PolicyFigures(
        policy=result.policy,
        conversations=len(records),
        ai_resolution=count[AI_RESOLVED] / n,
        human_resolved=count[HUMAN_RESOLVED] / n,
        abandonment=count[ABANDONED] / n,
        dead_ends=count[DEAD_END] / n,
        refused_person=sum(r.refused_person for r in records) / n,
        open_at_end=count[OPEN] / n,
        wait_p50=quantile(answered, 0.5),
        wait_p90=quantile(answered, 0.9),
        wait_mean=sum(answered) / len(answered) if answered else 0.0,
        queued=len(queued),
        answered_within_60s=within / len(queued) if queued else 0.0,
        occupancy=busy / avail if avail else 0.0,
        hostile_max=max(hostile, default=0),
        hostile_mean=sum(hostile) / len(hostile) if hostile else 0.0,
        ai_turns=ai_turns,
        wage_cost=wage,
        ai_cost=ai_cost,
        cost_per_contact=(wage + ai_cost) / n,
        agents=agents,
        hourly_waits=tuple(s / k if k else 0.0 for s, k in zip(sums, nums, strict=True)),
        hourly_arrivals=tuple(arrivals),
        handoff_reasons=dict(
            Counter(r.handoff_reason for r in records if r.handoff_reason).most_common()
        ),
    )
