"""What reading shifts and teams costs one assignment round (the pure rules only).

    .venv/bin/python -m bench.routing_shifts [--queued 1000] [--agents 50] [--runs 30]

The same queue and the same agents, once without shifts or teams and once with a shift (three
kinds: day, late, across midnight, in Asia/Shanghai) and a team for every agent, a third of
the entries requeued from an agent (so the team preference is looked up). Process CPU time,
the median of `--runs` rounds, both measured in the same run, alternately, twice; the ratio is
the figure to read on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tandem.routing.policy import AgentState, QueueEntry, next_assignments, parse_shift, requeued

SKILLS = ("pre_sale", "after_sale", "logistics")
SHIFTS = ("09:00-18:00", "13:00-22:00", "22:00-06:00")
NOW = datetime(2026, 11, 21, 9, 55, tzinfo=UTC)  # 17:55 in Shanghai: day shifts winding down


def inputs(queued: int, agents: int) -> tuple[list[QueueEntry], list[AgentState], list[AgentState]]:
    zone = ZoneInfo("Asia/Shanghai")
    entries = []
    for i in range(queued):
        e = QueueEntry(f"c{i:06d}", SKILLS[i % 3], NOW - timedelta(seconds=i))
        entries.append(requeued(e, f"a{i % agents:03d}") if i % 3 == 0 else e)
    plain = [
        AgentState(f"a{i:03d}", "online", frozenset(SKILLS), active=i % 3) for i in range(agents)
    ]
    shifted = [
        replace(a, shift=parse_shift(SHIFTS[i % 3], zone), team=f"team{i % 4}")
        for i, a in enumerate(plain)
    ]
    return entries, plain, shifted


def median_ms(entries: list[QueueEntry], agents: list[AgentState], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.process_time()
        next_assignments(entries, agents, NOW)
        times.append(time.process_time() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queued", type=int, default=1000)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    entries, plain, shifted = inputs(args.queued, args.agents)
    print(f"load average {os.getloadavg()[0]:.2f}; {args.queued} queued x {args.agents} agents")
    for attempt in (1, 2):
        without = median_ms(entries, plain, args.runs)
        with_shifts = median_ms(entries, shifted, args.runs)
        print(
            f"run {attempt}: without shifts {without:.2f} ms, with shifts and teams "
            f"{with_shifts:.2f} ms (x{with_shifts / without:.2f})"
        )


if __name__ == "__main__":
    main()
