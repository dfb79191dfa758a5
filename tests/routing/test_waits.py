"""Honest waits: the estimate at a queue position, and its error measured by replay."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

import pytest

from tandem.routing.policy import (
    Arrival,
    ReplayConfig,
    WaitInputs,
    competing_ahead,
    competition,
    estimate_wait,
    observed_arrival_rate_per_hour,
    observed_handle_seconds,
    replay,
    wait_estimates,
    wait_inputs,
)

from .factories import agent, at, entry

BASE = WaitInputs(
    position=1,
    free_slots=0,
    servers=6,
    agents_online=2,
    slots_per_agent=3,
    avg_handle_seconds=300.0,
    arrival_rate_per_hour=0.0,
)


def test_nobody_to_serve_means_no_estimate() -> None:
    assert estimate_wait(replace(BASE, servers=0, agents_online=0)) is None


def test_a_free_slot_means_no_wait() -> None:
    est = estimate_wait(replace(BASE, position=2, free_slots=2))
    assert est is not None and est.seconds == 0 and est.upper_seconds == 0


def test_behind_the_free_slots_each_place_waits_for_one_slot_to_free() -> None:
    first = estimate_wait(replace(BASE, position=1))
    fourth = estimate_wait(replace(BASE, position=4))
    after_free = estimate_wait(replace(BASE, position=4, free_slots=2))
    assert first is not None and fourth is not None and after_free is not None
    assert first.seconds == pytest.approx(300 / 6)
    assert fourth.seconds == pytest.approx(4 * 300 / 6)
    assert after_free.seconds == pytest.approx(2 * 300 / 6)
    assert fourth.upper_seconds > fourth.seconds


def test_more_staff_shorter_wait() -> None:
    few = estimate_wait(replace(BASE, position=5, servers=3))
    many = estimate_wait(replace(BASE, position=5, servers=9))
    assert few is not None and many is not None and many.seconds < few.seconds


def test_overtaking_arrivals_lengthen_the_wait_but_aging_bounds_it() -> None:
    plain = estimate_wait(replace(BASE, position=3))
    assert plain is not None and plain.seconds == pytest.approx(150)
    # One overtaker a minute, each outranking us for 10 minutes: the wait W solves
    # W = 150 + 50 · min(W, 600) / 60, i.e. W = 150 / (1 − 50/60) = 900 s, then capped by h:
    # min(W, 600) = 600 gives W = 150 + 500 = 650.
    capped = estimate_wait(replace(BASE, position=3, overtakers=((1 / 60, 600.0),)))
    assert capped is not None and capped.seconds == pytest.approx(650, abs=0.1)
    # Short horizons add little: each outranks us for 30 s only.
    brief = estimate_wait(replace(BASE, position=3, overtakers=((1 / 60, 30.0),)))
    assert brief is not None and brief.seconds == pytest.approx(150 + 50 * 30 / 60, abs=0.1)
    # A flood of overtakers cannot make the estimate explode: it is bounded by the horizons.
    flood = estimate_wait(replace(BASE, position=3, overtakers=((10.0, 120.0),)))
    assert flood is not None and flood.seconds == pytest.approx(150 + 50 * 10 * 120, abs=0.1)
    assert capped.upper_seconds / capped.seconds == pytest.approx(
        plain.upper_seconds / plain.seconds
    )


def test_observed_rates() -> None:
    times = [at(m) for m in (0, 10, 20, 30, 50, 59)]
    assert observed_arrival_rate_per_hour(times, at(60), timedelta(hours=1)) == pytest.approx(5)
    assert observed_arrival_rate_per_hour(times, at(60), timedelta(minutes=30)) == pytest.approx(4)
    assert observed_handle_seconds([100, 200, 0], default=300) == pytest.approx(150)
    assert observed_handle_seconds([], default=300) == 300


def test_replay_is_exact_when_the_model_is_exact() -> None:
    """One agent, one slot, five customers at once, every conversation 60 s, and a 60 s prior
    for the handling time: the estimates 0, 60, 120, 180, 240 s are exactly the waits."""
    arrivals = [Arrival(entry(f"c{i}", 0), 60.0) for i in range(5)]
    report = replay(arrivals, [agent("a", cap=1)], config=ReplayConfig(default_handle_seconds=60))
    assert [r.actual_seconds for r in report.records] == [0, 60, 120, 180, 240]
    assert [r.estimate_seconds for r in report.records] == [0, 60, 120, 180, 240]
    assert report.mae_seconds == 0 and report.within_share == 1 and report.unserved == 0


def test_replay_measures_a_wrong_prior_and_learns_from_completions() -> None:
    """The prior says 300 s but conversations take 60 s: the first customers are shown far
    too long a wait; after completions the observed handling time corrects it."""
    burst = [Arrival(entry(f"a{i}", 0), 60.0) for i in range(3)]
    later = [Arrival(entry(f"b{i}", 10), 60.0) for i in range(3)]
    report = replay([*burst, *later], [agent("a", cap=1)])
    by_id = {r.conversation_id: r for r in report.records}
    assert by_id["a2"].estimate_seconds == pytest.approx(600)
    assert by_id["a2"].actual_seconds == pytest.approx(120)
    assert by_id["b2"].estimate_seconds == pytest.approx(120)
    assert by_id["b2"].actual_seconds == pytest.approx(120)
    assert report.bias_seconds > 0
    assert 0 < report.within_share < 1


def test_replay_follows_the_assignment_rules() -> None:
    """A furious VIP who arrives later is served before the calm customer already waiting,
    and the calm customer's wait is the longer for it."""
    arrivals = [
        Arrival(entry("busy", 0), 120.0),
        Arrival(entry("calm", 0, value_cents=0), 60.0),
        Arrival(entry("vip", 0.5, emotion="anger", intensity=1.0, vip=True), 60.0),
    ]
    report = replay(arrivals, [agent("a", cap=1)], config=ReplayConfig(default_handle_seconds=120))
    actual = {r.conversation_id: r.actual_seconds for r in report.records}
    assert actual == {"busy": 0, "vip": 90, "calm": 180}


def test_replay_counts_customers_nobody_could_serve() -> None:
    arrivals = [Arrival(entry("v", 0, "vip"), 60.0), Arrival(entry("a", 0), 60.0)]
    report = replay(arrivals, [agent("x", ("after_sale",))])
    assert report.unserved == 1
    assert [r.conversation_id for r in report.records] == ["a"]


def test_replay_tolerances() -> None:
    arrivals = [Arrival(entry(f"c{i}", 0), 100.0) for i in range(3)]
    # Prior 130 s against 100 s: errors 0, 30, 60 on waits 0, 100, 200.
    config = ReplayConfig(
        default_handle_seconds=130, tolerance_share=0.3, tolerance_floor_seconds=0
    )
    report = replay(arrivals, [agent("a", cap=1)], config=config)
    assert [round(r.estimate_seconds - r.actual_seconds) for r in report.records] == [0, 30, 60]
    assert report.mae_seconds == pytest.approx(30)
    assert report.within_share == pytest.approx(1.0)
    tight = replay(arrivals, [agent("a", cap=1)], config=replace(config, tolerance_share=0.2))
    assert tight.within_share == pytest.approx(1 / 3)
    loose_floor = replay(
        arrivals,
        [agent("a", cap=1)],
        config=replace(config, tolerance_share=0.2, tolerance_floor_seconds=60),
    )
    assert loose_floor.within_share_or_floor == pytest.approx(1.0)


def test_competition_weighs_skills_by_shared_slots() -> None:
    agents = [
        agent("a", ("after_sale", "logistics")),
        agent("b", ("logistics",)),
        agent("c", ("pre_sale",)),
        agent("gone", ("after_sale", "pre_sale"), presence="offline"),
    ]
    assert competition("after_sale", agents, at(0)) == {
        "after_sale": 1.0,
        "logistics": 0.5,
        "pre_sale": 0.0,
    }


def test_competing_ahead_counts_every_queue_by_its_weight() -> None:
    queue = [
        entry("log_hot", 0, "logistics", emotion="anger", intensity=1.0),
        entry("pre_hot", 0, "pre_sale", vip=True),
        entry("mine", 1),
        entry("after_me", 2, "logistics"),
    ]
    weights = {"after_sale": 1.0, "logistics": 0.5, "pre_sale": 0.0}
    assert competing_ahead("mine", queue, weights) == pytest.approx(0.5)


def test_estimate_uses_the_competing_queue_when_given() -> None:
    est = estimate_wait(replace(BASE, position=1, servers=3, competing_ahead=2.5))
    assert est is not None and est.seconds == pytest.approx(3.5 * 300 / 3)
    assert est.upper_seconds > est.seconds
    free = estimate_wait(replace(BASE, position=1, free_slots=2, competing_ahead=1.0))
    assert free is not None and free.seconds == 0


def test_wait_inputs_observes_queue_staff_and_recent_arrivals() -> None:
    agents = [
        agent("a", ("after_sale", "logistics"), active=3),
        agent("b", ("logistics",), active=1),
    ]
    queue = [entry("log", 0, "logistics", emotion="anger", intensity=1.0), entry("mine", 1)]
    recent = [entry(f"r{i}", -i, "logistics") for i in range(4)] + queue
    inputs = wait_inputs(
        queue[1],
        queue,
        agents,
        at(1),
        recent_arrivals=recent,
        avg_handle_seconds=240,
        rate_window=timedelta(hours=1),
    )
    assert inputs.position == 1
    assert inputs.servers == 3 and inputs.free_slots == 0 and inputs.agents_online == 1
    assert inputs.competing_ahead == pytest.approx(0.5)
    # 5 logistics arrivals at weight 0.5 and 1 after-sale at weight 1, over one hour.
    assert inputs.arrival_rate_per_hour == pytest.approx(3.5)
    # The furious logistics customer outranks "mine" (calm) by 40 points: 8 minutes at 5/min.
    assert inputs.overtakers == ((0.5 / 3600, 480.0),)
    single = wait_inputs(
        queue[1],
        queue,
        agents,
        at(1),
        recent_arrivals=recent,
        avg_handle_seconds=240,
        rate_window=timedelta(hours=1),
        count_competition=False,
        estimate_overtaking=False,
    )
    assert single.competing_ahead is None and single.arrival_rate_per_hour == pytest.approx(1)
    assert single.overtakers == ()


def test_replay_counts_other_skills_competing_for_a_shared_agent() -> None:
    """One agent serves after-sale and logistics. A furious logistics customer queued at the
    same moment goes first, so the after-sale customer, next in their own queue, really waits
    two conversations: counting the competing queue gets it exactly, the skill queue alone
    does not."""
    both = agent("a", ("after_sale", "logistics"), cap=1)
    arrivals = [
        Arrival(entry("a_busy", 0), 60.0),
        Arrival(entry("b_log", 0, "logistics", emotion="anger", intensity=1.0), 60.0),
        Arrival(entry("c_mine", 0), 60.0),
    ]
    # Overtaking off: this test isolates the competing queue.
    config = ReplayConfig(default_handle_seconds=60, estimate_overtaking=False)
    with_competition = {
        r.conversation_id: r for r in replay(arrivals, [both], config=config).records
    }
    assert with_competition["c_mine"].actual_seconds == 120
    assert with_competition["c_mine"].estimate_seconds == pytest.approx(120)
    skill_only = replay(arrivals, [both], config=replace(config, count_competition=False))
    mine = next(r for r in skill_only.records if r.conversation_id == "c_mine")
    assert mine.estimate_seconds == pytest.approx(60)


def test_requeued_conversations_are_not_counted_as_overtaking_arrivals() -> None:
    mine = entry("mine", 0)
    back = replace(entry("back", 0), requeued=True)
    hot = entry("hot", 0, vip=True)
    inputs = wait_inputs(
        mine,
        [back, hot, mine],
        [agent("a", active=3)],
        at(1),
        recent_arrivals=[back, hot, mine],
        avg_handle_seconds=300,
        rate_window=timedelta(hours=1),
    )
    assert inputs.overtakers == ((1 / 3600, 30 / (5 / 60)),)
    assert inputs.competing_ahead == 2


def test_overtaking_solution_is_exact_at_every_piece() -> None:
    # Horizons 60 s and 3,600 s; W = 100 + 50·(r1·min(W, 60) + r2·min(W, 3600)).
    over = ((1 / 120, 60.0), (1 / 600, 3600.0))
    est = estimate_wait(replace(BASE, position=2, overtakers=over))
    assert est is not None
    w = est.seconds
    assert w == pytest.approx(100 + 50 * (min(w, 60) / 120 + min(w, 3600) / 600))
    # Order of the overtakers does not matter.
    again = estimate_wait(replace(BASE, position=2, overtakers=tuple(reversed(over))))
    assert again is not None and again.seconds == pytest.approx(w)


def test_batch_estimates_match_one_at_a_time() -> None:
    rng = random.Random(9)
    skills = ["after_sale", "pre_sale", "logistics"]
    queue = [
        entry(
            f"q{i}",
            rng.uniform(0, 30),
            rng.choice(skills),
            emotion=rng.choice(["anger", "anxiety", "neutral"]),
            intensity=rng.random(),
            value_cents=rng.randint(0, 10**6),
            vip=rng.random() < 0.1,
            requeued=rng.random() < 0.05,
        )
        for i in range(40)
    ]
    earlier = [
        entry(f"r{i}", rng.uniform(-50, 0), rng.choice(skills), vip=rng.random() < 0.3)
        for i in range(30)
    ]
    agents = [
        agent(f"a{k}", tuple(rng.sample(skills, 2)), active=rng.randint(0, 3)) for k in range(5)
    ] + [agent("off", tuple(skills), presence="offline")]
    kwargs = {
        "recent_arrivals": [*earlier, *queue],
        "avg_handle_seconds": 280.0,
        "rate_window": timedelta(hours=1),
    }
    batch = wait_estimates(queue, agents, at(30), **kwargs)  # type: ignore[arg-type]
    assert set(batch) == {e.conversation_id for e in queue}
    waits = [est.seconds for _, est in batch.values() if est is not None]
    assert len(waits) > 20 and max(waits) > 0  # the comparison below covers real queues
    for e in queue:
        inputs = wait_inputs(e, queue, agents, at(30), **kwargs)  # type: ignore[arg-type]
        single = estimate_wait(inputs)
        position, estimate = batch[e.conversation_id]
        assert position == inputs.position
        assert (estimate is None) == (single is None)
        if estimate is not None and single is not None:
            assert estimate.seconds == pytest.approx(single.seconds)
            assert estimate.upper_seconds == pytest.approx(single.upper_seconds)


def test_a_conversation_given_back_is_not_overtaken_by_its_own_first_arrival() -> None:
    # "c" arrived at minute 0 (its row is among the recent arrivals), an agent took it, and it
    # came back re-queued: the waiting entry has other points than its first arrival. The only
    # other arrival, "vip", outranks a plain entry but not a re-queued one.
    first = entry("c", 0)
    back = replace(entry("c", 0), requeued=True, avoid_agent_id="a")
    again = entry("c", 2, emotion="anger", intensity=1.0)  # it had arrived twice before
    vip = entry("vip", 1, vip=True)
    agents = [agent("a", active=3), agent("b", active=3)]
    for queue in ([back, vip], [vip, entry("c", 2)]):
        batch = wait_estimates(
            queue,
            agents,
            at(3),
            recent_arrivals=[first, again, vip, *queue],
            avg_handle_seconds=300.0,
            rate_window=timedelta(hours=1),
        )
        assert set(batch) == {"c", "vip"}
        for e in queue:
            inputs = wait_inputs(
                e,
                queue,
                agents,
                at(3),
                recent_arrivals=[first, again, vip, *queue],
                avg_handle_seconds=300.0,
                rate_window=timedelta(hours=1),
            )
            single = estimate_wait(inputs)
            estimate = batch[e.conversation_id][1]
            assert single is not None and estimate is not None
            assert estimate.seconds == pytest.approx(single.seconds)
    # Re-queued: first in line, six busy slots, nobody overtakes: one slot must free, 300/6 s.
    batch = wait_estimates(
        [back, vip],
        agents,
        at(3),
        recent_arrivals=[first, again, vip],
        avg_handle_seconds=300.0,
        rate_window=timedelta(hours=1),
    )
    position, estimate = batch["c"]
    assert position == 1 and estimate is not None
    assert estimate.seconds == pytest.approx(50.0)
