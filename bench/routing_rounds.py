"""Routing: the cost of one assignment round and of one wait estimate, pure Python.

A round runs on every queue event (arrival, finish, presence change), so it must stay cheap
at the queue sizes a busy shop sees. Seeded random queues and agent pools.

    .venv/bin/python -m bench.routing_rounds [--seed 5]
"""

from __future__ import annotations

import argparse
import platform
import random
import time
from datetime import UTC, datetime, timedelta

from tandem.routing.policy import (
    AgentState,
    QueueEntry,
    estimate_wait,
    next_assignments,
    wait_estimates,
    wait_inputs,
)

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
SKILLS = ("after_sale", "pre_sale", "logistics", "vip", "zh", "en")


def build(
    rng: random.Random, queued: int, agents: int
) -> tuple[list[QueueEntry], list[AgentState]]:
    entries = [
        QueueEntry(
            conversation_id=f"c{i:05d}",
            skill=rng.choice(SKILLS[:4]),
            enqueued_at=NOW - timedelta(seconds=rng.uniform(0, 1800)),
            emotion=rng.choice(("anger", "anxiety", "neutral", "neutral")),
            emotion_intensity=rng.random(),
            order_value_cents=rng.randint(0, 2_000_000),
            vip=rng.random() < 0.05,
            hostile=rng.random() < 0.1,
        )
        for i in range(queued)
    ]
    pool = [
        AgentState(
            agent_id=f"a{k:03d}",
            presence=rng.choice(("online", "online", "online", "away")),
            skills=frozenset(rng.sample(SKILLS, 3)),
            active=rng.randint(0, 2),
            exposure=rng.random() * 3,
        )
        for k in range(agents)
    ]
    return entries, pool


def per_call(fn: object, runs: int) -> float:
    started = time.perf_counter()
    for _ in range(runs):
        fn()  # type: ignore[operator]
    return (time.perf_counter() - started) / runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(
        "| queued | agents | assignment round | one customer's estimate "
        "| every customer's estimate (`wait_estimates`) |"
    )
    print("|---|---|---|---|---|")
    for queued, agents in ((20, 5), (100, 20), (500, 50), (2000, 200)):
        entries, pool = build(rng, queued, agents)
        runs = max(3, 2000 // queued)
        round_s = per_call(lambda e=entries, p=pool: next_assignments(e, p, NOW), runs)
        last = entries[-1]

        def one(
            e: list[QueueEntry] = entries, p: list[AgentState] = pool, last: QueueEntry = last
        ) -> None:
            estimate_wait(
                wait_inputs(
                    last,
                    e,
                    p,
                    NOW,
                    recent_arrivals=e,
                    avg_handle_seconds=300,
                    rate_window=timedelta(hours=1),
                )
            )

        def every(e: list[QueueEntry] = entries, p: list[AgentState] = pool) -> None:
            wait_estimates(
                e,
                p,
                NOW,
                recent_arrivals=e,
                avg_handle_seconds=300,
                rate_window=timedelta(hours=1),
            )

        est_s = per_call(one, runs)
        all_s = per_call(every, max(1, runs // 10))
        print(
            f"| {queued} | {agents} | {round_s * 1e3:.2f} ms | {est_s * 1e3:.2f} ms "
            f"| {all_s * 1e3:.1f} ms |"
        )
    print(f"(Python {platform.python_version()})")


if __name__ == "__main__":
    main()
