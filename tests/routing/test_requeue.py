"""Taking conversations back from agents who went offline, on a break, or silent."""

from __future__ import annotations

from datetime import timedelta

from tandem.routing.policy import (
    HeldConversation,
    RequeueConfig,
    conversations_to_requeue,
    next_assignments,
    queue_order,
    requeued,
)

from .factories import agent, at, entry


def held(cid: str, aid: str, waiting_since_minute: float | None = None) -> HeldConversation:
    return HeldConversation(
        cid, aid, at(waiting_since_minute) if waiting_since_minute is not None else None
    )


def test_offline_agent_loses_all_conversations() -> None:
    decisions = conversations_to_requeue(
        [held("c2", "a"), held("c1", "a"), held("c3", "b")],
        [agent("a", presence="offline"), agent("b")],
        {"a": at(9), "b": at(9)},
        at(10),
    )
    assert [(d.conversation_id, d.reason) for d in decisions] == [
        ("c1", "agent_offline"),
        ("c2", "agent_offline"),
    ]


def test_unknown_agent_counts_as_gone() -> None:
    decisions = conversations_to_requeue([held("c1", "ghost")], [], {}, at(0))
    assert [d.reason for d in decisions] == ["agent_unknown"]


def test_break_requeues_unless_configured_otherwise() -> None:
    agents = [agent("a", presence="break"), agent("b", on_break_until=at(20))]
    conv = [held("c1", "a"), held("c2", "b")]
    assert [d.reason for d in conversations_to_requeue(conv, agents, {}, at(10))] == [
        "agent_on_break",
        "agent_on_break",
    ]
    keep = RequeueConfig(requeue_on_break=False)
    assert conversations_to_requeue(conv, agents, {"a": at(10), "b": at(10)}, at(10), keep) == []


def test_silent_agent_loses_a_conversation_whose_customer_waits_past_the_timeout() -> None:
    agents = [agent("a")]
    last = {"a": at(0)}
    # Customer waiting 6 minutes, agent idle 10: silent.
    assert [
        d.reason for d in conversations_to_requeue([held("c1", "a", 4)], agents, last, at(10))
    ] == ["agent_silent"]
    # Customer waiting only 2 minutes: not yet.
    assert conversations_to_requeue([held("c1", "a", 8)], agents, last, at(10)) == []
    # The agent spoke last: nothing pending.
    assert conversations_to_requeue([held("c1", "a", None)], agents, last, at(10)) == []


def test_an_agent_busy_elsewhere_is_slow_not_gone() -> None:
    decisions = conversations_to_requeue(
        [held("c1", "a", 0)], [agent("a")], {"a": at(9, 30)}, at(10)
    )
    assert decisions == []


def test_no_recorded_activity_falls_back_to_the_customers_wait() -> None:
    conv = [held("c1", "a", 0)]
    assert [d.reason for d in conversations_to_requeue(conv, [agent("a")], {}, at(6))] == [
        "agent_silent"
    ]
    assert conversations_to_requeue(conv, [agent("a")], {}, at(4)) == []


def test_timeout_is_configurable() -> None:
    conv = [held("c1", "a", 0)]
    strict = RequeueConfig(reply_timeout=timedelta(minutes=1))
    assert conversations_to_requeue(conv, [agent("a")], {"a": at(0)}, at(2), strict)
    assert not conversations_to_requeue(conv, [agent("a")], {"a": at(0)}, at(2))


def test_requeued_entry_jumps_the_queue_and_goes_to_someone_else() -> None:
    waiting = [
        entry("angry_vip", 0, emotion="anger", intensity=1.0, vip=True),
        entry("old", -30),
    ]
    back = requeued(entry("dropped", 5), from_agent_id="a")
    assert queue_order([*waiting, back])[0].conversation_id == "dropped"
    pairs = next_assignments([*waiting, back], [agent("a"), agent("b", cap=1)], at(6))
    assert pairs[0] == ("dropped", "b")
