"""Small builders for routing values, so each test states only what it is about."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tandem.conversations.models import Conversation
from tandem.routing.policy import AgentState, QueueEntry

T0 = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def at(minutes: float = 0, seconds: float = 0) -> datetime:
    return T0 + timedelta(minutes=minutes, seconds=seconds)


def entry(
    cid: str,
    minute: float = 0,
    skill: str = "after_sale",
    *,
    emotion: str = "neutral",
    intensity: float = 0.0,
    value_cents: int = 0,
    vip: bool = False,
    hostile: bool = False,
    requeued: bool = False,
) -> QueueEntry:
    return QueueEntry(
        conversation_id=cid,
        skill=skill,
        enqueued_at=at(minute),
        emotion=emotion,
        emotion_intensity=intensity,
        order_value_cents=value_cents,
        vip=vip,
        hostile=hostile,
        requeued=requeued,
    )


def agent(
    aid: str,
    skills: tuple[str, ...] = ("after_sale",),
    *,
    presence: str = "online",
    cap: int = 3,
    active: int = 0,
    exposure: float = 0.0,
    on_break_until: datetime | None = None,
    last_break_end: datetime | None = None,
    at_capacity_since: datetime | None = None,
) -> AgentState:
    return AgentState(
        agent_id=aid,
        presence=presence,
        skills=frozenset(skills),
        max_concurrent=cap,
        active=active,
        exposure=exposure,
        on_break_until=on_break_until,
        last_break_end=last_break_end,
        at_capacity_since=at_capacity_since,
    )


def conversation_row(cid: str, state: str, at: datetime, **extra: object) -> Conversation:
    """A conversation row (after-sale unless `extra` says otherwise) for database tests."""
    return Conversation(
        id=cid,
        token_hash=f"h-{cid}",
        language="zh",
        state=state,
        priority=0,
        last_seq=0,
        engine_state={},
        created_at=at,
        updated_at=at,
        **{"skill": "after_sale", **extra},
    )
