"""Routing state kept in the database, so a restart loses no queue and no agent's break.

- `routing_queue`: one row per time a conversation joined a skill queue. `state` is
  `waiting` while it waits, then `assigned` or `left`; the rows that are no longer waiting are
  the observed arrivals and waits the honest estimates are computed from.
- `routing_agents`: what routing knows about an agent besides their account (break end, last
  activity, since when at capacity, a pending break suggestion).
- `routing_queue_version`: one row, the queue's version: every transaction that writes queue
  rows bumps it just before its commit and stamps the rows it wrote with it, so a process
  keeps the queue in memory and reads only the rows written since (`routing.queue`).
- `routing_hostile_events`: an agent handled an abusive or very angry conversation (exposure).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base

WAITING = "waiting"
ASSIGNED = "assigned"
LEFT = "left"


class QueueRow(Base):
    __tablename__ = "routing_queue"
    __table_args__ = (
        Index("ix_routing_queue_state_rank", "state", "rank"),
        Index("ix_routing_queue_enqueued_at", "enqueued_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    skill: Mapped[str] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(8))
    enqueued_at: Mapped[datetime] = mapped_column()
    emotion: Mapped[str] = mapped_column(String(16), default="neutral")
    emotion_intensity: Mapped[float] = mapped_column(Float, default=0.0)
    order_value_cents: Mapped[int] = mapped_column(Integer, default=0)
    vip: Mapped[bool] = mapped_column(default=False)
    hostile: Mapped[bool] = mapped_column(default=False)
    requeued: Mapped[bool] = mapped_column(default=False)
    avoid_agent_id: Mapped[str | None] = mapped_column(String(40))
    # policy.rank_score: orders the queue the same way at every moment (aging is linear).
    rank: Mapped[float] = mapped_column(Float, default=0.0)
    # What the customer was last told: told again only when it changed materially.
    announced_position: Mapped[int | None] = mapped_column(Integer)
    announced_eta_seconds: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default=WAITING)
    agent_id: Mapped[str | None] = mapped_column(String(40))
    # How the entry ended: auto | claimed | transferred | left (the customer, or the AI again).
    outcome: Mapped[str | None] = mapped_column(String(16))
    # The estimate the customer was first shown, kept to measure it against the real wait.
    first_estimate_seconds: Mapped[int | None] = mapped_column(Integer)
    ended_at: Mapped[datetime | None] = mapped_column()
    # The queue version of the transaction that last wrote this row (`routing.queue.touch`).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1", index=True)


class QueueVersion(Base):
    """One row (id 1): bumped by every transaction that writes `routing_queue`, as its last
    statements; its row lock is held to the commit, so versions are committed in order."""

    __tablename__ = "routing_queue_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)


class AgentStatus(Base):
    __tablename__ = "routing_agents"

    agent_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    break_until: Mapped[datetime | None] = mapped_column()
    last_break_end: Mapped[datetime | None] = mapped_column()
    at_capacity_since: Mapped[datetime | None] = mapped_column()
    last_activity_at: Mapped[datetime | None] = mapped_column()
    break_suggested_at: Mapped[datetime | None] = mapped_column()
    # The supervisor alert last announced (notice | urgent), so it is sent once per rise.
    alert_level: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column()


class HostileEventRow(Base):
    __tablename__ = "routing_hostile_events"
    __table_args__ = (Index("ix_routing_hostile_events_agent_at", "agent_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agent_id: Mapped[str] = mapped_column(String(40))
    conversation_id: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column()
    kind: Mapped[str] = mapped_column(String(16))  # abusive | very_angry
