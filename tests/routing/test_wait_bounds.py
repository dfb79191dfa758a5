"""`wait_estimates(settled=...)`: the cheap bounds it offers hold the exact estimate between
them, an entry the caller calls settled is left out, and every other entry gets exactly the
figures it gets without the hook (announcements rely on all three)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.routing.policy import AgentState, QueueEntry, wait_estimates

from .factories import agent, at, entry
from .test_newcomer_wait import AGENT, ENTRY

WINDOW = timedelta(hours=1)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(ENTRY, max_size=30, unique_by=lambda e: e.conversation_id),
    st.lists(AGENT, max_size=6, unique_by=lambda a: a.agent_id),
    st.lists(ENTRY, max_size=30),
    st.floats(30, 900),
    st.booleans(),
    st.randoms(use_true_random=False),
)
def test_bounds_hold_and_unsettled_entries_are_exact(
    queue: list[QueueEntry],
    agents: list[AgentState],
    recent: list[QueueEntry],
    handle: float,
    competition: bool,
    rng: object,
) -> None:
    kwargs = {
        "recent_arrivals": [*recent, *queue],
        "avg_handle_seconds": handle,
        "rate_window": WINDOW,
        "count_competition": competition,
    }
    full = wait_estimates(queue, agents, at(0), **kwargs)  # type: ignore[arg-type]
    bounds: dict[str, tuple[int, float, float]] = {}
    chosen: set[str] = set()

    def settled(cid: str, position: int, low: float, high: float) -> bool:
        bounds[cid] = (position, low, high)
        if rng.random() < 0.5:  # type: ignore[attr-defined]
            chosen.add(cid)
            return True
        return False

    some = wait_estimates(queue, agents, at(0), settled=settled, **kwargs)  # type: ignore[arg-type]
    for cid, (position, low, high) in bounds.items():
        full_position, est = full[cid]
        assert est is not None  # asked only when someone with the skill is on duty
        assert position == full_position
        assert low <= est.seconds <= high
    assert set(some) == set(full) - chosen
    assert all(some[cid] == full[cid] for cid in some)


def test_the_bounds_of_a_customer_an_angry_newcomer_may_overtake() -> None:
    # One agent, 3 slots, all busy; handling 300 s: a slot frees every 100 s. The calm
    # customer is first in line: without overtaking (0 + 1) * 100 = 100 s. In the last hour
    # 12 angry customers arrived (40 points each): each would outrank a calm one for
    # 40 points / 5 points a minute = 480 s. At most all of them for their whole horizon:
    # 12 / 3600 s * 480 s = 1.6 more ahead, 160 s more: 260 s.
    calm = entry("calm", 0)
    angry = [entry(f"a{i}", -i, emotion="anger", intensity=1.0) for i in range(12)]
    agents = [agent("x", cap=3, active=3)]
    seen: dict[str, tuple[float, float]] = {}

    def settled(cid: str, position: int, low: float, high: float) -> bool:
        seen[cid] = (low, high)
        return True

    assert (
        wait_estimates(
            [calm],
            agents,
            at(0),
            recent_arrivals=angry,
            avg_handle_seconds=300,
            rate_window=WINDOW,
            settled=settled,
        )
        == {}
    )
    low, high = seen["calm"]
    assert abs(low - 100) < 1e-6 and abs(high - 260) < 1e-6
