"""Erlang C: how long customers wait for a pool of agents, and how many agents a target needs.

The model is M/M/N: arrivals at a steady rate, exponential handling times, N identical servers
and an unbounded first-come-first-served queue. For chat, a *server* is one conversation slot,
so an agent who holds up to three conversations counts as three servers; the handling time to
use is the one observed *under* that concurrency (a conversation handled alongside two others
takes longer than one handled alone), which is what the desk records anyway.

Everything is computed from the Erlang B recursion, B(0) = 1,
B(n) = A·B(n-1) / (n + A·B(n-1)), which stays between 0 and 1 at every step. The textbook
formula with A^N / N! overflows a float near N = 170; the recursion is exact in floating point
for thousands of servers. Pure functions: no clock, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

import numpy as np

SECONDS_PER_HOUR = 3600.0
# Staffing searches stop here: a pool this large means the inputs are wrong, not the maths.
MAX_SERVERS = 100_000


def _check_servers(servers: int) -> None:
    if servers < 0:
        raise ValueError(f"servers must be 0 or more, got {servers}")


def _check_load(offered_load: float) -> None:
    if not math.isfinite(offered_load) or offered_load < 0:
        raise ValueError(f"offered load (Erlangs) must be a finite number >= 0, got {offered_load}")


def offered_load(arrival_rate_per_hour: float, avg_handle_seconds: float) -> float:
    """Traffic in Erlangs: how many servers would be busy on average (λ × AHT)."""
    if not math.isfinite(arrival_rate_per_hour) or arrival_rate_per_hour < 0:
        raise ValueError(
            f"arrival rate must be a finite number of conversations per hour >= 0, "
            f"got {arrival_rate_per_hour}"
        )
    if not math.isfinite(avg_handle_seconds) or avg_handle_seconds <= 0:
        raise ValueError(
            f"average handling time must be a positive number of seconds, got {avg_handle_seconds}"
        )
    return arrival_rate_per_hour * avg_handle_seconds / SECONDS_PER_HOUR


def erlang_b(servers: int, offered_load: float) -> float:
    """Blocking probability of an Erlang loss system (no queue) with `servers` and load A."""
    _check_servers(servers)
    _check_load(offered_load)
    b = 1.0
    for n in range(1, servers + 1):
        ab = offered_load * b
        b = ab / (n + ab)
    return b


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arriving customer has to wait (all `servers` busy).

    1.0 when the load reaches or exceeds the servers: the queue then grows without bound and
    everyone waits.
    """
    _check_servers(servers)
    _check_load(offered_load)
    if offered_load == 0:
        return 0.0
    if servers == 0 or offered_load >= servers:
        return 1.0
    b = erlang_b(servers, offered_load)
    return servers * b / (servers - offered_load * (1.0 - b))


def expected_wait_seconds(servers: int, offered_load: float, avg_handle_seconds: float) -> float:
    """Average speed of answer over all customers (those served at once count 0).

    ``math.inf`` when the system is overloaded (load >= servers).
    """
    if avg_handle_seconds <= 0:
        raise ValueError(f"average handling time must be positive, got {avg_handle_seconds}")
    c = erlang_c(servers, offered_load)
    if c == 0.0:
        return 0.0
    if offered_load >= servers:
        return math.inf
    return c * avg_handle_seconds / (servers - offered_load)


def service_level(
    servers: int, offered_load: float, avg_handle_seconds: float, target_seconds: float
) -> float:
    """Share of customers answered within `target_seconds`: 1 − C·e^(−(N−A)·t/AHT)."""
    if avg_handle_seconds <= 0:
        raise ValueError(f"average handling time must be positive, got {avg_handle_seconds}")
    if target_seconds < 0:
        raise ValueError(f"target answer time must be 0 or more seconds, got {target_seconds}")
    c = erlang_c(servers, offered_load)
    if offered_load >= servers and offered_load > 0:
        return 0.0
    return 1.0 - c * math.exp(-(servers - offered_load) * target_seconds / avg_handle_seconds)


@dataclass(frozen=True)
class StaffingRecommendation:
    """What `recommend_staffing` found, with the figures a team lead wants to see beside it."""

    agents: int
    servers: int  # agents × concurrency: conversation slots
    offered_load: float  # Erlangs
    service_level: float  # share answered within the target, at this staffing
    probability_of_waiting: float
    expected_wait_seconds: float
    occupancy: float  # share of slot time busy


def recommend_staffing(
    arrival_rate_per_hour: float,
    avg_handle_seconds: float,
    target_seconds: float,
    service_level_target: float,
    concurrency: int = 1,
) -> StaffingRecommendation:
    """Fewest agents whose slots answer `service_level_target` of customers within the target.

    `concurrency` is the number of conversations one agent holds at once; the count searched is
    slots, rounded up to whole agents.
    """
    if not 0 < service_level_target < 1:
        raise ValueError(
            f"service level must be a share strictly between 0 and 1 (e.g. 0.8 for 80%), "
            f"got {service_level_target}"
        )
    if concurrency < 1:
        raise ValueError(
            f"concurrency must be at least 1 conversation per agent, got {concurrency}"
        )
    if target_seconds < 0:
        raise ValueError(f"target answer time must be 0 or more seconds, got {target_seconds}")
    load = offered_load(arrival_rate_per_hour, avg_handle_seconds)
    if load == 0:
        return StaffingRecommendation(0, 0, 0.0, 1.0, 0.0, 0.0, 0.0)
    # Below floor(A)+1 servers the queue is unstable, so start there.
    servers = math.floor(load) + 1
    while service_level(servers, load, avg_handle_seconds, target_seconds) < service_level_target:
        servers += 1
        if servers > MAX_SERVERS:
            raise ValueError(
                f"more than {MAX_SERVERS} conversation slots would be needed for "
                f"{arrival_rate_per_hour}/h at {avg_handle_seconds}s each: check the inputs"
            )
    agents = math.ceil(servers / concurrency)
    slots = agents * concurrency
    return StaffingRecommendation(
        agents=agents,
        servers=slots,
        offered_load=load,
        service_level=service_level(slots, load, avg_handle_seconds, target_seconds),
        probability_of_waiting=erlang_c(slots, load),
        expected_wait_seconds=expected_wait_seconds(slots, load, avg_handle_seconds),
        occupancy=load / slots,
    )


def agents_for_service_level(
    arrival_rate_per_hour: float,
    avg_handle_seconds: float,
    target_seconds: float,
    service_level: float,
    concurrency: int = 1,
) -> int:
    """Fewest agents that answer `service_level` (a share, e.g. 0.8) within `target_seconds`."""
    return recommend_staffing(
        arrival_rate_per_hour, avg_handle_seconds, target_seconds, service_level, concurrency
    ).agents


def wait_at_position_seconds(ahead: int, servers: int, avg_handle_seconds: float) -> float:
    """Mean wait of a customer with `ahead` people before them, every slot busy.

    Slots free one at a time at rate N/AHT, and the customer needs `ahead + 1` of them: the
    conditional form of Erlang C (averaged over the queue lengths Erlang C predicts, it gives
    back C·AHT/(N − A)).
    """
    if ahead < 0:
        raise ValueError(f"people ahead must be 0 or more, got {ahead}")
    if servers <= 0:
        raise ValueError(f"servers must be at least 1 to estimate a wait, got {servers}")
    if avg_handle_seconds <= 0:
        raise ValueError(f"average handling time must be positive, got {avg_handle_seconds}")
    return (ahead + 1) * avg_handle_seconds / servers


# Above this many phases the quantile uses the Wilson-Hilferty approximation.
EXACT_QUANTILE_PHASES = 60


def _erlang_k_cdf(k: int, x: float) -> float:
    """P(sum of k unit exponentials <= x) = 1 − e^(−x) Σ_{i<k} x^i / i!."""
    if x <= 0:
        return 0.0
    if x > 700:  # e^(−x) would underflow: sum the terms in log space
        log_term, tail = -x, math.exp(-x)
        for i in range(1, k):
            log_term += math.log(x / i)
            tail += math.exp(log_term)
        return max(0.0, 1.0 - tail)
    term, total = 1.0, 1.0
    for i in range(1, k):
        term *= x / i
        total += term
    return max(0.0, 1.0 - math.exp(-x) * total)


def wait_at_position_quantile(
    ahead: int, servers: int, avg_handle_seconds: float, quantile: float
) -> float:
    """Seconds within which a customer `ahead + 1`-th in line is answered with `quantile` odds.

    The wait is Erlang-distributed (ahead + 1 exponential phases at rate N/AHT); used for an
    honest upper figure ("most customers at your place wait less than ...").
    """
    if not 0 < quantile < 1:
        raise ValueError(f"quantile must be strictly between 0 and 1, got {quantile}")
    mean = wait_at_position_seconds(ahead, servers, avg_handle_seconds)
    return _quantile_over_mean(ahead + 1, quantile) * mean


@lru_cache(maxsize=8192)
def _quantile_over_mean(k: int, quantile: float) -> float:
    """The `quantile` of an Erlang(k) wait as a multiple of its mean: the same for every
    staffing, so a queue of thousands computes each place's factor once per process."""
    if k > EXACT_QUANTILE_PHASES:
        # Wilson-Hilferty: (X/k)^(1/3) is nearly normal; relative error far below 0.1 % here,
        # and O(1) where the exact search costs O(k) per step.
        z = NormalDist().inv_cdf(quantile)
        v = 1 / (9 * k)
        return float((1 - v + z * math.sqrt(v)) ** 3)
    lo, hi = 0.0, float(k)
    while _erlang_k_cdf(k, hi) < quantile:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        if _erlang_k_cdf(k, mid) < quantile:
            lo = mid
        else:
            hi = mid
    return hi / k


# --- Erlang A: customers who give up -------------------------------------------------------
#
# M/M/N+M (Palm's model): as Erlang C, and each waiting customer abandons after an exponential
# patience of mean `avg_patience_seconds`. The number in the system is a birth-death chain:
# π(n) ∝ A^n/n! up to N, then each step beyond multiplies by λ/(Nμ + kθ) (k already waiting),
# so the queue cannot grow without bound and the model stays defined when A ≥ N (peaks, where
# Erlang C says "infinite" and staffing by it overshoots). θ → 0 gives back Erlang C.

# The chain's tail is summed until a term adds less than this share of the total.
_TAIL_EPSILON = 1e-13
# Uniformisation stops once the remaining Poisson mass is below this.
_POISSON_EPSILON = 1e-12
# Beyond this many expected jumps the target is treated as unbounded (closed form).
_MAX_UNIFORM_STEPS = 200_000


@dataclass(frozen=True)
class ErlangA:
    """What Erlang A predicts for one interval (shares of all arriving customers)."""

    servers: int
    offered_load: float
    probability_of_waiting: float
    probability_of_abandoning: float
    mean_wait_seconds: float  # over all customers, abandoned ones counted until they left
    mean_queue_length: float
    service_level: float  # answered within the target (abandoners are not answered)
    occupancy: float  # share of slot time busy


def _erlang_a_states(servers: int, lam: float, mu: float, theta: float) -> list[float]:
    """Stationary probabilities π(0), π(1), ... of the number in an M/M/N+M system."""
    terms = [1.0]
    for n in range(1, servers + 1):
        terms.append(terms[-1] * lam / (n * mu))
        if terms[-1] > 1e250:  # rescale instead of overflowing on very large pools
            terms = [t / 1e250 for t in terms]
    total = sum(terms)
    k = 0
    while True:
        k += 1
        terms.append(terms[-1] * lam / (servers * mu + k * theta))
        total += terms[-1]
        if terms[-1] < _TAIL_EPSILON * total and servers * mu + k * theta > lam:
            break
        if k > 10_000_000:
            raise ValueError("Erlang A did not converge: check the patience and the load")
    return [t / total for t in terms]


def _served_within(servers: int, mu: float, theta: float, ahead: list[float], t: float) -> float:
    """P(a waiting customer is answered within t), given P(j customers ahead) = ahead[j].

    The tagged customer advances one place at rate Nμ + jθ (an agent frees, or someone ahead
    gives up) and gives up at rate θ: a small absorbing chain, solved by uniformisation (sums
    of Poisson-weighted jump probabilities, exact up to `_POISSON_EPSILON`).
    """
    if t <= 0:
        return 0.0
    # The far tail carries no mass worth a step: drop it (it only costs time).
    cut = len(ahead)
    while cut > 1 and ahead[cut - 1] < _TAIL_EPSILON:
        cut -= 1
    p = np.array(ahead[:cut], dtype=np.float64)  # p[j]: still waiting with j ahead
    top = cut - 1
    rate = servers * mu + top * theta + theta  # bounds every state's total outflow
    advance = (servers * mu + theta * np.arange(cut)) / rate
    stay = 1.0 - advance - theta / rate
    if rate * t > _MAX_UNIFORM_STEPS:
        # A target this long is "ever": the chance of being reached before giving up,
        # the product of (Nμ + kθ)/(Nμ + kθ + θ) over the places still to advance.
        ever = 0.0
        chance = 1.0
        for j in range(cut):
            chance *= (servers * mu + j * theta) / (servers * mu + j * theta + theta)
            ever += float(p[j]) * chance
        return ever
    served = 0.0
    log_weight = -rate * t
    result = 0.0
    mass = 0.0
    n = 0
    while True:
        # P(N(t) = n), kept as a logarithm so long horizons do not underflow.
        weight = math.exp(log_weight) if log_weight > -745 else 0.0
        result += weight * served
        mass += weight
        if (mass > 1 - _POISSON_EPSILON and n > rate * t) or n > 10_000_000:
            break
        served += float(p[0] * advance[0])
        moved = p[1:] * advance[1:]
        p = p * stay
        p[:-1] += moved
        n += 1
        log_weight += math.log(rate * t / n)
    return result + (1 - mass) * served


def erlang_a(
    servers: int,
    arrival_rate_per_hour: float,
    avg_handle_seconds: float,
    avg_patience_seconds: float,
    target_seconds: float = 0.0,
) -> ErlangA:
    """Erlang A figures for `servers` slots, Poisson arrivals, exponential handling and patience."""
    _check_servers(servers)
    load = offered_load(arrival_rate_per_hour, avg_handle_seconds)
    if not math.isfinite(avg_patience_seconds) or avg_patience_seconds <= 0:
        raise ValueError(
            f"average patience must be a positive number of seconds, got {avg_patience_seconds}"
        )
    if target_seconds < 0:
        raise ValueError(f"target answer time must be 0 or more seconds, got {target_seconds}")
    if load == 0:
        return ErlangA(servers, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0)
    lam = arrival_rate_per_hour / SECONDS_PER_HOUR
    mu = 1.0 / avg_handle_seconds
    theta = 1.0 / avg_patience_seconds
    pi = _erlang_a_states(servers, lam, mu, theta)
    waiting = sum(pi[servers:])
    queue = sum(j * pi[servers + j] for j in range(1, len(pi) - servers))
    abandon = theta * queue / lam
    # An arrival finding N + j in the system has j ahead of it (PASTA).
    ahead = pi[servers:]
    answered_late = _served_within(servers, mu, theta, ahead, target_seconds)
    busy = sum(min(n, servers) * p for n, p in enumerate(pi))
    return ErlangA(
        servers=servers,
        offered_load=load,
        probability_of_waiting=waiting,
        probability_of_abandoning=abandon,
        mean_wait_seconds=queue / lam,
        mean_queue_length=queue,
        service_level=(1.0 - waiting) + answered_late,
        occupancy=busy / servers if servers else 0.0,
    )


def agents_for_service_level_a(
    arrival_rate_per_hour: float,
    avg_handle_seconds: float,
    avg_patience_seconds: float,
    target_seconds: float,
    service_level_target: float,
    concurrency: int = 1,
    max_abandon: float | None = None,
) -> int:
    """Fewest agents for `service_level_target` of customers answered within the target when
    customers give up (Erlang A), and at most `max_abandon` of them abandoning if given."""
    if not 0 < service_level_target < 1:
        raise ValueError(
            f"service level must be a share strictly between 0 and 1 (e.g. 0.8 for 80%), "
            f"got {service_level_target}"
        )
    if concurrency < 1:
        raise ValueError(
            f"concurrency must be at least 1 conversation per agent, got {concurrency}"
        )
    load = offered_load(arrival_rate_per_hour, avg_handle_seconds)
    if load == 0:
        return 0

    def meets(slots: int) -> bool:
        r = erlang_a(
            slots, arrival_rate_per_hour, avg_handle_seconds, avg_patience_seconds, target_seconds
        )
        return r.service_level >= service_level_target and (
            max_abandon is None or r.probability_of_abandoning <= max_abandon
        )

    # Both figures improve with every slot added: double until the target is met, then halve.
    hi = max(1, math.ceil(load))
    while not meets(hi):
        hi *= 2
        if hi > MAX_SERVERS:
            raise ValueError(
                f"more than {MAX_SERVERS} conversation slots would be needed for "
                f"{arrival_rate_per_hour}/h at {avg_handle_seconds}s each: check the inputs"
            )
    lo = 1
    while lo < hi:
        mid = (lo + hi) // 2
        if meets(mid):
            hi = mid
        else:
            lo = mid + 1
    return math.ceil(lo / concurrency)
