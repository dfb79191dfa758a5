"""The queue and assignment rules of the human desk (a subpackage split by use case; every
name is importable from here as before). Pure: no database, no clock, no randomness.

Vocabulary:
- a *queue entry* is one conversation waiting for a person, in the queue of one skill
  (pre_sale, after_sale, logistics, vip, zh, en, ...);
- an *agent state* is what routing needs to know about one agent right now (presence, skills,
  how many conversations they hold, their hostile-load exposure, their break).

The database holds the state; the service layer builds these values from it, calls the rules
here with `now` and writes the result back, so a restart loses nothing and every rule can be
tested (and replayed) without a server.
"""

from __future__ import annotations

from tandem.routing.policy.assign import (
    DEFAULT_ASSIGNMENT,
    AssignmentConfig,
    choose_agent,
    is_available,
    is_eligible,
    next_assignments,
    offered,
    shift_cover,
    speaks,
    team_left,
)
from tandem.routing.policy.batch import wait_estimates
from tandem.routing.policy.priority import (
    DEFAULT_PRIORITY,
    PriorityConfig,
    is_hostile,
    position_in_queue,
    priority,
    queue_order,
    queues_by_skill,
    rank_score,
    static_points,
)
from tandem.routing.policy.replay import (
    Arrival,
    Estimator,
    ReplayConfig,
    ReplayRecord,
    ReplayReport,
    erlang_estimator,
    replay,
)
from tandem.routing.policy.requeue import (
    ACTIVITY_GRAIN,
    DEFAULT_REQUEUE,
    HeldConversation,
    RequeueConfig,
    RequeueDecision,
    conversations_to_requeue,
    requeued,
)
from tandem.routing.policy.shifts import (
    ENDING,
    IN_SHIFT,
    OFF_SHIFT,
    Shift,
    ShiftCover,
    ShiftError,
    normalise_shift,
    parse_shift,
    shift_of,
    standing_at,
)
from tandem.routing.policy.types import (
    DEFAULT_MAX_CONCURRENT,
    KNOWN_SKILLS,
    LANGUAGE_SKILLS,
    PRESENCE_AWAY,
    PRESENCE_BREAK,
    PRESENCE_OFFLINE,
    PRESENCE_ONLINE,
    AgentState,
    QueueEntry,
)
from tandem.routing.policy.waits import (
    NEWCOMER_ID,
    WaitEstimate,
    WaitInputs,
    competing_ahead,
    competition,
    estimate_wait,
    observed_arrival_rate_per_hour,
    observed_handle_seconds,
    pooled_newcomer_wait,
    wait_inputs,
)

__all__ = [
    "ShiftCover",
    "shift_cover",
    "ENDING",
    "IN_SHIFT",
    "OFF_SHIFT",
    "Shift",
    "ShiftError",
    "normalise_shift",
    "parse_shift",
    "shift_of",
    "standing_at",
    "offered",
    "team_left",
    "AgentState",
    "Arrival",
    "AssignmentConfig",
    "DEFAULT_ASSIGNMENT",
    "DEFAULT_MAX_CONCURRENT",
    "DEFAULT_PRIORITY",
    "ACTIVITY_GRAIN",
    "DEFAULT_REQUEUE",
    "Estimator",
    "HeldConversation",
    "KNOWN_SKILLS",
    "LANGUAGE_SKILLS",
    "NEWCOMER_ID",
    "PRESENCE_AWAY",
    "PRESENCE_BREAK",
    "PRESENCE_OFFLINE",
    "PRESENCE_ONLINE",
    "PriorityConfig",
    "QueueEntry",
    "ReplayConfig",
    "ReplayRecord",
    "ReplayReport",
    "RequeueConfig",
    "RequeueDecision",
    "WaitEstimate",
    "WaitInputs",
    "choose_agent",
    "competing_ahead",
    "competition",
    "conversations_to_requeue",
    "erlang_estimator",
    "estimate_wait",
    "is_available",
    "is_eligible",
    "is_hostile",
    "next_assignments",
    "observed_arrival_rate_per_hour",
    "observed_handle_seconds",
    "pooled_newcomer_wait",
    "position_in_queue",
    "priority",
    "queue_order",
    "queues_by_skill",
    "rank_score",
    "replay",
    "requeued",
    "speaks",
    "static_points",
    "wait_estimates",
    "wait_inputs",
]
