"""Who gets the conversation: skills, presence, caps, room, exposure; a whole round."""

from __future__ import annotations

import random
from dataclasses import replace

from tandem.routing.policy import choose_agent, is_available, is_hostile, next_assignments

from .factories import agent, at, entry


def test_only_online_agents_with_the_skill_and_room_are_eligible() -> None:
    e = entry("c1", skill="logistics")
    agents = [
        agent("away", ("logistics",), presence="away"),
        agent("brk", ("logistics",), presence="break"),
        agent("off", ("logistics",), presence="offline"),
        agent("noskill", ("pre_sale",)),
        agent("full", ("logistics",), active=3),
    ]
    assert choose_agent(e, agents, at(0)) is None
    assert choose_agent(e, [*agents, agent("ok", ("logistics",), active=2)], at(0)) == "ok"


def test_default_cap_is_three() -> None:
    a = agent("a", active=0)
    assert a.max_concurrent == 3 and a.room == 3
    assert choose_agent(entry("c"), [agent("a", active=3)], at(0)) is None


def test_a_break_that_has_not_ended_is_honoured_even_if_presence_says_online() -> None:
    on_break = agent("a", on_break_until=at(15))
    assert not is_available(on_break, at(5))
    assert choose_agent(entry("c"), [on_break], at(5)) is None
    assert is_available(on_break, at(15))
    assert choose_agent(entry("c"), [on_break], at(16)) == "a"


def test_ordinary_conversations_go_to_the_most_room() -> None:
    agents = [agent("busy", active=2), agent("free", active=0), agent("mid", active=1)]
    assert choose_agent(entry("c"), agents, at(0)) == "free"


def test_most_room_counts_room_not_load_when_caps_differ() -> None:
    agents = [agent("small", cap=2, active=0), agent("big", cap=5, active=2)]
    assert choose_agent(entry("c"), agents, at(0)) == "big"


def test_hostile_conversations_go_to_the_least_exposed_even_if_busier() -> None:
    agents = [agent("worn", active=0, exposure=3.2), agent("fresh", active=2, exposure=0.4)]
    assert choose_agent(entry("c", hostile=True), agents, at(0)) == "fresh"
    assert choose_agent(entry("c", hostile=False), agents, at(0)) == "worn"


def test_ties_break_deterministically_by_id() -> None:
    agents = [agent("b"), agent("a"), agent("c")]
    assert choose_agent(entry("c"), agents, at(0)) == "a"
    assert choose_agent(entry("c"), list(reversed(agents)), at(0)) == "a"


def test_a_requeued_conversation_does_not_bounce_back_to_the_same_agent() -> None:
    e = entry("c")
    back = replace(e, requeued=True, avoid_agent_id="a")
    assert choose_agent(back, [agent("a"), agent("b", active=2)], at(0)) == "b"
    assert choose_agent(back, [agent("a")], at(0)) is None


def test_round_fills_by_priority_and_respects_caps() -> None:
    queue = [
        entry("calm", 0),
        entry("angry", 1, emotion="anger", intensity=0.9),
        entry("vip", 2, vip=True),
    ]
    pairs = next_assignments(queue, [agent("a1", cap=1), agent("a2", cap=1)], at(2))
    assert [cid for cid, _ in pairs] == ["angry", "vip"]
    assert {aid for _, aid in pairs} == {"a1", "a2"}


def test_round_spreads_load_as_it_goes() -> None:
    queue = [entry(f"c{i}", i) for i in range(4)]
    pairs = next_assignments(queue, [agent("a1"), agent("a2")], at(5))
    per_agent = {aid: sum(1 for _, a in pairs if a == aid) for aid in ("a1", "a2")}
    assert per_agent == {"a1": 2, "a2": 2}


def test_two_hostile_conversations_in_one_round_go_to_different_agents() -> None:
    queue = [entry("h1", 0, hostile=True), entry("h2", 1, hostile=True)]
    agents = [agent("a1", exposure=0.0), agent("a2", exposure=0.5)]
    pairs = dict(next_assignments(queue, agents, at(2)))
    assert pairs == {"h1": "a1", "h2": "a2"}


def test_a_skill_nobody_can_serve_does_not_block_other_skills() -> None:
    queue = [
        entry("vip1", 0, "vip", vip=True, emotion="anger", intensity=1.0),
        entry("l1", 5, "logistics"),
    ]
    pairs = next_assignments(queue, [agent("a1", ("logistics",))], at(6))
    assert pairs == [("l1", "a1")]


def test_each_conversation_is_assigned_at_most_once() -> None:
    pairs = next_assignments([entry("c", 0), entry("c", 0)], [agent("a1"), agent("a2")], at(0))
    assert pairs == [("c", "a1")]


def test_round_is_deterministic_whatever_the_input_order() -> None:
    rng = random.Random(3)
    queue = [
        entry(
            f"c{i}",
            rng.randint(0, 30),
            rng.choice(["after_sale", "pre_sale", "logistics"]),
            emotion=rng.choice(["anger", "anxiety", "neutral"]),
            intensity=rng.random(),
            value_cents=rng.randint(0, 10**6),
            hostile=rng.random() < 0.3,
        )
        for i in range(40)
    ]
    agents = [
        agent(
            f"a{i}",
            tuple(rng.sample(["after_sale", "pre_sale", "logistics"], 2)),
            exposure=rng.random() * 3,
            active=rng.randint(0, 2),
        )
        for i in range(6)
    ]
    first = next_assignments(queue, agents, at(40))
    for _ in range(5):
        rng.shuffle(queue)
        rng.shuffle(agents)
        assert next_assignments(queue, agents, at(40)) == first
    # Never beyond anyone's cap, never outside their skills.
    by_id = {a.agent_id: a for a in agents}
    skill_of = {e.conversation_id: e.skill for e in queue}
    for aid, a in by_id.items():
        assert a.active + sum(1 for _, x in first if x == aid) <= a.max_concurrent
    assert all(skill_of[cid] in by_id[aid].skills for cid, aid in first)


def test_hostile_means_abusive_or_very_angry() -> None:
    assert is_hostile("neutral", 0.0, abusive=True)
    assert is_hostile("anger", 0.7, abusive=False)
    assert not is_hostile("anger", 0.69, abusive=False)
    assert not is_hostile("anxiety", 1.0, abusive=False)
    assert is_hostile("anger", 0.5, abusive=False, very_angry_at=0.5)


def test_an_entry_avoiding_the_only_agent_does_not_block_its_skill_queue() -> None:
    back = replace(entry("back", 0), requeued=True, avoid_agent_id="a")
    pairs = next_assignments([back, entry("next", 1)], [agent("a")], at(2))
    assert pairs == [("next", "a")]
