"""Exposure over a rolling window, break suggestions, supervisor alerts, and breaks honoured."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tandem.routing.policy import choose_agent, next_assignments
from tandem.routing.wellbeing import (
    REASON_AT_CAPACITY,
    REASON_CRITICAL,
    REASON_HOSTILE_LOAD,
    REASON_IGNORED,
    ExposureConfig,
    HostileEvent,
    WellbeingConfig,
    exposure_score,
    should_suggest_break,
    supervisor_alerts,
    with_exposure,
)

from .factories import agent, at, entry


def abusive(aid: str, cid: str, minute: float) -> HostileEvent:
    return HostileEvent(aid, cid, at(minute), "abusive")


def angry(aid: str, cid: str, minute: float) -> HostileEvent:
    return HostileEvent(aid, cid, at(minute), "very_angry")


def test_exposure_decays_linearly_out_of_the_window() -> None:
    events = [abusive("a", "c1", 0)]
    assert exposure_score("a", events, at(0)) == pytest.approx(1.0)
    assert exposure_score("a", events, at(60)) == pytest.approx(0.5)
    assert exposure_score("a", events, at(119)) == pytest.approx(1 / 120)
    assert exposure_score("a", events, at(120)) == 0.0
    assert exposure_score("a", events, at(500)) == 0.0


def test_exposure_is_per_agent_and_weighs_kinds() -> None:
    events = [abusive("a", "c1", 0), angry("a", "c2", 0), abusive("b", "c3", 0)]
    assert exposure_score("a", events, at(0)) == pytest.approx(1.6)
    assert exposure_score("b", events, at(0)) == pytest.approx(1.0)
    assert exposure_score("nobody", events, at(0)) == 0.0


def test_a_conversation_counts_once_at_its_latest_and_worst() -> None:
    events = [angry("a", "c1", 0), abusive("a", "c1", 30), angry("a", "c1", 20)]
    # Once, abusive weight, aged from minute 30.
    assert exposure_score("a", events, at(90)) == pytest.approx(1.0 * (1 - 60 / 120))


def test_future_events_count_as_now() -> None:
    assert exposure_score("a", [abusive("a", "c", 10)], at(0)) == pytest.approx(1.0)


def test_window_and_weights_are_configurable() -> None:
    config = ExposureConfig(window=timedelta(minutes=30), abusive_weight=2.0)
    assert exposure_score("a", [abusive("a", "c", 0)], at(15), config) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="abusive"):
        exposure_score("a", [HostileEvent("a", "c", at(0), "rude")], at(0))


def test_with_exposure_fills_agent_states_for_routing() -> None:
    events = [abusive("a1", "c1", 0), abusive("a1", "c2", 10), angry("a2", "c3", 10)]
    agents = with_exposure([agent("a1"), agent("a2")], events, at(10))
    assert agents[0].exposure > agents[1].exposure > 0
    assert choose_agent(entry("h", hostile=True), agents, at(10)) == "a2"


def test_hostile_load_shared_across_a_day() -> None:
    """Feed a stream of hostile conversations through routing, recording each as exposure:
    the load ends up spread evenly rather than on whoever happens to have room."""
    events: list[HostileEvent] = []
    counts = {"a1": 0, "a2": 0, "a3": 0}
    for i in range(30):
        now = at(i * 4)
        agents = with_exposure(
            [agent("a1", active=0), agent("a2", active=1), agent("a3", active=2)], events, now
        )
        chosen = choose_agent(entry(f"h{i}", hostile=True), agents, now)
        assert chosen is not None
        counts[chosen] += 1
        events.append(abusive(chosen, f"h{i}", i * 4))
    assert max(counts.values()) - min(counts.values()) <= 1


def test_break_suggested_after_sustained_hostile_load() -> None:
    events = [abusive("a", f"c{i}", m) for i, m in enumerate((0, 10, 20))]
    advice = should_suggest_break(agent("a"), events, at(25))
    assert advice.suggest and advice.reasons == (REASON_HOSTILE_LOAD,)
    # Two is a bad half hour, not yet sustained.
    assert not should_suggest_break(agent("a"), events[:2], at(25)).suggest
    # The same three, long ago, have faded.
    assert not should_suggest_break(agent("a"), events, at(100)).suggest


def test_break_suggested_after_long_unbroken_time_at_capacity() -> None:
    full_long = agent("a", active=3, at_capacity_since=at(0))
    assert should_suggest_break(full_long, [], at(90)).reasons == (REASON_AT_CAPACITY,)
    assert not should_suggest_break(full_long, [], at(89)).suggest
    # The mark is stale if the agent is no longer at the cap.
    assert not should_suggest_break(
        agent("a", active=2, at_capacity_since=at(0)), [], at(120)
    ).suggest


def test_no_suggestion_to_someone_not_working_or_just_back() -> None:
    events = [abusive("a", f"c{i}", m) for i, m in enumerate((0, 5, 10))]
    assert not should_suggest_break(agent("a", presence="break"), events, at(12)).suggest
    assert not should_suggest_break(agent("a", presence="away"), events, at(12)).suggest
    assert not should_suggest_break(agent("a", on_break_until=at(20)), events, at(12)).suggest
    just_back = agent("a", last_break_end=at(0))
    since_back = [abusive("a", f"d{i}", m) for i, m in enumerate((2, 5, 8, 11))]
    assert not should_suggest_break(just_back, since_back, at(12)).suggest
    assert should_suggest_break(just_back, since_back, at(31)).suggest


def test_critical_load_overrides_the_cooldown() -> None:
    events = [abusive("a", f"c{i}", i) for i in range(5)]
    advice = should_suggest_break(agent("a", last_break_end=at(0)), events, at(5))
    assert advice.suggest and REASON_CRITICAL in advice.reasons


def test_thresholds_are_configurable() -> None:
    events = [abusive("a", "c1", 0)]
    config = WellbeingConfig(hostile_load_threshold=0.9)
    assert should_suggest_break(agent("a"), events, at(0), config).suggest
    assert not should_suggest_break(agent("a"), events, at(0)).suggest


def test_supervisor_is_told_of_every_suggestion_and_escalated_when_ignored() -> None:
    events = [abusive("a", f"c{i}", m) for i, m in enumerate((0, 10, 20))]
    agents = [agent("a"), agent("b"), agent("c", active=3, at_capacity_since=at(0))]
    alerts = supervisor_alerts(agents, events, at(100))
    assert [(x.agent_id, x.level) for x in alerts] == [("c", "notice")]
    alerts = supervisor_alerts(agents, events, at(25))
    assert {x.agent_id for x in alerts} == {"a"}
    assert alerts[0].level == "notice"
    ignored = supervisor_alerts(agents, events, at(25), suggested_since={"a": at(5)})
    assert ignored[0].level == "urgent" and REASON_IGNORED in ignored[0].reasons
    recent = supervisor_alerts(agents, events, at(25), suggested_since={"a": at(20)})
    assert recent[0].level == "notice"


def test_supervisor_alerts_urgent_first_then_most_exposed() -> None:
    events = (
        [abusive("crit", f"x{i}", 0) for i in range(5)]
        + [abusive("hi", f"y{i}", 0) for i in range(3)]
        + [abusive("lo", f"z{i}", 0) for i in range(3)]
        + [angry("hi", "y9", 0)]
    )
    alerts = supervisor_alerts([agent("lo"), agent("hi"), agent("crit")], events, at(1))
    assert [(a.agent_id, a.level) for a in alerts] == [
        ("crit", "urgent"),
        ("hi", "notice"),
        ("lo", "notice"),
    ]


def test_an_agent_on_break_gets_no_new_conversations() -> None:
    """The break is taken: presence says so, or only `on_break_until` does. Either way routing
    passes them over until it ends, and then they are back in the rotation."""
    queue = [entry(f"c{i}", i) for i in range(4)]
    resting = agent("rest", presence="break", on_break_until=at(30))
    lagging = agent("lag", on_break_until=at(30))
    working = agent("work")
    pairs = next_assignments(queue, [resting, lagging, working], at(10))
    assert {aid for _, aid in pairs} == {"work"}
    assert len(pairs) == 3  # the cap; the fourth waits rather than interrupt a break
    after = next_assignments(queue, [agent("rest"), lagging, working], at(31))
    assert {aid for _, aid in after} == {"rest", "lag", "work"}
