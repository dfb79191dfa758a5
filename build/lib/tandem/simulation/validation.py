"""The simulator against the textbook: on M/M/c traffic its waits must match Erlang C.

Customers arrive as a Poisson stream at a constant rate, every one queues for a person
(`human-only`), nobody gives up, handling times are exponential, agents hold one conversation
each and never break: the M/M/c queue. The simulator runs its real event loop and the real
routing rules; Erlang C says what the mean wait and the probability of waiting must be.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from tandem.routing.erlang import erlang_c, expected_wait_seconds, offered_load
from tandem.shop.present import ShopFacts
from tandem.simulation.agents import AgentSpec, HandlingTimes, Roster
from tandem.simulation.population import SimCustomer
from tandem.simulation.simulator import Simulation
from tandem.simulation.traffic import arrivals, constant_curve

START = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass(frozen=True)
class MmcCheck:
    servers: int
    arrivals: int
    offered_load: float
    simulated_mean_wait: float
    erlang_mean_wait: float
    simulated_p_wait: float
    erlang_p_wait: float

    @property
    def relative_error(self) -> float:
        return abs(self.simulated_mean_wait - self.erlang_mean_wait) / self.erlang_mean_wait


def _customer(n: int, t: float) -> SimCustomer:
    return SimCustomer(
        id=f"c-{n}",
        arrival=t,
        lang="zh",
        intent="shipping_info",
        feeling="calm",
        opening=(),
        problem=(),
        person_request=None,
        thanks=None,
        vip=False,
        facts=ShopFacts(None, ()),
        tracking={},
        focus_order_id=None,
        order_value_cents=0,
        patience_seconds=float("inf"),
        bot_tries=1,
        person_asks=0,
        think_seconds=0.0,
    )


def mmc_check(
    servers: int,
    rate_per_hour: float,
    handle_seconds: float,
    hours: float,
    seed: int,
    warmup_hours: float = 2.0,
) -> MmcCheck:
    curve = constant_curve(rate_per_hour, hours)
    times = list(arrivals(curve, random.Random(seed)))
    customers = [_customer(n, t) for n, t in enumerate(times)]
    horizon = curve.horizon_seconds
    roster = Roster(
        tuple(
            # Shifts outlast the arrivals, so everyone who came is served.
            AgentSpec(f"a{i:03d}", 0.0, horizon * 10, frozenset({"pre_sale"}), 1)
            for i in range(servers)
        ),
        break_seconds=0.0,
    )
    handling = HandlingTimes(
        mean_seconds={"pre_sale": handle_seconds},
        hostile_factor=1.0,
        concurrency_penalty=0.0,
        distribution="exponential",
    )
    result = Simulation(
        policy="human-only",
        customers=customers,
        roster=roster,
        start=START,
        seed=seed,
        horizon_seconds=horizon,
        handling=handling,
    ).run()
    # Customers of the warm-up (an empty system at the start) do not see steady state.
    steady = [r for r in result.records if r.customer.arrival >= warmup_hours * 3600]
    waits = [
        r.answered_at - r.queued_at
        for r in steady
        if r.answered_at is not None and r.queued_at is not None
    ]
    load = offered_load(rate_per_hour, handle_seconds)
    return MmcCheck(
        servers=servers,
        arrivals=len(waits),
        offered_load=load,
        simulated_mean_wait=sum(waits) / len(waits),
        erlang_mean_wait=expected_wait_seconds(servers, load, handle_seconds),
        simulated_p_wait=sum(1 for w in waits if w > 0) / len(waits),
        erlang_p_wait=erlang_c(servers, load),
    )
