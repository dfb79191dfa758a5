"""Taking conversations back from agents who went away or stopped answering."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from tandem.routing.policy.types import PRESENCE_BREAK, PRESENCE_OFFLINE, AgentState, QueueEntry


@dataclass(frozen=True)
class HeldConversation:
    """A conversation an agent holds. `awaiting_reply_since`: the customer's oldest message
    the agent has not answered yet, None when the agent spoke last."""

    conversation_id: str
    agent_id: str
    awaiting_reply_since: datetime | None


@dataclass(frozen=True)
class RequeueDecision:
    conversation_id: str
    agent_id: str
    reason: str  # agent_offline | agent_on_break | agent_silent | agent_unknown


@dataclass(frozen=True)
class RequeueConfig:
    # An agent who has done nothing for this long while a customer waits has stopped answering.
    reply_timeout: timedelta = timedelta(minutes=5)
    # A customer should not sit through someone's break: hand their conversations on.
    requeue_on_break: bool = True


DEFAULT_REQUEUE = RequeueConfig()

# An agent's stored `last_activity_at` may lag their latest action by up to this much: the
# relay writes it at most this often per agent (one UPDATE per message was a tenth of the
# message's cost), so whoever reads it for `conversations_to_requeue` adds this much first.
# Taking a conversation back up to 30 s late is the safe side of a 5-minute rule.
ACTIVITY_GRAIN = timedelta(seconds=30)


def conversations_to_requeue(
    held: Iterable[HeldConversation],
    agents: Iterable[AgentState],
    last_activity: Mapping[str, datetime],
    now: datetime,
    config: RequeueConfig = DEFAULT_REQUEUE,
) -> list[RequeueDecision]:
    """Which held conversations go back to the front of the queue, and why.

    - the agent is offline (or no longer known): all of theirs;
    - the agent is on a break (unless `requeue_on_break` is off): all of theirs;
    - the agent stopped answering: a customer has waited longer than `reply_timeout` and the
      agent has shown no activity at all (`last_activity`, any action) for that long either.
      An agent busy in another conversation is slow, not gone, and keeps theirs.
    Ordered by conversation id.
    """
    by_id = {a.agent_id: a for a in agents}
    decisions: list[RequeueDecision] = []
    for conv in held:
        agent = by_id.get(conv.agent_id)
        reason: str | None = None
        if agent is None:
            reason = "agent_unknown"
        elif agent.presence == PRESENCE_OFFLINE:
            reason = "agent_offline"
        elif config.requeue_on_break and (
            agent.presence == PRESENCE_BREAK
            or (agent.on_break_until is not None and agent.on_break_until > now)
        ):
            reason = "agent_on_break"
        elif conv.awaiting_reply_since is not None:
            waited = now - conv.awaiting_reply_since
            active_at = last_activity.get(conv.agent_id)
            idle = now - active_at if active_at is not None else waited
            if waited > config.reply_timeout and idle > config.reply_timeout:
                reason = "agent_silent"
        if reason is not None:
            decisions.append(RequeueDecision(conv.conversation_id, conv.agent_id, reason))
    return sorted(decisions, key=lambda d: d.conversation_id)


def requeued(entry: QueueEntry, from_agent_id: str) -> QueueEntry:
    """The entry to put back: at the front, and not straight back to the agent it left."""
    return replace(entry, requeued=True, avoid_agent_id=from_agent_id)
