"""The newcomer's place and wait (the queue facts a turn decides with) computed for the
newcomer alone, against the definition: `wait_estimates` over the whole desk pooled under one
skill, as it was computed before (a copy of every entry, an estimate for everyone)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.routing.entries import ENTRY_COLUMNS, entry_of, entry_of_columns
from tandem.routing.policy import (
    NEWCOMER_ID,
    QueueEntry,
    pooled_newcomer_wait,
    wait_estimates,
)

from .factories import agent, at, entry

WINDOW = timedelta(hours=1)

ENTRY = st.builds(
    lambda i, minute, skill, emotion, intensity, cents, vip, requeued: entry(
        f"c{i}",
        minute,
        skill,
        emotion=emotion,
        intensity=intensity,
        value_cents=cents,
        vip=vip,
        requeued=requeued,
    ),
    st.integers(0, 40),
    st.floats(-90, 0),
    st.sampled_from(["after_sale", "pre_sale", "logistics"]),
    st.sampled_from(["neutral", "anger", "anxiety", "sadness"]),
    st.floats(0, 1),
    st.integers(0, 10**7),
    st.booleans(),
    st.booleans(),
)
AGENT = st.builds(
    lambda i, skills, presence, cap, active: agent(
        f"a{i}", tuple(skills), presence=presence, cap=cap, active=min(active, cap)
    ),
    st.integers(0, 9),
    st.lists(st.sampled_from(["after_sale", "pre_sale", "logistics"]), min_size=1, max_size=3),
    st.sampled_from(["online", "online", "away", "offline"]),
    st.integers(0, 4),
    st.integers(0, 4),
)


def pooled_by_definition(
    queue: list[QueueEntry], agents: list, recent: list[QueueEntry], handle: float
) -> tuple[int, object]:
    now = at(0)
    pooled = [replace(e, skill="*", language=None) for e in queue]
    newcomer = QueueEntry(conversation_id=NEWCOMER_ID, skill="*", enqueued_at=now)
    result = wait_estimates(
        [*pooled, newcomer],
        [replace(a, skills=frozenset({"*"})) for a in agents],
        now,
        recent_arrivals=[replace(e, skill="*") for e in recent],
        avg_handle_seconds=handle,
        rate_window=WINDOW,
    )
    return result[NEWCOMER_ID]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(ENTRY, max_size=25, unique_by=lambda e: e.conversation_id),
    st.lists(AGENT, max_size=6, unique_by=lambda a: a.agent_id),
    st.lists(ENTRY, max_size=25),
    st.floats(30, 900),
)
def test_the_newcomer_alone_gets_the_pooled_figures(
    queue: list[QueueEntry], agents: list, recent: list[QueueEntry], handle: float
) -> None:
    got = pooled_newcomer_wait(
        queue,
        agents,
        at(0),
        recent_arrivals=[*recent, *queue],
        avg_handle_seconds=handle,
        rate_window=WINDOW,
    )
    assert got == pooled_by_definition(queue, agents, [*recent, *queue], handle)


def test_a_newcomer_behind_an_angry_customer_and_ahead_of_nobody() -> None:
    # Three waiting: an angry customer who just came (40 points) and two calm ones 2 and 1
    # minutes in (10 and 5 points of aging). A calm newcomer now has 0 points: fourth.
    queue = [
        entry("angry", 0, emotion="anger", intensity=1.0),
        entry("calm2", -2),
        entry("calm1", -1),
    ]
    agents = [agent("a1", cap=3, active=0), agent("a2", cap=3, active=3)]
    position, est = pooled_newcomer_wait(
        queue, agents, at(0), recent_arrivals=[], avg_handle_seconds=300, rate_window=WINDOW
    )
    assert position == 4
    assert est is not None
    # 3 before it, 3 free slots (a1's): none ahead beyond them; mean = (0 + 1) * 300 s over
    # 6 slots on duty = 50 s.
    assert est.seconds == 50.0


def test_a_row_read_as_columns_is_the_same_entry() -> None:
    class Row(tuple):  # type: ignore[type-arg]
        def __getattr__(self, name: str) -> object:
            return self[[c.key for c in ENTRY_COLUMNS].index(name)]

    values = ("q1", "c1", "pre_sale", at(-3), "anger", 0.7, 129900, True, True, False, "a1", "en")
    row = Row(values)
    assert entry_of_columns(row) == entry_of(row)
    assert entry_of_columns(row).avoid_agent_id == "a1" and entry_of_columns(row).language == "en"
