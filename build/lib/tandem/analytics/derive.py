"""From one conversation's stored log to its episodes' facts: the definitions of the measures.

Pure: the caller hands in the conversation's events (by their stored `type` string and JSON
payload), its engine decisions, its routing-queue rows and `now`. docs/analytics.md states
each definition in words; this module is the code those words describe.

An *episode* is one problem of one customer: it starts with the conversation (or with the
customer writing again after a resolution, `state_changed` to `bot` with reason
`customer_returned`) and holds every event until the next such start. An episode in which the
customer never wrote is not counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tandem.understanding.taxonomy import SOCIAL_INTENTS

# The customer has said nothing for this long and nobody holds the conversation: it is over
# (chats have no "closed" event; the widget's closing is not recorded).
IDLE_END = timedelta(minutes=30)
# The AI resolved it only if the customer did not come back with the same problem this soon.
RETURN_WINDOW = timedelta(hours=24)

# The recorded hand-off reasons (`Decision.handoff_reason`, copied into the `queued`
# state change) grouped into the categories a team lead reads. Anything new lands in `other`.
CATEGORY_OF_REASON: Mapping[str, str] = {
    "customer_request": "asked",
    "repeated_problem": "rephrase",
    "complaint": "emotion",
    "abuse": "emotion",
    "vip": "value",
    "high_value": "value",
    "low_confidence": "low_confidence",
    "out_of_scope": "low_confidence",
    "cannot_answer": "low_confidence",
    "human_first": "policy",
    "human_first_category": "policy",
    "needs_approval": "policy",
    "missing_evidence": "policy",
    "order_needs_identity": "policy",
}
CATEGORIES = ("asked", "rephrase", "emotion", "value", "low_confidence", "policy", "other")
# The AI's own failures (the rest are hand-offs the shop's rules or the customer asked for).
FAILING_CATEGORIES = frozenset({"rephrase", "low_confidence"})
ASKED_RULES = frozenset({"explicit_human_request"})
HUMAN_INTENT = "human"
POSITIVE = "satisfied"
HOSTILE_WEIGHT = {"abusive": 1.0, "very_angry": 0.6}


def category_of(reason: str | None) -> str:
    if reason is None:
        return "other"
    return CATEGORY_OF_REASON.get(reason, "other")


@dataclass(frozen=True)
class EventIn:
    seq: int
    type: str
    data: Mapping[str, Any]
    at: datetime


@dataclass(frozen=True)
class DecisionIn:
    message_id: str
    action: str
    rule: str
    intent: str | None
    handoff_reason: str | None
    data: Mapping[str, Any]


@dataclass(frozen=True)
class QueueIn:
    skill: str
    enqueued_at: datetime
    first_estimate_seconds: int | None


@dataclass(frozen=True)
class ConversationIn:
    id: str
    customer_external_id: str | None
    callback_at: datetime | None
    events: Sequence[EventIn]
    decisions: Sequence[DecisionIn]
    queue: Sequence[QueueIn] = ()


@dataclass
class Episode:
    """The facts of one episode. Seconds are floats; None means "did not happen"."""

    conversation_id: str
    n: int
    customer_key: str
    started_at: datetime
    last_customer_at: datetime
    last_event_at: datetime
    channel: str = "web"
    intent: str = "unknown"
    skill: str = ""
    agent_id: str = ""
    customer_turns: int = 0
    handed_off: bool = False
    handoff_reason: str | None = None
    category: str | None = None
    turns_to_handoff: int | None = None
    asked_person: bool = False
    ticket: bool = False
    callback_at: datetime | None = None
    callback_missed: bool = False
    queued_at: datetime | None = None
    assigned_at: datetime | None = None
    wait_seconds: float | None = None
    first_ai_seconds: float | None = None
    first_human_seconds: float | None = None
    first_human_at: datetime | None = None
    handling_seconds: float | None = None
    closed_by: str = ""
    rating: str | None = None
    repeated: bool = False
    misses: int = 0
    abusive_messages: int = 0
    reveals: int = 0
    ended: bool = False
    abandoned: bool = False
    dead_end: bool = False
    # None while undecided (the episode is open or the 24 h window has not passed).
    ai_resolved: bool | None = None
    returned: bool = False
    # When this episode's time-dependent facts can next change (None: they cannot).
    settles_at: datetime | None = None

    @property
    def hour(self) -> datetime:
        return self.started_at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Held:
    """An agent held the conversation from `start` to `end` (assignment to the next change)."""

    conversation_id: str
    agent_id: str
    start: datetime
    end: datetime


@dataclass
class Derived:
    episodes: list[Episode] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)

    @property
    def settles_at(self) -> datetime | None:
        times = [e.settles_at for e in self.episodes if e.settles_at is not None]
        return min(times) if times else None


def _secs(a: datetime, b: datetime) -> float:
    return max(0.0, (b - a).total_seconds())


def _split(events: Sequence[EventIn]) -> list[list[EventIn]]:
    parts: list[list[EventIn]] = [[]]
    for e in events:
        if (
            e.type == "conversation.state_changed"
            and e.data.get("state") == "bot"
            and e.data.get("reason") == "customer_returned"
        ):
            parts.append([])
        parts[-1].append(e)
    return parts


def _main_intent(intents: Iterable[str | None]) -> str:
    seen = [i for i in intents if i]
    for i in seen:
        if i not in SOCIAL_INTENTS and i != HUMAN_INTENT:
            return i
    return seen[0] if seen else "unknown"


def derive(conv: ConversationIn, now: datetime) -> Derived:
    """Every episode of `conv` with its facts, and the spans agents held it."""
    out = Derived()
    decisions = {d.message_id: d for d in conv.decisions}
    channel = "web"
    for e in conv.events:
        if e.type == "conversation.opened":
            channel = str(e.data.get("channel") or "web")
            break
    events = sorted(conv.events, key=lambda e: e.seq)
    holder: tuple[str, datetime] | None = None
    for e in events:
        if e.type == "conversation.state_changed":
            if holder is not None:
                out.held.append(Held(conv.id, holder[0], holder[1], e.at))
                holder = None
            if e.data.get("state") == "agent" and e.data.get("agent_id"):
                holder = (str(e.data["agent_id"]), e.at)
    parts = _split(events)
    # The conversation row keeps the callback of its latest hand-off only.
    latest = max(
        (i for i, part in enumerate(parts) if any(_is_queued(e) for e in part)), default=-1
    )
    for i, part in enumerate(parts):
        ep = _episode(conv, part, len(out.episodes) + 1, decisions, channel, now, i == latest)
        if ep is not None:
            out.episodes.append(ep)
    mark_returns(out.episodes, now)
    return out


def _is_queued(e: EventIn) -> bool:
    return e.type == "conversation.state_changed" and e.data.get("state") == "queued"


def _episode(
    conv: ConversationIn,
    events: Sequence[EventIn],
    n: int,
    decisions: Mapping[str, DecisionIn],
    channel: str,
    now: datetime,
    latest: bool,
) -> Episode | None:
    customer = [
        e for e in events if e.type == "message.created" and e.data.get("author") == "customer"
    ]
    if not customer:
        return None
    ep = Episode(
        conversation_id=conv.id,
        n=n,
        customer_key=conv.customer_external_id or conv.id,
        started_at=customer[0].at,
        last_customer_at=customer[-1].at,
        last_event_at=events[-1].at,
        channel=channel,
        customer_turns=len(customer),
    )
    turn_decisions = [decisions.get(str(m.data.get("id"))) for m in customer]
    ep.intent = _main_intent(d.intent for d in turn_decisions if d is not None)
    answered: set[str] = set()
    for d in turn_decisions:
        if d is None:
            continue
        if (
            d.rule in ASKED_RULES
            or d.handoff_reason == "customer_request"
            or d.intent == HUMAN_INTENT
        ):
            ep.asked_person = True
        if d.data.get("miss"):
            ep.misses += 1
        if ((d.data.get("analysis") or {}).get("abuse") or {}).get("is_abusive"):
            ep.abusive_messages += 1
        topical = (
            d.intent is not None and d.intent not in SOCIAL_INTENTS and d.intent != HUMAN_INTENT
        )
        if d.handoff_reason == "repeated_problem" or (topical and d.intent in answered):
            ep.repeated = True
        if topical and d.action in ("reply", "act") and d.intent is not None:
            answered.add(d.intent)

    state = "bot"
    first_customer = customer[0].at
    agent_since: datetime | None = None
    for e in events:
        if e.type == "message.created":
            author = e.data.get("author")
            if author == "bot" and ep.first_ai_seconds is None and e.at >= first_customer:
                if ep.first_human_at is None:
                    ep.first_ai_seconds = _secs(first_customer, e.at)
            elif author == "agent" and ep.first_human_at is None:
                ep.first_human_at = e.at
                if ep.queued_at is not None:
                    ep.first_human_seconds = _secs(ep.queued_at, e.at)
        elif e.type == "conversation.state_changed":
            state = str(e.data.get("state"))
            if state == "queued" and not ep.handed_off:
                ep.handed_off = True
                ep.queued_at = e.at
                ep.handoff_reason = e.data.get("reason")
                ep.category = category_of(ep.handoff_reason)
                ep.turns_to_handoff = sum(1 for m in customer if m.seq < e.seq)
                ep.ticket = bool(e.data.get("ticket"))
                if ep.ticket:
                    ep.callback_at = _callback(conv, ep, latest)
            elif state == "agent":
                agent_since = e.at
                ep.agent_id = str(e.data.get("agent_id") or ep.agent_id)
                if ep.assigned_at is None:
                    ep.assigned_at = e.at
                    if ep.queued_at is not None:
                        ep.wait_seconds = _secs(ep.queued_at, e.at)
            elif state == "resolved":
                by = e.data.get("resolved_by")
                if by:
                    ep.closed_by = str(by)
                    ep.agent_id = str(by)
                if agent_since is not None:
                    ep.handling_seconds = _secs(agent_since, e.at)
        elif e.type == "conversation.rated":
            ep.rating = str(e.data.get("rating")) if e.data.get("rating") else None
    if ep.queued_at is not None:
        ep.skill = _skill(conv, ep)
    _settle(ep, state, now)
    return ep


def _callback(conv: ConversationIn, ep: Episode, latest: bool) -> datetime | None:
    """The callback promised with a ticket. The conversation row keeps the latest one; an
    earlier one is recovered from the queue row (its first shown wait is the callback's)."""
    if latest and conv.callback_at is not None:
        return conv.callback_at
    assert ep.queued_at is not None
    for q in conv.queue:
        if q.enqueued_at >= ep.queued_at - timedelta(seconds=1) and q.first_estimate_seconds:
            return q.enqueued_at + timedelta(seconds=q.first_estimate_seconds)
    return None


def _skill(conv: ConversationIn, ep: Episode) -> str:
    assert ep.queued_at is not None
    rows = sorted(conv.queue, key=lambda q: q.enqueued_at)
    for q in rows:
        if q.enqueued_at >= ep.queued_at - timedelta(seconds=1):
            return q.skill
    return rows[-1].skill if rows else ""


def _settle(ep: Episode, state: str, now: datetime) -> None:
    """Ended, abandoned, dead end, overdue callback: the facts that depend on time passing."""
    settles: list[datetime] = []
    idle_until = max(ep.last_customer_at, ep.last_event_at) + IDLE_END
    if state == "resolved":
        ep.ended = True
    elif state == "agent":
        ep.ended = False
    elif now >= idle_until:
        ep.ended = True
    else:
        settles.append(idle_until)
    waiting_unserved = ep.handed_off and ep.assigned_at is None
    if waiting_unserved and ep.ended:
        ep.abandoned = not ep.ticket
    if ep.ticket and ep.callback_at is not None:
        answered = ep.first_human_at is not None and ep.first_human_at <= ep.callback_at
        if not answered:
            if now >= ep.callback_at:
                ep.callback_missed = True
            elif ep.first_human_at is None:
                settles.append(ep.callback_at)
    got_person = ep.assigned_at is not None
    asked_dead_end = ep.asked_person and ep.ended and not got_person and not ep.ticket
    ep.dead_end = asked_dead_end or ep.callback_missed
    if not ep.handed_off and ep.ended:
        decided_at = ep.last_customer_at + RETURN_WINDOW
        if now < decided_at:
            settles.append(decided_at)
    ep.settles_at = min(settles) if settles else None


def mark_returns(episodes: Sequence[Episode], now: datetime) -> list[Episode]:
    """AI resolution for a customer's episodes (of one or several conversations): an episode
    the AI kept to itself is resolved once it ended and the customer did not start another
    episode about the same intent within 24 h of their last message. Returns the episodes
    whose verdict changed."""
    changed: list[Episode] = []
    ordered = sorted(episodes, key=lambda e: e.started_at)
    for i, ep in enumerate(ordered):
        before = (ep.ai_resolved, ep.returned)
        ep.returned = any(
            later.intent == ep.intent
            and ep.last_customer_at < later.started_at <= ep.last_customer_at + RETURN_WINDOW
            for later in ordered[i + 1 :]
        )
        if ep.handed_off:
            ep.ai_resolved = False
        elif not ep.ended:
            ep.ai_resolved = None
        elif ep.returned:
            ep.ai_resolved = False
        elif now >= ep.last_customer_at + RETURN_WINDOW:
            ep.ai_resolved = True
        else:
            ep.ai_resolved = None
        if (ep.ai_resolved, ep.returned) != before:
            changed.append(ep)
    return changed
