"""Queue order: emotion, order value, tier and waiting time; aging so nobody starves."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from tandem.routing.policy import (
    DEFAULT_PRIORITY,
    PriorityConfig,
    next_assignments,
    position_in_queue,
    priority,
    queue_order,
    queues_by_skill,
    rank_score,
    static_points,
)

from .factories import agent, at, entry


def test_calm_cheap_newcomer_scores_zero() -> None:
    assert priority(entry("a"), at(0)) == 0.0


def test_anger_outranks_anxiety_outranks_calm_and_scales_with_intensity() -> None:
    calm = entry("calm")
    anxious = entry("anx", emotion="anxiety", intensity=0.8)
    angry = entry("ang", emotion="anger", intensity=0.8)
    mildly = entry("mild", emotion="anger", intensity=0.2)
    scores = [priority(e, at(0)) for e in (calm, mildly, anxious, angry)]
    assert scores == sorted(scores)
    assert len(set(scores)) == 4


def test_intensity_is_clamped() -> None:
    assert static_points(entry("x", emotion="anger", intensity=7.0)) == static_points(
        entry("y", emotion="anger", intensity=1.0)
    )
    assert static_points(entry("z", emotion="anger", intensity=-1.0)) == 0.0


def test_order_value_raises_priority_with_diminishing_steps_and_a_cap() -> None:
    small = static_points(entry("s", value_cents=10_00))
    mid = static_points(entry("m", value_cents=1_000_00))
    big = static_points(entry("b", value_cents=5_000_00))
    huge = static_points(entry("h", value_cents=10**12))
    assert 0 < small < mid < big <= huge == DEFAULT_PRIORITY.value_points_cap
    assert static_points(entry("neg", value_cents=-500)) == 0.0


def test_vip_tier_adds_points() -> None:
    assert static_points(entry("v", vip=True)) - static_points(entry("n")) == pytest.approx(
        DEFAULT_PRIORITY.vip_points
    )


def test_waiting_raises_priority_linearly() -> None:
    e = entry("a", minute=0)
    assert priority(e, at(10)) - priority(e, at(0)) == pytest.approx(
        10 * DEFAULT_PRIORITY.aging_points_per_minute
    )
    assert priority(e, at(-5)) == priority(e, at(0))  # clock skew never lowers it


def test_requeued_goes_to_the_front_even_against_old_angry_vips() -> None:
    old_vip = entry("vip", minute=0, emotion="anger", intensity=1.0, vip=True, value_cents=10**9)
    back = entry("back", minute=59, requeued=True)
    assert [e.conversation_id for e in queue_order([old_vip, back])] == ["back", "vip"]


def test_rank_score_orders_like_priority_at_every_moment() -> None:
    entries = [
        entry("a", 0),
        entry("b", 3, emotion="anger", intensity=0.9),
        entry("c", 5, vip=True),
        entry("d", 7, value_cents=500_000),
        entry("e", 8, emotion="anxiety", intensity=0.5),
        entry("f", 30),
    ]
    for minute in (30, 45, 90, 600):
        by_priority = sorted(entries, key=lambda e: -priority(e, at(minute)))
        by_rank = sorted(entries, key=lambda e: -rank_score(e))
        assert [e.conversation_id for e in by_priority] == [e.conversation_id for e in by_rank]


def test_ties_are_first_come_first_served_then_by_id() -> None:
    order = queue_order([entry("z", 1), entry("b", 0), entry("a", 0)])
    assert [e.conversation_id for e in order] == ["a", "b", "z"]


def test_one_queue_per_skill_and_positions_within_it() -> None:
    entries = [
        entry("l1", 0, "logistics"),
        entry("a1", 1),
        entry("a2", 2, emotion="anger", intensity=1.0),
        entry("p1", 3, "pre_sale"),
    ]
    queues = queues_by_skill(entries)
    assert {k: [e.conversation_id for e in v] for k, v in queues.items()} == {
        "logistics": ["l1"],
        "after_sale": ["a2", "a1"],
        "pre_sale": ["p1"],
    }
    assert position_in_queue("a1", entries) == 2
    assert position_in_queue("p1", entries) == 1
    assert position_in_queue("missing", entries) is None


def test_starvation_bound_follows_the_config() -> None:
    config = PriorityConfig(aging_points_per_minute=10.0)
    assert config.starvation_bound.total_seconds() == pytest.approx(
        config.max_static_points / 10.0 * 60
    )


def test_a_low_priority_entry_is_served_before_later_high_priority_arrivals() -> None:
    """Overload: one slot frees a minute while two maximum-priority customers (furious VIPs
    with huge orders) arrive every minute. The calm, cheap customer who came first still gets
    served, and before every high-priority customer who arrived more than the starvation bound
    after them; only those who came within the bound may go first."""
    calm = entry("calm", 0)
    queue = [calm]
    served: list[str] = []
    bound = DEFAULT_PRIORITY.starvation_bound.total_seconds() / 60
    arrived: dict[str, float] = {"calm": 0}
    for minute in itertools.count(1):
        for k in range(2):
            cid = f"hot{minute:03d}{k}"
            arrived[cid] = minute
            queue.append(
                entry(cid, minute, emotion="anger", intensity=1.0, vip=True, value_cents=10**12)
            )
        pairs = next_assignments(queue, [agent("a1", cap=1)], at(minute))
        assert len(pairs) == 1
        served.append(pairs[0][0])
        queue = [e for e in queue if e.conversation_id != pairs[0][0]]
        if served[-1] == "calm":
            break
        assert minute < 500, "the calm customer starved"
    before_calm = served[:-1]
    assert before_calm, "the scenario must actually make the calm customer wait"
    assert all(arrived[cid] <= bound for cid in before_calm)
    assert any(arrived[e.conversation_id] > bound for e in queue)


def test_points_kept_on_an_entry_are_its_own_and_the_default_configs_only() -> None:
    angry = entry("k", emotion="anger", intensity=0.5)
    assert static_points(angry) == 20.0  # 40 points at intensity 1.0, half of it
    assert static_points(angry) == 20.0  # kept: the same figure read back
    minutes = at(0).timestamp() / 60
    assert rank_score(angry) == pytest.approx(20.0 - 5.0 * minutes)
    # Another config is computed afresh, not served the default's kept figure ...
    assert static_points(angry, PriorityConfig(anger_points=10.0)) == 5.0
    # ... and a changed entry (a new value) has its own points.
    calmer = replace(angry, emotion_intensity=0.25)
    assert static_points(calmer) == 10.0
    # The kept figures are no field: equality and the representation ignore them.
    assert angry == entry("k", emotion="anger", intensity=0.5)
    assert "_static_points" not in repr(angry)
