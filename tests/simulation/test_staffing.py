"""Staffing per interval and the greedy shift plan, on cases worked by hand."""

from __future__ import annotations

import pytest

from tandem.routing.erlang import agents_for_service_level
from tandem.simulation.errors import SimulationInputError
from tandem.simulation.staffing import (
    IntervalNeed,
    StaffingTarget,
    needs_per_interval,
    plan_shifts,
)
from tandem.simulation.traffic import RateCurve

HOUR = 3600.0


def need(i: int, n: int) -> IntervalNeed:
    return IntervalNeed(i * HOUR, 0.0, n, n)


def test_greedy_plan_is_the_fewest_shifts_that_cover_each_hour() -> None:
    # Needs 2, 2, 3, 1, 0, 2 with 2-hour shifts. By hand: hour 0 starts 2 (cover 0–1), hour 2
    # starts 3 (cover 2–3), hour 4 needs 0, hour 5 needs 2 but a shift must end with the day,
    # so 2 start at hour 4. Total 7 = max over disjoint pairs (2 + 3 + 2): no plan does better.
    plan = plan_shifts([need(i, n) for i, n in enumerate([2, 2, 3, 1, 0, 2])], HOUR, 2)
    assert plan.people == 7
    assert sorted(plan.shift_starts) == [0, 0, 2 * HOUR, 2 * HOUR, 2 * HOUR, 4 * HOUR, 4 * HOUR]
    assert all(c >= n for c, n in zip(plan.coverage(), [2, 2, 3, 1, 0, 2], strict=True))


def test_needs_follow_erlang_c_and_shrinkage() -> None:
    curve = RateCurve("t", HOUR, (0.0, 120.0, 600.0))
    needs = needs_per_interval(curve, StaffingTarget(avg_handle_seconds=300, shrinkage=0.2))
    assert [n.agents for n in needs] == [
        0,
        agents_for_service_level(120, 300, 60, 0.8),
        agents_for_service_level(600, 300, 60, 0.8),
    ]
    # 20 % of paid time off the queue: on shift = ceil(answering / 0.8).
    assert [n.on_shift for n in needs] == [
        0,
        -(-needs[1].agents * 10 // 8),
        -(-needs[2].agents * 10 // 8),
    ]


def test_patience_switches_to_erlang_a_and_needs_fewer() -> None:
    curve = RateCurve("t", HOUR, (600.0,))
    c = needs_per_interval(curve, StaffingTarget())[0].agents
    a = needs_per_interval(curve, StaffingTarget(avg_patience_seconds=120))[0].agents
    assert a < c


def test_bad_shift_length_and_shrinkage_say_what_to_fix() -> None:
    with pytest.raises(SimulationInputError, match="班次长度"):
        plan_shifts([need(0, 1)], HOUR, 0)
    with pytest.raises(SimulationInputError, match="shrinkage"):
        needs_per_interval(RateCurve("t", HOUR, (1.0,)), StaffingTarget(shrinkage=1.0))
