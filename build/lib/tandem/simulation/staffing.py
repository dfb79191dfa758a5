"""Staffing plans: agents needed per interval of a forecast, and shifts that cover them.

Per interval, Erlang C (customers wait for ever) or Erlang A (they give up after a mean
patience) gives the fewest agents for the service level; shrinkage (breaks, meetings) scales
that up to people on shift. Shifts of a fixed length are then laid greedily: walking through
the day, whenever the people on shift fall short of an interval's need, start the missing
shifts there. For fixed-length shifts on one day this greedy cover is optimal (an earlier
start could only cover intervals already covered).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tandem.routing.erlang import agents_for_service_level, agents_for_service_level_a
from tandem.simulation.agents import ALL_SKILLS, AgentSpec, Roster
from tandem.simulation.errors import SimulationInputError
from tandem.simulation.traffic import RateCurve


@dataclass(frozen=True)
class StaffingTarget:
    avg_handle_seconds: float = 300.0
    target_seconds: float = 60.0
    service_level: float = 0.8
    concurrency: int = 1
    avg_patience_seconds: float | None = None  # None: Erlang C; else Erlang A
    shrinkage: float = 0.1  # share of paid time not answering (breaks)


@dataclass(frozen=True)
class IntervalNeed:
    start_seconds: float
    rate_per_hour: float
    agents: int  # answering at once
    on_shift: int  # with shrinkage


@dataclass(frozen=True)
class ShiftPlan:
    needs: tuple[IntervalNeed, ...]
    shift_starts: tuple[float, ...]  # one entry per person, seconds from the start
    shift_seconds: float

    @property
    def people(self) -> int:
        return len(self.shift_starts)

    def coverage(self) -> list[int]:
        return [
            sum(1 for s in self.shift_starts if s <= n.start_seconds < s + self.shift_seconds)
            for n in self.needs
        ]

    def roster(self, *, max_concurrent: int = 1, wage_per_hour: float = 35.0) -> Roster:
        return Roster(
            tuple(
                AgentSpec(
                    name=f"agent-{i + 1:03d}",
                    start_seconds=s,
                    end_seconds=s + self.shift_seconds,
                    skills=frozenset({*ALL_SKILLS, "supervisor"} if i == 0 else ALL_SKILLS),
                    max_concurrent=max_concurrent,
                    wage_per_hour=wage_per_hour,
                )
                for i, s in enumerate(self.shift_starts)
            )
        )


def needs_per_interval(curve: RateCurve, target: StaffingTarget) -> list[IntervalNeed]:
    if not 0 <= target.shrinkage < 1:
        raise SimulationInputError(
            f"缩减率（休息等占比）必须在 0 到 1 之间，收到 {target.shrinkage}。",
            f"shrinkage must be a share from 0 to below 1, got {target.shrinkage}.",
        )
    out = []
    for i, rate in enumerate(curve.rates_per_hour):
        if target.avg_patience_seconds is None:
            n = agents_for_service_level(
                rate,
                target.avg_handle_seconds,
                target.target_seconds,
                target.service_level,
                target.concurrency,
            )
        else:
            n = agents_for_service_level_a(
                rate,
                target.avg_handle_seconds,
                target.avg_patience_seconds,
                target.target_seconds,
                target.service_level,
                target.concurrency,
            )
        out.append(
            IntervalNeed(i * curve.interval_seconds, rate, n, math.ceil(n / (1 - target.shrinkage)))
        )
    return out


def plan_shifts(
    needs: list[IntervalNeed], interval_seconds: float, shift_hours: float
) -> ShiftPlan:
    """The fewest fixed-length shifts whose people on duty meet every interval's need."""
    if shift_hours <= 0:
        raise SimulationInputError(
            f"班次长度必须是正数（小时），收到 {shift_hours}。",
            f"the shift length must be a positive number of hours, got {shift_hours}.",
        )
    shift = shift_hours * 3600
    starts: list[float] = []
    for need in needs:
        t = need.start_seconds
        on = sum(1 for s in starts if s <= t < s + shift)
        if on < need.on_shift:
            # Start as late as possible without leaving an interval short: right here, unless
            # the shift would run past the day's end, then early enough to end with it.
            end = needs[-1].start_seconds + interval_seconds
            start = min(t, max(0.0, end - shift)) if t + shift > end else t
            starts.extend([start] * (need.on_shift - on))
    return ShiftPlan(tuple(needs), tuple(sorted(starts)), shift)
