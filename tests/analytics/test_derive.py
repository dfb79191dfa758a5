"""The pure definitions (derive.py) on single conversations, answers worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tandem.analytics.derive import (
    ConversationIn,
    DecisionIn,
    EventIn,
    QueueIn,
    category_of,
    derive,
)
from tandem.analytics.refresh import _split_hours
from tandem.analytics.seed import Story

T0 = datetime(2026, 11, 23, 2, 50, tzinfo=UTC)


def conv(s: Story) -> ConversationIn:
    return ConversationIn(
        s.id,
        s.customer_id,
        s.callback_at,
        [EventIn(e["seq"], e["type"], e["data"], e["created_at"]) for e in s.events],
        [
            DecisionIn(
                d["message_id"], d["action"], d["rule"], d["intent"], d["handoff_reason"], d["data"]
            )
            for d in s.decisions
        ],
        [QueueIn(q["skill"], q["enqueued_at"], q["first_estimate_seconds"]) for q in s.queue],
    )


def test_a_return_after_resolution_is_a_second_episode() -> None:
    s = Story("R", T0).customer(0, "refund", action="hand_off", handoff_reason="complaint")
    s.queued(1, "complaint").assigned(61, "a1").agent(90, "a1").resolved(660, "a1")
    # Two hours later the customer writes again about the same refund: a new episode, which
    # the AI answers; the first was a person's, so it was never "resolved by the AI".
    s.returned(7800).customer(7800, "refund").bot(7802)
    d = derive(conv(s), T0 + timedelta(days=3))
    assert [e.n for e in d.episodes] == [1, 2]
    first, second = d.episodes
    assert (first.category, first.wait_seconds, first.handling_seconds) == ("emotion", 60.0, 599.0)
    assert first.ai_resolved is False and first.closed_by == "a1"
    assert second.handed_off is False and second.ai_resolved is True
    assert second.first_ai_seconds == 2.0
    # Held 02:51:01 to 03:01:00 (599 s), split at the hour: 539 s in 02:00, 60 s in 03:00.
    assert [(h.agent_id, (h.end - h.start).total_seconds()) for h in d.held] == [("a1", 599.0)]
    pieces = list(_split_hours(d.held[0].start, d.held[0].end))
    assert [(p[0].hour, p[1]) for p in pieces] == [(2, 539.0), (3, 60.0)]


def test_open_episodes_settle_later() -> None:
    s = Story("O", T0).customer(0, "coupon").bot(1)
    d = derive(conv(s), T0 + timedelta(minutes=5))
    ep = d.episodes[0]
    assert (ep.ended, ep.ai_resolved) == (False, None)
    assert d.settles_at == T0 + timedelta(seconds=1, minutes=30)
    d = derive(conv(s), T0 + timedelta(hours=1))
    assert (d.episodes[0].ended, d.episodes[0].ai_resolved) == (True, None)
    assert d.settles_at == T0 + timedelta(hours=24)


def test_a_ticket_answered_in_time_is_no_dead_end() -> None:
    s = Story("T", T0, callback_at=T0 + timedelta(hours=1))
    s.customer(0, "human", action="hand_off", handoff_reason="customer_request")
    s.queued(1, "customer_request", ticket=True).assigned(1800, "a2").agent(1900, "a2")
    ep = derive(conv(s), T0 + timedelta(days=1)).episodes[0]
    assert (ep.ticket, ep.callback_missed, ep.dead_end, ep.asked_person) == (
        True,
        False,
        False,
        True,
    )
    late = Story("L", T0, callback_at=T0 + timedelta(hours=1))
    late.customer(0, "human", action="hand_off", handoff_reason="customer_request")
    late.queued(1, "customer_request", ticket=True).assigned(3000, "a2").agent(3700, "a2")
    ep = derive(conv(late), T0 + timedelta(days=1)).episodes[0]
    # Answered at 61:40, after the 60:00 promised: a dead end although a person came.
    assert (ep.callback_missed, ep.dead_end) == (True, True)


def test_unknown_reasons_are_other() -> None:
    assert category_of("something_new") == "other"
    assert category_of(None) == "other"
    assert category_of("out_of_scope") == "low_confidence"
