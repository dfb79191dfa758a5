"""Erlang A (M/M/N+M) against values computed by hand from its birth-death chain.

With patience equal to the handling time (θ = μ), everyone in the system leaves at rate μ
whatever they are doing, so the number in the system is Poisson(A): P(wait) = P(X ≥ N) and
P(abandon) = θ·E[(X − N)+]/λ = E[(X − N)+]/A. As patience grows without bound, Erlang A
becomes Erlang C.
"""

from __future__ import annotations

import math

import pytest

from tandem.routing.erlang import (
    agents_for_service_level,
    agents_for_service_level_a,
    erlang_a,
    erlang_c,
    expected_wait_seconds,
    service_level,
)


def test_one_server_with_patience_equal_to_service_is_poisson() -> None:
    # λ = μ = θ = 1/s: X ~ Poisson(1). P(X ≥ 1) = 1 − e^-1; E[(X − 1)+] = E[X] − 1 + P(X = 0) = e^-1.
    r = erlang_a(1, 3600, 1, 1, 0)
    assert r.probability_of_waiting == pytest.approx(1 - math.exp(-1), rel=1e-9)
    assert r.probability_of_abandoning == pytest.approx(math.exp(-1), rel=1e-9)
    assert r.mean_queue_length == pytest.approx(math.exp(-1), rel=1e-9)
    # Answered at once or never within 0 s: the service level at t = 0 is P(no wait) = e^-1.
    assert r.service_level == pytest.approx(math.exp(-1), rel=1e-9)


def test_five_servers_four_erlangs_poisson_identity() -> None:
    # A = 4, N = 5: P(X ≥ 5) = 1 − e^-4 (1 + 4 + 8 + 32/3 + 32/3) = 1 − e^-4 · 103/3.
    r = erlang_a(5, 4 * 12, 300, 300, 0)
    assert r.probability_of_waiting == pytest.approx(1 - math.exp(-4) * 103 / 3, rel=1e-9)
    # E[(X − 5)+] = E[X] − 5 + Σ_{n<5} (5 − n) P(X = n) = 4 − 5 + e^-4 (5 + 16 + 24 + 64/3 + 32/3)
    tail = 4 - 5 + math.exp(-4) * (5 + 16 + 24 + 64 / 3 + 32 / 3)
    assert r.probability_of_abandoning == pytest.approx(tail / 4, rel=1e-9)


def test_endless_patience_gives_back_erlang_c() -> None:
    # C(3 servers, 2 Erlangs) = 4/9 by hand: B(3, 2) = (4/3)/(19/3) = 4/19, C = 3B/(3 − 2(1 − B)).
    r = erlang_a(3, 2 * 12, 300, 1e9, 30)
    assert r.probability_of_waiting == pytest.approx(4 / 9, rel=1e-6)
    assert erlang_c(3, 2) == pytest.approx(4 / 9, rel=1e-12)
    # Mean wait C·AHT/(N − A) = 4/9 · 300 = 133.3 s; service level 1 − C·e^(−(N−A)t/AHT).
    assert r.mean_wait_seconds == pytest.approx(4 / 9 * 300, rel=1e-5)
    assert r.service_level == pytest.approx(1 - 4 / 9 * math.exp(-30 / 300), rel=1e-5)
    assert r.service_level == pytest.approx(service_level(3, 2, 300, 30), rel=1e-5)


def test_long_targets_answer_everyone_who_stays() -> None:
    # Within an hour (30 mean patiences), the answered share is everyone but those who gave
    # up; and an unbounded target gives the same by the closed form.
    r = erlang_a(2, 30, 300, 120, 3600)
    assert r.service_level == pytest.approx(1 - r.probability_of_abandoning, abs=1e-9)
    ever = erlang_a(2, 30, 300, 120, 1e9)
    assert ever.service_level == pytest.approx(1 - r.probability_of_abandoning, abs=1e-9)


def test_overload_stays_finite_when_customers_give_up() -> None:
    # 12 Erlangs on 10 servers: Erlang C says wait for ever, Erlang A gives a finite queue
    # and the throughput balance λ(1 − P(ab)) = μ·E[busy] holds.
    r = erlang_a(10, 12 * 12, 300, 180, 60)
    assert math.isinf(expected_wait_seconds(10, 12, 300))
    assert 0 < r.probability_of_abandoning < 1
    assert 12 * (1 - r.probability_of_abandoning) == pytest.approx(10 * r.occupancy, rel=1e-9)


def test_service_level_rises_with_each_agent_and_staffing_is_minimal() -> None:
    levels = [erlang_a(n, 600, 300, 180, 60).service_level for n in range(40, 70)]
    assert levels == sorted(levels)
    n = agents_for_service_level_a(600, 300, 180, 60, 0.8)
    assert erlang_a(n, 600, 300, 180, 60).service_level >= 0.8
    assert erlang_a(n - 1, 600, 300, 180, 60).service_level < 0.8
    # Customers who give up shorten the queue: never more agents than Erlang C asks for.
    assert n <= agents_for_service_level(600, 300, 60, 0.8)


def test_an_abandonment_cap_can_need_more_agents() -> None:
    base = agents_for_service_level_a(600, 300, 60, 20, 0.5)
    capped = agents_for_service_level_a(600, 300, 60, 20, 0.5, max_abandon=0.01)
    assert capped > base
    assert erlang_a(capped, 600, 300, 60, 20).probability_of_abandoning <= 0.01


@pytest.mark.parametrize("bad", [0.0, -5.0, float("nan")])
def test_bad_patience_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="patience"):
        erlang_a(3, 60, 300, bad)
