"""The routing rules under random sequences of what happens on a desk at peak (hypothesis):
arrivals, rounds, claims, caps, breaks, offline, re-queueing of silent agents, transfers,
escalations, resolves and time passing. After every step: nothing raises, every waiting
conversation has exactly one place (1..n in its skill queue) and one wait, nobody holds a
conversation twice or above their cap because of a round, and nothing is lost.

The model here is the bookkeeping the service does on the database (`routing/assignment.py`);
`tests/desk/test_routing_properties_db.py` drives the service itself."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.routing.policy import (
    AgentState,
    HeldConversation,
    QueueEntry,
    conversations_to_requeue,
    estimate_wait,
    is_available,
    next_assignments,
    requeued,
    speaks,
    wait_estimates,
    wait_inputs,
)

from .factories import T0

SKILLS = ("after_sale", "pre_sale", "logistics", "supervisor")
EXAMPLES = 100  # sequences per run; each up to 40 steps

AGENT_SKILLS = st.frozensets(st.sampled_from(SKILLS), max_size=3)
STEP = st.one_of(
    st.tuples(
        st.just("arrive"),
        st.sampled_from(SKILLS[:3]),
        st.sampled_from(["neutral", "anger", "anxiety"]),
        st.floats(0, 1),
        st.booleans(),
        st.integers(0, 10**6),
        st.sampled_from([None, "zh", "en"]),
    ),
    st.tuples(st.just("round")),
    st.tuples(st.just("claim"), st.integers(0, 2), st.integers(0, 20)),
    st.tuples(st.just("cap"), st.integers(0, 2), st.integers(1, 4)),
    st.tuples(
        st.just("presence"),
        st.integers(0, 2),
        st.sampled_from(["online", "away", "break", "offline"]),
        st.integers(1, 30),
    ),
    st.tuples(
        st.just("silent"),
    ),
    st.tuples(st.just("transfer"), st.integers(0, 20), st.sampled_from([None, *SKILLS[:3]])),
    st.tuples(st.just("escalate"), st.integers(0, 20)),
    st.tuples(st.just("resolve"), st.integers(0, 20)),
    st.tuples(st.just("tick"), st.integers(1, 30)),
)


@dataclass
class Desk:
    agents: dict[str, AgentState]
    now: datetime = T0
    queue: dict[str, QueueEntry] = field(default_factory=dict)
    held: dict[str, str] = field(default_factory=dict)  # conversation -> agent
    resolved: set[str] = field(default_factory=set)
    arrivals: list[QueueEntry] = field(default_factory=list)  # every row ever enqueued
    created: int = 0
    last_activity: dict[str, datetime] = field(default_factory=dict)
    awaiting: dict[str, datetime] = field(default_factory=dict)  # held -> customer waiting since

    def states(self) -> list[AgentState]:
        load = Counter(self.held.values())
        return [replace(a, active=load[a.agent_id]) for a in self.agents.values()]

    def pick(self, pool: list[str], k: int) -> str | None:
        return sorted(pool)[k % len(pool)] if pool else None

    def enqueue(self, entry: QueueEntry) -> None:
        self.queue[entry.conversation_id] = entry
        self.arrivals.append(entry)

    def give_back(self, cid: str, skill: str | None = None) -> None:
        agent = self.held.pop(cid)
        self.awaiting.pop(cid, None)
        first = next(e for e in self.arrivals if e.conversation_id == cid)
        entry = replace(first, skill=skill or first.skill)
        self.enqueue(requeued(entry, agent))

    def take(self, cid: str, agent: str) -> None:
        del self.queue[cid]
        self.held[cid] = agent
        self.awaiting[cid] = self.now
        self.last_activity[agent] = self.now


def apply(desk: Desk, step: tuple[object, ...]) -> None:
    kind = step[0]
    if kind == "arrive":
        _, skill, emotion, intensity, vip, value, language = step
        cid = f"c{desk.created:03d}"
        desk.created += 1
        desk.enqueue(
            QueueEntry(
                conversation_id=cid,
                skill=str(skill),
                enqueued_at=desk.now,
                emotion=str(emotion),
                emotion_intensity=float(intensity),  # type: ignore[arg-type]
                order_value_cents=int(value),  # type: ignore[call-overload]
                vip=bool(vip),
                hostile=emotion == "anger" and float(intensity) >= 0.6,  # type: ignore[arg-type]
                language=language,  # type: ignore[arg-type]
            )
        )
    elif kind == "round":
        before = Counter(desk.held.values())
        pairs = next_assignments(desk.queue.values(), desk.states(), desk.now)
        assert len({c for c, _ in pairs}) == len(pairs), "a conversation given twice"
        for cid, agent in pairs:
            assert cid in desk.queue
            entry = desk.queue[cid]
            state = desk.agents[agent]
            assert is_available(state, desk.now) and entry.skill in state.skills
            assert speaks(state, entry.language) and agent != entry.avoid_agent_id
            desk.take(cid, agent)
        after = Counter(desk.held.values())
        for agent, n in after.items():
            if n > before[agent]:
                assert n <= desk.agents[agent].max_concurrent, "a round went over a cap"
    elif kind == "claim":
        _, a, k = step
        agent = sorted(desk.agents)[int(a)]  # type: ignore[call-overload]
        cid = desk.pick(list(desk.queue), int(k))  # type: ignore[call-overload]
        state = next(s for s in desk.states() if s.agent_id == agent)
        if cid is not None and desk.queue[cid].skill in state.skills and state.room > 0:
            desk.take(cid, agent)
    elif kind == "cap":
        _, a, n = step
        agent = sorted(desk.agents)[int(a)]  # type: ignore[call-overload]
        desk.agents[agent] = replace(desk.agents[agent], max_concurrent=int(n))  # type: ignore[call-overload]
    elif kind == "presence":
        _, a, presence, minutes = step
        agent = sorted(desk.agents)[int(a)]  # type: ignore[call-overload]
        until = desk.now + timedelta(minutes=int(minutes)) if presence == "break" else None  # type: ignore[call-overload]
        desk.agents[agent] = replace(
            desk.agents[agent], presence=str(presence), on_break_until=until
        )
        desk.last_activity[agent] = desk.now
    elif kind == "silent":
        desk.now += timedelta(minutes=6)
    elif kind in ("transfer", "escalate", "resolve"):
        cid = desk.pick(list(desk.held), int(step[1]))  # type: ignore[call-overload]
        if cid is None:
            return
        if kind == "resolve":
            del desk.held[cid]
            desk.awaiting.pop(cid, None)
            desk.resolved.add(cid)
        else:
            skill = "supervisor" if kind == "escalate" else step[2]
            desk.give_back(cid, skill)  # type: ignore[arg-type]
    elif kind == "tick":
        desk.now += timedelta(minutes=int(step[1]))  # type: ignore[call-overload]
    # What the service does at the start of every round: breaks that ended are over, and
    # conversations of agents who left or stopped answering go back to the front.
    for agent, state in list(desk.agents.items()):
        if state.on_break_until is not None and state.on_break_until <= desk.now:
            desk.agents[agent] = replace(state, presence="online", on_break_until=None)
    decisions = conversations_to_requeue(
        [HeldConversation(c, a, desk.awaiting.get(c)) for c, a in desk.held.items()],
        desk.states(),
        desk.last_activity,
        desk.now,
    )
    for d in decisions:
        desk.give_back(d.conversation_id)


def check(desk: Desk) -> None:
    everyone = {f"c{i:03d}" for i in range(desk.created)}
    queued, held, resolved = set(desk.queue), set(desk.held), desk.resolved
    assert queued | held | resolved == everyone, "a conversation was lost"
    assert not (queued & held or queued & resolved or held & resolved), "in two places"
    kwargs = {
        "recent_arrivals": desk.arrivals,
        "avg_handle_seconds": 300.0,
        "rate_window": timedelta(hours=1),
    }
    states = desk.states()
    batch = wait_estimates(desk.queue.values(), states, desk.now, **kwargs)  # type: ignore[arg-type]
    assert set(batch) == queued, "every waiting conversation has one place and one wait"
    by_skill: dict[str, list[int]] = {}
    for cid, (position, estimate) in batch.items():
        by_skill.setdefault(desk.queue[cid].skill, []).append(position)
        skill = desk.queue[cid].skill
        staffed = any(is_available(a, desk.now) and skill in a.skills for a in states)
        assert (estimate is not None) == staffed
        if estimate is not None:
            assert math.isfinite(estimate.seconds) and estimate.seconds >= 0
            assert estimate.seconds <= estimate.upper_seconds + 1e-6
            single = estimate_wait(
                wait_inputs(desk.queue[cid], desk.queue.values(), states, desk.now, **kwargs)  # type: ignore[arg-type]
            )
            assert single is not None
            assert math.isclose(single.seconds, estimate.seconds, rel_tol=1e-9, abs_tol=1e-6)
    for positions in by_skill.values():
        assert sorted(positions) == list(range(1, len(positions) + 1))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    skills=st.lists(AGENT_SKILLS, min_size=3, max_size=3),
    caps=st.lists(st.integers(1, 3), min_size=3, max_size=3),
    steps=st.lists(STEP, max_size=40),
)
def test_random_desk_days_keep_every_invariant(
    skills: list[frozenset[str]], caps: list[int], steps: list[tuple[object, ...]]
) -> None:
    agents = {
        f"a{i}": AgentState(agent_id=f"a{i}", presence="online", skills=s, max_concurrent=c)
        for i, (s, c) in enumerate(zip(skills, caps, strict=True))
    }
    desk = Desk(agents)
    for step in steps:
        apply(desk, step)
        check(desk)
