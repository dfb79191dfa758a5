"""Protecting the agents: hostile-load exposure, break suggestions, supervisor alerts. Pure.

Exposure is the hostile load an agent carried recently: every abusive or very angry
conversation they handled adds a weight that fades linearly to nothing over a rolling window
(two hours by default), so an agent who took three abusive customers this morning is not still
"exposed" in the afternoon, while one who took three in the last half hour clearly is. Routing
reads it to send the next hostile conversation to the least exposed agent; the rules below read
it to suggest a break and to tell a supervisor.

Nothing here forces a break: the desk suggests it, the supervisor is told, and once the agent
takes it (presence "break", `on_break_until`) `policy.choose_agent` gives them nothing new.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from tandem.routing.policy import AgentState, is_available

KIND_ABUSIVE = "abusive"
KIND_VERY_ANGRY = "very_angry"


@dataclass(frozen=True)
class HostileEvent:
    """An agent handled a conversation that was abusive or very angry, at `at`."""

    agent_id: str
    conversation_id: str
    at: datetime
    kind: str  # KIND_ABUSIVE | KIND_VERY_ANGRY


@dataclass(frozen=True)
class ExposureConfig:
    window: timedelta = timedelta(hours=2)
    abusive_weight: float = 1.0
    very_angry_weight: float = 0.6

    def weight(self, kind: str) -> float:
        if kind == KIND_ABUSIVE:
            return self.abusive_weight
        if kind == KIND_VERY_ANGRY:
            return self.very_angry_weight
        raise ValueError(f"unknown hostile event kind {kind!r}: use 'abusive' or 'very_angry'")


@dataclass(frozen=True)
class WellbeingConfig:
    exposure: ExposureConfig = field(default_factory=ExposureConfig)
    # About three abusive conversations within half an hour, or five spread over two hours.
    hostile_load_threshold: float = 2.5
    # Beyond this, tell the supervisor at once even without a break suggestion pending long.
    critical_exposure: float = 4.0
    long_at_capacity: timedelta = timedelta(minutes=90)
    # Right after a break, only a critical hostile load brings another suggestion.
    cooldown_after_break: timedelta = timedelta(minutes=30)
    # A suggested break not taken after this long escalates the supervisor alert.
    suggestion_ignored_after: timedelta = timedelta(minutes=15)


DEFAULT_WELLBEING = WellbeingConfig()

REASON_HOSTILE_LOAD = "sustained_hostile_load"
REASON_AT_CAPACITY = "long_at_capacity"
REASON_CRITICAL = "critical_hostile_load"
REASON_IGNORED = "break_suggestion_not_taken"


def exposure_score(
    agent_id: str,
    events: Iterable[HostileEvent],
    now: datetime,
    config: ExposureConfig = ExposureConfig(),  # noqa: B008 - frozen, shared safely
) -> float:
    """Sum over the agent's hostile conversations of weight × (1 − age / window).

    A conversation counts once, at its latest event and its worst kind, however many hostile
    messages it had; events in the future (clock skew) count as happening now.
    """
    window = config.window.total_seconds()
    latest: dict[str, tuple[datetime, float]] = {}
    for event in events:
        if event.agent_id != agent_id:
            continue
        weight = config.weight(event.kind)
        previous = latest.get(event.conversation_id)
        if previous is None:
            latest[event.conversation_id] = (event.at, weight)
        else:
            latest[event.conversation_id] = (max(previous[0], event.at), max(previous[1], weight))
    score = 0.0
    for at, weight in latest.values():
        age = max(0.0, (now - at).total_seconds())
        if age < window:
            score += weight * (1 - age / window)
    return score


@dataclass(frozen=True)
class BreakAdvice:
    suggest: bool
    reasons: tuple[str, ...]
    exposure: float


def should_suggest_break(
    agent: AgentState,
    events: Iterable[HostileEvent],
    now: datetime,
    config: WellbeingConfig = DEFAULT_WELLBEING,
) -> BreakAdvice:
    """Whether the desk should suggest a break to this agent now, and why.

    Suggested after sustained hostile load (exposure at or above `hostile_load_threshold`) or
    after `long_at_capacity` unbroken at the concurrency cap. Never to an agent who is not
    working (on break, away, offline), and within `cooldown_after_break` of the last break only
    for a critical hostile load.
    """
    exposure = exposure_score(agent.agent_id, events, now, config.exposure)
    if not is_available(agent, now):
        return BreakAdvice(False, (), exposure)
    reasons: list[str] = []
    if exposure >= config.critical_exposure:
        reasons.append(REASON_CRITICAL)
    elif exposure >= config.hostile_load_threshold:
        reasons.append(REASON_HOSTILE_LOAD)
    if (
        agent.at_capacity_since is not None
        and agent.active >= agent.max_concurrent
        and now - agent.at_capacity_since >= config.long_at_capacity
    ):
        reasons.append(REASON_AT_CAPACITY)
    recently_rested = (
        agent.last_break_end is not None
        and now - agent.last_break_end < config.cooldown_after_break
    )
    if recently_rested and REASON_CRITICAL not in reasons:
        return BreakAdvice(False, (), exposure)
    return BreakAdvice(bool(reasons), tuple(reasons), exposure)


@dataclass(frozen=True)
class SupervisorAlert:
    agent_id: str
    level: str  # "notice" | "urgent"
    reasons: tuple[str, ...]
    exposure: float


def supervisor_alerts(
    agents: Iterable[AgentState],
    events: Iterable[HostileEvent],
    now: datetime,
    suggested_since: Mapping[str, datetime] | None = None,
    config: WellbeingConfig = DEFAULT_WELLBEING,
) -> list[SupervisorAlert]:
    """The alerts a supervisor should see now, one per agent who needs attention.

    Every break suggestion is also a *notice* to the supervisor. It becomes *urgent* when the
    hostile load is critical or when the suggestion (`suggested_since`, kept by the caller) has
    not been taken for `suggestion_ignored_after`: the agent may be unable to step away and a
    supervisor should take some of the load. This is the current state; the caller sends a
    message when an agent's alert appears or its level rises, not on every call.
    Ordered urgent first, then by exposure (highest first), then agent id.
    """
    events = list(events)
    suggested_since = suggested_since or {}
    alerts: list[SupervisorAlert] = []
    for agent in agents:
        advice = should_suggest_break(agent, events, now, config)
        if not advice.suggest:
            continue
        reasons = list(advice.reasons)
        since = suggested_since.get(agent.agent_id)
        if since is not None and now - since >= config.suggestion_ignored_after:
            reasons.append(REASON_IGNORED)
        urgent = REASON_CRITICAL in reasons or REASON_IGNORED in reasons
        alerts.append(
            SupervisorAlert(
                agent.agent_id, "urgent" if urgent else "notice", tuple(reasons), advice.exposure
            )
        )
    return sorted(alerts, key=lambda a: (a.level != "urgent", -a.exposure, a.agent_id))


def with_exposure(
    agents: Iterable[AgentState],
    events: Iterable[HostileEvent],
    now: datetime,
    config: ExposureConfig = ExposureConfig(),  # noqa: B008 - frozen, shared safely
) -> list[AgentState]:
    """The agents with `exposure` filled in from the events, ready for `choose_agent`."""
    events = list(events)
    return [replace(a, exposure=exposure_score(a.agent_id, events, now, config)) for a in agents]


# Where a conversation goes once it is flagged for repeated abuse (the policy's `abuse_limit`
# reached, `[engine]` in the shop's policy file): "flagged and routed to a supervisor".
MOVE_KEEP = "keep"
MOVE_TO_SUPERVISORS = "to_supervisors"
SUPERVISOR_ROLES = frozenset({"supervisor", "admin"})


def flagged_move(state: str, owner_role: str | None) -> str:
    """A flagged conversation an agent is serving leaves their hands at once for the front of
    the supervisors' queue (the next round gives it to a supervisor with room): the agent is not
    left to take more abuse until someone notices. One a supervisor already serves, or that is
    not with a person (still queued: the queue moves it), stays where it is."""
    if state != "agent" or owner_role is None or owner_role in SUPERVISOR_ROLES:
        return MOVE_KEEP
    return MOVE_TO_SUPERVISORS
