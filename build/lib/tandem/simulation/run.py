"""One what-if: a scenario (traffic, customers, agents, policies, seed) run for every policy.

Every policy sees the same customers (same arrival times, problems, words, feelings, orders,
patience: common random numbers), so the differences in the results come from the policies,
not from luck. Same seed, same result.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tandem.simulation.agents import HandlingTimes, Roster, uniform_roster
from tandem.simulation.bots import (
    EngineServices,
    NaiveBot,
    check_policies,
)
from tandem.simulation.messages import MessageBank, load_bank
from tandem.simulation.metrics import Costs, PolicyFigures, figures
from tandem.simulation.population import (
    CustomerMix,
    SimCustomer,
    build_profiles,
    draw_customer,
    intent_weights,
)
from tandem.simulation.simulator import RunResult, Simulation
from tandem.simulation.traffic import RateCurve, arrivals

# 2026-11-11 00:00 in Shanghai: the day the shipped 双十一 curve describes.
DEFAULT_START = datetime(2026, 11, 10, 16, 0, tzinfo=UTC)


@dataclass
class Scenario:
    curve: RateCurve
    roster: Roster | None = None
    agents: int = 20
    wage_per_hour: float = 35.0
    policies: list[str] = field(
        default_factory=lambda: ["human-only", "ai-only", "naive-bot", "tandem"]
    )
    seed: int = 7
    start: datetime = DEFAULT_START
    mix: CustomerMix = field(default_factory=CustomerMix)
    handling: HandlingTimes = field(default_factory=HandlingTimes)
    costs: Costs = field(default_factory=Costs)
    messages: Path | None = None
    policy_file: Path | None = None
    knowledge_file: Path | None = None

    def resolved_roster(self) -> Roster:
        return self.roster or uniform_roster(
            self.agents, self.curve.horizon_seconds, wage_per_hour=self.wage_per_hour
        )


@dataclass
class Comparison:
    scenario: Scenario
    bank: MessageBank
    results: list[RunResult]
    figures: list[PolicyFigures]
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))


def customers_for(scenario: Scenario, bank: MessageBank) -> list[SimCustomer]:
    rng = random.Random(f"{scenario.seed}:customers")
    groups = {lang: bank.by_intent(lang) for lang in bank.languages}
    profiles = build_profiles(random.Random(f"{scenario.seed}:shop"), scenario.mix, scenario.start)
    times = list(arrivals(scenario.curve, random.Random(f"{scenario.seed}:arrivals")))
    table = {lang: intent_weights(g, scenario.mix) for lang, g in groups.items()}
    return [
        draw_customer(rng, n, t, bank, groups, profiles, scenario.mix, table)
        for n, t in enumerate(times)
    ]


def compare(
    scenario: Scenario,
    *,
    services: EngineServices | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Comparison:
    """Run every policy of the scenario over the same customers."""
    policies = check_policies(scenario.policies)
    bank = load_bank(scenario.messages)
    customers = customers_for(scenario, bank)
    needs_engine = any(p in ("ai-only", "tandem", "naive-bot") for p in policies)
    if services is None and needs_engine:
        services = EngineServices.build(
            policy_file=scenario.policy_file, knowledge_file=scenario.knowledge_file
        )
    naive = NaiveBot(services.knowledge.entries()) if services and "naive-bot" in policies else None
    roster = scenario.resolved_roster()
    results = []
    for policy in policies:
        step: Callable[[int], None] | None = None
        if progress is not None:

            def step(k: int, policy: str = policy) -> None:
                progress(policy, k, len(customers))

        sim = Simulation(
            policy=policy,
            customers=customers,
            roster=roster if policy != "ai-only" else Roster(()),
            start=scenario.start,
            seed=scenario.seed,
            horizon_seconds=scenario.curve.horizon_seconds,
            services=services if policy in ("ai-only", "tandem") else None,
            naive=naive,
            handling=scenario.handling,
            progress=step,
        )
        if services is not None:
            services.engine_calls = 0
        results.append(sim.run())
    zone = services.policy.service_hours.zone if services else ZoneInfo("Asia/Shanghai")
    return Comparison(scenario, bank, results, [figures(r, scenario.costs) for r in results], zone)
