"""Erlang B/C against textbook values and an independent exact computation."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from tandem.routing import erlang
from tandem.routing.erlang import (
    agents_for_service_level,
    erlang_b,
    erlang_c,
    expected_wait_seconds,
    offered_load,
    recommend_staffing,
    service_level,
    wait_at_position_quantile,
    wait_at_position_seconds,
)


def exact_erlang_c(n: int, a: Fraction) -> Fraction:
    """The textbook closed form, in exact rationals: (A^N/N! · N/(N−A)) / (Σ_{k<N} A^k/k! + that)."""
    top = a**n / math.factorial(n) * Fraction(n) / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


@pytest.mark.parametrize(
    ("servers", "load"),
    [
        (1, Fraction(1, 2)),
        (2, Fraction(1)),
        (5, Fraction(7, 2)),
        (11, Fraction(10)),
        (30, Fraction(27)),
    ],
)
def test_erlang_c_matches_the_exact_closed_form(servers: int, load: Fraction) -> None:
    assert erlang_c(servers, float(load)) == pytest.approx(
        float(exact_erlang_c(servers, load)), rel=1e-12
    )


def test_single_server_waits_with_probability_rho_and_two_servers_match_mm2() -> None:
    assert erlang_c(1, 0.3) == pytest.approx(0.3)
    # M/M/2 at ρ = 0.5: P(wait) = 2ρ²/(1 + ρ) = 1/3.
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("servers", "load"),
    # Erlang B tables, 1 % grade of service.
    [(5, 1.361), (10, 4.461), (20, 12.03), (50, 37.90), (100, 84.06)],
)
def test_erlang_b_reproduces_the_one_percent_table(servers: int, load: float) -> None:
    assert erlang_b(servers, load) == pytest.approx(0.01, abs=2e-4)


def test_erlang_b_small_cases() -> None:
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    assert erlang_b(2, 2.0) == pytest.approx(0.4)


def test_call_centre_textbook_example() -> None:
    """100 calls per half hour, 180 s handling, 20 s target (the classic worked example):
    10 Erlangs; 11 agents wait 68.2 % with ASA 122.8 s; 14 agents give 88.8 % in 20 s."""
    load = offered_load(200, 180)
    assert load == pytest.approx(10.0)
    assert erlang_c(11, load) == pytest.approx(0.6821, abs=1e-4)
    assert expected_wait_seconds(11, load, 180) == pytest.approx(122.8, abs=0.05)
    assert service_level(11, load, 180, 20) == pytest.approx(0.3896, abs=1e-4)
    assert service_level(13, load, 180, 20) == pytest.approx(0.7956, abs=1e-4)
    assert service_level(14, load, 180, 20) == pytest.approx(0.8884, abs=1e-4)
    assert agents_for_service_level(200, 180, 20, 0.8) == 14


def test_staffing_is_the_smallest_that_meets_the_target() -> None:
    rec = recommend_staffing(720, 240, 30, 0.9)
    assert rec.service_level >= 0.9
    assert service_level(rec.servers - 1, rec.offered_load, 240, 30) < 0.9
    assert rec.occupancy == pytest.approx(rec.offered_load / rec.servers)
    assert rec.expected_wait_seconds == pytest.approx(
        expected_wait_seconds(rec.servers, rec.offered_load, 240)
    )


def test_concurrency_counts_slots_and_rounds_agents_up() -> None:
    slots = agents_for_service_level(200, 180, 20, 0.8)  # 14 slots
    assert agents_for_service_level(200, 180, 20, 0.8, concurrency=3) == math.ceil(slots / 3)
    rec = recommend_staffing(200, 180, 20, 0.8, concurrency=3)
    assert rec.servers == rec.agents * 3
    assert rec.service_level >= 0.8


def test_no_traffic_needs_nobody() -> None:
    assert agents_for_service_level(0, 300, 20, 0.8) == 0
    assert erlang_c(3, 0.0) == 0.0
    assert expected_wait_seconds(3, 0.0, 300) == 0.0


def test_overload_means_everyone_waits_forever() -> None:
    assert erlang_c(10, 10.0) == 1.0
    assert erlang_c(10, 12.5) == 1.0
    assert expected_wait_seconds(10, 12.5, 60) == math.inf
    assert service_level(10, 12.5, 60, 20) == 0.0
    assert erlang_c(0, 1.0) == 1.0


def test_large_pools_stay_finite_and_agree_with_log_space() -> None:
    """A^N/N! overflows near N = 170; the recursion must not care."""
    n, a = 2000, 1950.0
    log_terms = [k * math.log(a) - math.lgamma(k + 1) for k in range(n)]
    log_top = n * math.log(a) - math.lgamma(n + 1) + math.log(n / (n - a))
    m = max([*log_terms, log_top])
    expected = math.exp(log_top - m) / (
        sum(math.exp(t - m) for t in log_terms) + math.exp(log_top - m)
    )
    assert erlang_c(n, a) == pytest.approx(expected, rel=1e-9)
    rec = recommend_staffing(100_000, 60, 20, 0.9)
    assert rec.service_level >= 0.9
    assert rec.servers > rec.offered_load


def test_erlang_c_falls_as_servers_are_added() -> None:
    values = [erlang_c(n, 8.0) for n in range(9, 25)]
    assert all(later < earlier for earlier, later in zip(values, values[1:], strict=False))


@pytest.mark.parametrize(
    "call",
    [
        lambda: offered_load(-1, 60),
        lambda: offered_load(10, 0),
        lambda: erlang_c(-1, 1.0),
        lambda: erlang_b(3, math.nan),
        lambda: agents_for_service_level(100, 60, 20, 1.0),
        lambda: agents_for_service_level(100, 60, 20, 0.8, concurrency=0),
        lambda: service_level(3, 1.0, 60, -5),
        lambda: wait_at_position_seconds(0, 0, 60),
    ],
)
def test_bad_inputs_say_what_is_wrong(call: object) -> None:
    with pytest.raises(ValueError, match=r"must"):
        call()  # type: ignore[operator]


def test_wait_at_position_is_phases_of_freed_slots() -> None:
    assert wait_at_position_seconds(0, 1, 60) == 60
    assert wait_at_position_seconds(5, 3, 300) == pytest.approx(600)


def test_position_quantiles_bracket_the_mean() -> None:
    # One phase: exponential, median = mean · ln 2.
    assert wait_at_position_quantile(0, 1, 60, 0.5) == pytest.approx(60 * math.log(2), rel=1e-6)
    mean = wait_at_position_seconds(9, 4, 240)
    assert (
        wait_at_position_quantile(9, 4, 240, 0.1) < mean < wait_at_position_quantile(9, 4, 240, 0.9)
    )
    # Erlang(k) concentrates around its mean as k grows.
    wide = wait_at_position_quantile(1, 1, 60, 0.9) / wait_at_position_seconds(1, 1, 60)
    narrow = wait_at_position_quantile(99, 1, 60, 0.9) / wait_at_position_seconds(99, 1, 60)
    assert narrow < wide


def test_unconditional_wait_is_the_average_over_positions() -> None:
    """Averaging (ahead + 1)·AHT/N over the geometric queue lengths Erlang C predicts gives back
    C·AHT/(N − A): the position estimate is the conditional form of the same model."""
    n, a, aht = 6, 4.5, 200.0
    rho = a / n
    c = erlang_c(n, a)
    # Given a wait, the number already queued ahead is geometric: P(j) = (1 − ρ) ρ^j.
    averaged = c * sum(
        (1 - rho) * rho**j * wait_at_position_seconds(j, n, aht) for j in range(2000)
    )
    assert averaged == pytest.approx(expected_wait_seconds(n, a, aht), rel=1e-9)


@pytest.mark.parametrize("ahead", [60, 150, 999])
@pytest.mark.parametrize("quantile", [0.1, 0.5, 0.9, 0.99])
def test_long_queue_quantiles_match_the_exact_search(
    ahead: int, quantile: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    approximated = wait_at_position_quantile(ahead, 3, 240, quantile)
    monkeypatch.setattr(erlang, "EXACT_QUANTILE_PHASES", 10**9)
    exact = wait_at_position_quantile(ahead, 3, 240, quantile)
    assert approximated == pytest.approx(exact, rel=1e-4)
