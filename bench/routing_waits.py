"""Routing: how wrong is the wait the customer is shown? Replays arrivals through the real
assignment rules (`tandem.routing.policy.replay`) and scores several estimators against the
wait each customer then had.

Arrivals come from a CSV of recorded traffic (`--arrivals`, columns below) or, by default, from
a seeded generator: a working day with a morning and an evening peak (non-homogeneous Poisson),
a skill mix, emotions, order values, VIPs, and log-normal handling times (mean 360 s, cv 0.8:
real chats are not exponential, which is the point of measuring). Scenarios scale the traffic
so the peak hour loads the desk at the given share of its slots.

    .venv/bin/python -m bench.routing_waits [--seed 7] [--loads 0.85,0.95,1.05,1.15]
        [--arrivals FILE.csv] [--write-arrivals FILE.csv] [--json]

CSV columns: conversation_id, arrived_at (ISO 8601 with offset), skill, handle_seconds,
emotion, emotion_intensity, order_value_cents, vip (0/1), hostile (0/1).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import platform
import random
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tandem.routing.erlang import expected_wait_seconds, offered_load
from tandem.routing.policy import (
    AgentState,
    Arrival,
    Estimator,
    QueueEntry,
    ReplayConfig,
    ReplayReport,
    WaitInputs,
    erlang_estimator,
    is_hostile,
    replay,
)
from tandem.routing.waits import estimate_wait as naive_estimate_wait

DAY_START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
# Relative traffic per hour of a 9:00-21:00 day: a late-morning and an evening peak.
HOURLY_PROFILE = (0.5, 0.8, 1.0, 0.8, 0.6, 0.6, 0.7, 0.8, 0.9, 1.0, 0.8, 0.5)
SKILL_MIX = (("after_sale", 0.45), ("pre_sale", 0.30), ("logistics", 0.20), ("vip", 0.05))
MEAN_HANDLE = 360.0
HANDLE_CV = 0.8

AGENTS = (
    AgentState("a1", "online", frozenset({"after_sale", "pre_sale", "logistics"})),
    AgentState("a2", "online", frozenset({"after_sale", "pre_sale", "logistics"})),
    AgentState("a3", "online", frozenset({"after_sale", "logistics"})),
    AgentState("a4", "online", frozenset({"after_sale", "logistics"})),
    AgentState("a5", "online", frozenset({"pre_sale", "after_sale"})),
    AgentState("a6", "online", frozenset({"pre_sale", "after_sale"})),
    AgentState("a7", "online", frozenset({"vip", "after_sale", "pre_sale"})),
    AgentState("a8", "online", frozenset({"vip", "after_sale", "logistics"})),
)


def _pick(rng: random.Random, mix: Sequence[tuple[str, float]]) -> str:
    x = rng.random()
    for name, share in mix:
        x -= share
        if x < 0:
            return name
    return mix[-1][0]


def generate(seed: int, peak_load: float) -> list[Arrival]:
    """A day of arrivals whose peak hour offers `peak_load` × the desk's slots."""
    rng = random.Random(seed)
    slots = sum(a.max_concurrent for a in AGENTS)
    peak_rate = peak_load * slots * 3600 / MEAN_HANDLE  # per hour
    sigma = math.sqrt(math.log(1 + HANDLE_CV**2))
    mu = math.log(MEAN_HANDLE) - sigma**2 / 2
    arrivals: list[Arrival] = []
    t = 0.0
    end = len(HOURLY_PROFILE) * 3600.0
    while True:
        t += rng.expovariate(peak_rate / 3600)  # thinning: candidates at the peak rate
        if t >= end:
            break
        if rng.random() > HOURLY_PROFILE[int(t // 3600)]:
            continue
        emotion = _pick(rng, (("anger", 0.15), ("anxiety", 0.2), ("neutral", 0.65)))
        intensity = rng.uniform(0.3, 1.0) if emotion != "neutral" else 0.0
        skill = _pick(rng, SKILL_MIX)
        entry = QueueEntry(
            conversation_id=f"c{len(arrivals):05d}",
            skill=skill,
            enqueued_at=DAY_START + timedelta(seconds=round(t, 3)),
            emotion=emotion,
            emotion_intensity=round(intensity, 3),
            order_value_cents=int(rng.lognormvariate(math.log(15000), 1.2)),
            vip=skill == "vip",
            hostile=is_hostile(emotion, intensity, abusive=rng.random() < 0.03),
        )
        arrivals.append(Arrival(entry, round(rng.lognormvariate(mu, sigma), 1)))
    return arrivals


def read_arrivals(path: Path) -> list[Arrival]:
    with path.open(newline="", encoding="utf-8") as f:
        return [
            Arrival(
                QueueEntry(
                    conversation_id=row["conversation_id"],
                    skill=row["skill"],
                    enqueued_at=datetime.fromisoformat(row["arrived_at"]),
                    emotion=row.get("emotion") or "neutral",
                    emotion_intensity=float(row.get("emotion_intensity") or 0),
                    order_value_cents=int(row.get("order_value_cents") or 0),
                    vip=row.get("vip") == "1",
                    hostile=row.get("hostile") == "1",
                ),
                float(row["handle_seconds"]),
            )
            for row in csv.DictReader(f)
        ]


def write_arrivals(path: Path, arrivals: Sequence[Arrival]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "conversation_id",
                "arrived_at",
                "skill",
                "handle_seconds",
                "emotion",
                "emotion_intensity",
                "order_value_cents",
                "vip",
                "hostile",
            ]
        )
        for a in arrivals:
            e = a.entry
            w.writerow(
                [
                    e.conversation_id,
                    e.enqueued_at.isoformat(),
                    e.skill,
                    a.handle_seconds,
                    e.emotion,
                    e.emotion_intensity,
                    e.order_value_cents,
                    int(e.vip),
                    int(e.hostile),
                ]
            )


def erlang_skill_queue_only(inputs: WaitInputs) -> float | None:
    """Position in the skill queue only: ignores conversations of other skills that compete
    for the same (multi-skilled) agents."""
    return erlang_estimator(replace(inputs, competing_ahead=None, overtakers=()))


def erlang_c_blind(inputs: WaitInputs) -> float | None:
    """Position-blind Erlang C mean wait, C·AHT/(N − A): what a staffing table would say."""
    if inputs.servers <= 0:
        return None
    load = offered_load(inputs.arrival_rate_per_hour, inputs.avg_handle_seconds)
    wait = expected_wait_seconds(inputs.servers, load, inputs.avg_handle_seconds)
    return None if math.isinf(wait) else wait


def naive(inputs: WaitInputs) -> float | None:
    """The estimate the service used before this module (`routing.waits.estimate_wait`)."""
    return float(
        naive_estimate_wait(
            position=inputs.position,
            agents_online=inputs.agents_online,
            free_slots=inputs.free_slots,
            slots_per_agent=inputs.slots_per_agent,
            avg_handle_seconds=inputs.avg_handle_seconds,
        )
    )


VARIANTS: dict[str, tuple[Estimator, ReplayConfig]] = {
    "erlang, competing queue + overtaking (default)": (erlang_estimator, ReplayConfig()),
    "erlang, competing queue": (erlang_estimator, ReplayConfig(estimate_overtaking=False)),
    "erlang, skill queue only": (erlang_skill_queue_only, ReplayConfig()),
    "erlang_c_blind": (erlang_c_blind, ReplayConfig()),
    "waits.estimate_wait (before)": (naive, ReplayConfig()),
}


def summary(report: ReplayReport) -> dict[str, float]:
    queued = [r for r in report.records if r.actual_seconds > 0]
    told = [r for r in report.records if r.actual_seconds > 0 or r.estimate_seconds > 0]
    told_mae = sum(abs(r.estimate_seconds - r.actual_seconds) for r in told) / max(1, len(told))
    return {
        "customers": len(report.records),
        "waited_share": round(len(queued) / max(1, len(report.records)), 3),
        "mean_actual_s": round(report.mean_actual_seconds, 1),
        "mae_s": round(report.mae_seconds, 1),
        "bias_s": round(report.bias_seconds, 1),
        "mae_waiting_s": round(told_mae, 1),
        "within_25pct": round(report.within_share, 3),
        "within_25pct_or_60s": round(report.within_share_or_floor, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--loads", default="0.85,0.95,1.05,1.15")
    parser.add_argument("--arrivals", type=Path, help="replay a recorded CSV instead")
    parser.add_argument("--write-arrivals", type=Path, help="save the generated arrivals")
    parser.add_argument("--json", action="store_true", help="print JSON, not a table")
    args = parser.parse_args()
    if args.arrivals is not None:
        scenarios = {str(args.arrivals): read_arrivals(args.arrivals)}
    else:
        scenarios = {
            f"peak load {load}": generate(args.seed, float(load)) for load in args.loads.split(",")
        }
    if args.write_arrivals is not None:
        write_arrivals(args.write_arrivals, next(iter(scenarios.values())))
    results: dict[str, dict[str, dict[str, float]]] = {}
    started = time.perf_counter()
    for name, arrivals in scenarios.items():
        results[name] = {}
        for label, (estimator, config) in VARIANTS.items():
            results[name][label] = summary(replay(arrivals, AGENTS, estimator, config))
    elapsed = time.perf_counter() - started
    if args.json:
        print(json.dumps({"python": platform.python_version(), "results": results}, indent=1))
        return
    print(
        "| scenario | estimator | customers | waited | mean wait s | MAE s | bias s "
        "| MAE s, told or made to wait | within ±25 % | within ±25 % or 60 s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, by_estimator in results.items():
        for label, s in by_estimator.items():
            print(
                f"| {name} | {label} | {s['customers']} | {s['waited_share']:.0%} "
                f"| {s['mean_actual_s']} | {s['mae_s']} | {s['bias_s']} | {s['mae_waiting_s']} "
                f"| {s['within_25pct']:.0%} | {s['within_25pct_or_60s']:.0%} |"
            )
    print(f"\n({elapsed:.1f} s for all replays, Python {platform.python_version()})")


if __name__ == "__main__":
    main()
