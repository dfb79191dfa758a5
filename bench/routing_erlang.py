"""Routing: Erlang C against simulation, and the cost of the formulas.

For each scenario, a seeded stream of Poisson arrivals with exponential handling times runs
through the real assignment rules (`tandem.routing.policy.replay`: one skill, every customer
alike, so first come first served) with N agents holding one conversation each, which is the
M/M/N system Erlang C describes. The simulated probability of waiting, mean wait and service
level are printed beside the analytic values and the staffing recommendation. Then the time of
`erlang_c` and `agents_for_service_level` for small and very large pools.

    .venv/bin/python -m bench.routing_erlang [--seed 11] [--arrivals 20000]
"""

from __future__ import annotations

import argparse
import platform
import random
import time
from datetime import UTC, datetime, timedelta

from tandem.routing.erlang import (
    agents_for_service_level,
    erlang_c,
    expected_wait_seconds,
    offered_load,
    service_level,
)
from tandem.routing.policy import AgentState, Arrival, QueueEntry, ReplayConfig, replay

START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
TARGET_SECONDS = 20.0
# (arrivals per hour, mean handling seconds, agents)
SCENARIOS = ((200, 180, 11), (200, 180, 14), (120, 300, 12), (600, 240, 45))


def simulate(rate: float, aht: float, agents: int, count: int, seed: int) -> tuple[float, ...]:
    rng = random.Random(seed)
    t = 0.0
    arrivals = []
    for i in range(count):
        t += rng.expovariate(rate / 3600)
        entry = QueueEntry(f"c{i:06d}", "after_sale", START + timedelta(seconds=t))
        arrivals.append(Arrival(entry, rng.expovariate(1 / aht)))
    pool = [AgentState(f"a{k:03d}", "online", frozenset({"after_sale"}), 1) for k in range(agents)]
    report = replay(
        arrivals,
        pool,
        estimator=lambda _: 0.0,
        config=ReplayConfig(count_competition=False, estimate_overtaking=False),
    )
    # Drop the first tenth: the queue starts empty, the formula describes the steady state.
    waits = [r.actual_seconds for r in report.records[count // 10 :]]
    n = len(waits)
    return (
        sum(1 for w in waits if w > 1e-9) / n,
        sum(waits) / n,
        sum(1 for w in waits if w <= TARGET_SECONDS) / n,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--arrivals", type=int, default=20_000)
    args = parser.parse_args()
    print(
        "| λ/h | AHT s | agents | A (Erl) | P(wait) formula / sim | mean wait s formula / sim "
        f"| answered ≤ {TARGET_SECONDS:.0f} s formula / sim | agents for 80/20 |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for rate, aht, agents in SCENARIOS:
        load = offered_load(rate, aht)
        p_sim, w_sim, sl_sim = simulate(rate, aht, agents, args.arrivals, args.seed)
        print(
            f"| {rate} | {aht} | {agents} | {load:.2f} "
            f"| {erlang_c(agents, load):.3f} / {p_sim:.3f} "
            f"| {expected_wait_seconds(agents, load, aht):.1f} / {w_sim:.1f} "
            f"| {service_level(agents, load, aht, TARGET_SECONDS):.3f} / {sl_sim:.3f} "
            f"| {agents_for_service_level(rate, aht, TARGET_SECONDS, 0.8)} |"
        )
    print()
    for servers, load in ((14, 10.0), (1_000, 950.0), (10_000, 9_900.0)):
        runs = max(1, 20_000 // servers)
        started = time.perf_counter()
        for _ in range(runs):
            erlang_c(servers, load)
        per = (time.perf_counter() - started) / runs
        print(f"erlang_c(N={servers}, A={load}): {per * 1e6:.0f} µs")
    started = time.perf_counter()
    agents = agents_for_service_level(100_000, 60, 20, 0.9)
    print(
        f"agents_for_service_level(100,000/h, 60 s, 90/20): {agents} agents "
        f"in {(time.perf_counter() - started) * 1e3:.0f} ms"
    )
    print(f"(Python {platform.python_version()})")


if __name__ == "__main__":
    main()
