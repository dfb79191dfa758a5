"""Simulation: how many simulated conversations a minute with the real engine, and where the
time goes.

One seeded 双十一 run (the shipped curve, scaled) with the `tandem` policy: every customer turn
goes through the real `tandem.engine.decide` (and `after_action` for shop actions), the shop's
policy file, the knowledge index and the real routing rules. Understanding and retrieval are
cached per distinct text, as in every run (the message bank is finite: its texts, with the
feeling prefixes customers put before them, are a few thousand). The caches are filled by a
first run of the same day with another seed, whose time is reported apart: it is what a run
pays once, whatever its length; the measured run then says how many texts it still met for
the first time. Beside it, in the same process: the
`human-only` policy over the same customers (the simulator and routing alone, no engine) as the
baseline, and a cProfile of the engine run grouped by package.

    .venv/bin/python -m bench.simulation_rate [--scale 1.0] [--seed 7] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import time
from collections import defaultdict
from dataclasses import replace

from tandem.simulation.bots import EngineServices
from tandem.simulation.run import Scenario, compare
from tandem.simulation.traffic import load_curve

FULL_DAY = 1_000_000


def timed(scenario: Scenario, services: EngineServices) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds of this process, conversations. On a shared machine the CPU
    time is the fairer figure: it is what one core spends, whatever else runs beside it."""
    t, c = time.perf_counter(), time.process_time()
    cmp = compare(scenario, services=services)
    return time.perf_counter() - t, time.process_time() - c, cmp.figures[0].conversations


def by_package(stats: pstats.Stats) -> list[tuple[str, float]]:
    """Own time (tottime) summed by the package a function lives in."""
    groups: dict[str, float] = defaultdict(float)
    for (filename, _line, _name), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        key = "other (stdlib, numpy, ...)"
        for part in ("engine", "understanding", "knowledge", "routing", "simulation", "shop"):
            if f"/tandem/{part}/" in filename:
                key = f"tandem.{part}"
                break
        groups[key] += tt
    return sorted(groups.items(), key=lambda kv: -kv[1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    t = time.perf_counter()
    services = EngineServices.build()
    print(f"engine services built (models, knowledge index): {time.perf_counter() - t:.1f} s")

    curve = load_curve("double11").scaled(args.scale)
    warm = Scenario(curve=curve, agents=60, policies=["tandem"], seed=args.seed + 1)
    secs, cpu, n = timed(warm, services)
    print(
        f"first run, caches filling ({len(services.analyses)} texts understood, "
        f"{len(services.searches)} searches): {n:,} conversations in {secs:.1f} s wall, "
        f"{cpu:.1f} s CPU"
    )
    seen = len(services.analyses)

    day = Scenario(curve=curve, agents=60, policies=["tandem"], seed=args.seed)
    print(f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    secs, cpu, n = timed(day, services)
    calls = services.engine_calls
    rate = n / cpu * 60
    print(
        f"tandem (real engine): {n:,} conversations, {calls:,} engine calls "
        f"({calls / n:.2f} each), {secs:.1f} s wall, {cpu:.1f} s CPU -> "
        f"{n / secs * 60:,.0f} conversations/min wall, {rate:,.0f} per CPU-minute; "
        f"{len(services.analyses) - seen} texts met for the first time"
    )
    base_secs, base_cpu, base_n = timed(replace(day, policies=["human-only"]), services)
    print(
        f"baseline human-only (simulator + routing, no engine): {base_n:,} in {base_secs:.1f} s "
        f"wall, {base_cpu:.1f} s CPU -> {base_n / base_cpu * 60:,.0f} per CPU-minute"
    )
    print(
        f"a full 双十一 day of one large shop ({FULL_DAY:,} conversations) at the CPU rate: "
        f"{FULL_DAY / rate:.0f} min ({FULL_DAY / rate / 60:.1f} h)"
    )
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        compare(replace(day, seed=args.seed + 2, curve=curve.truncated(8)), services=services)
        prof.disable()
        stats = pstats.Stats(prof)
        total = sum(v for _, v in by_package(stats))
        print("profile (own time by package, 8 h of the same day):")
        for name, tt in by_package(stats):
            print(f"  {name:<28} {tt:6.1f} s  {tt / total:5.1%}")
        stats.sort_stats("tottime").print_stats(12)


if __name__ == "__main__":
    main()
