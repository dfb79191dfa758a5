"""Analytics tables: derived facts and hourly rollups, kept up to date incrementally.

- `analytics_cursors`: per conversation, the last event `seq` folded into the facts and when
  its time-dependent facts next change (`settles_at`). A refresh reads only conversations
  whose `last_seq` moved past the cursor or whose `settles_at` has passed.
- `analytics_episodes`: one row per episode (derive.py), bucketed by the UTC hour it started.
- `analytics_hourly`, `analytics_daily`: sums per (UTC hour | local day, intent, skill, agent,
  channel), rebuilt for the hours and days a refresh touched, from `analytics_episodes` only.
  The dashboard reads these.
- `analytics_agent_activity`: per agent and hour: seconds holding conversations, hostile
  conversations (with the exposure weight), reveals of masked messages, breaks.
- `analytics_state`: named cursors over append-only tables (reveals, hostile events), the
  break each agent was last seen on, and `changes.since`: the time from which the event log
  is read for changed conversations (an index range on `events.created_at`, declared here
  because only the refresh reads the log by time).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tandem.conversations.models import Event
from tandem.db.base import Base

# A refresh finds what changed by reading the log's recent events (refresh._changed).
EVENTS_BY_TIME = Index("ix_events_created_at", Event.created_at)


class Cursor(Base):
    __tablename__ = "analytics_cursors"

    conversation_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    settles_at: Mapped[datetime | None] = mapped_column(index=True)


class EpisodeRow(Base):
    __tablename__ = "analytics_episodes"
    __table_args__ = (
        UniqueConstraint("conversation_id", "n"),
        Index("ix_analytics_episodes_hour", "hour"),
        Index("ix_analytics_episodes_day", "day"),
        # The dead-end list and the wait percentiles read only these columns in a range.
        Index("ix_analytics_episodes_dead_end_hour", "dead_end", "hour"),
        Index("ix_analytics_episodes_hour_wait", "hour", "wait_seconds"),
        Index("ix_analytics_episodes_customer", "customer_key", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(40))
    n: Mapped[int] = mapped_column(Integer)
    customer_key: Mapped[str] = mapped_column(String(100))
    hour: Mapped[datetime] = mapped_column()
    # The local day (shop's time zone) it started, YYYY-MM-DD.
    day: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[datetime] = mapped_column()
    last_customer_at: Mapped[datetime] = mapped_column()
    channel: Mapped[str] = mapped_column(String(32))
    intent: Mapped[str] = mapped_column(String(48))
    skill: Mapped[str] = mapped_column(String(32))
    agent_id: Mapped[str] = mapped_column(String(40))
    customer_turns: Mapped[int] = mapped_column(Integer)
    handed_off: Mapped[bool] = mapped_column()
    handoff_reason: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(32))
    turns_to_handoff: Mapped[int | None] = mapped_column(Integer)
    asked_person: Mapped[bool] = mapped_column()
    ticket: Mapped[bool] = mapped_column()
    callback_at: Mapped[datetime | None] = mapped_column()
    callback_missed: Mapped[bool] = mapped_column()
    queued_at: Mapped[datetime | None] = mapped_column()
    assigned_at: Mapped[datetime | None] = mapped_column()
    wait_seconds: Mapped[float | None] = mapped_column(Float)
    first_ai_seconds: Mapped[float | None] = mapped_column(Float)
    first_human_seconds: Mapped[float | None] = mapped_column(Float)
    handling_seconds: Mapped[float | None] = mapped_column(Float)
    closed_by: Mapped[str] = mapped_column(String(40))
    rating: Mapped[str | None] = mapped_column(String(16))
    repeated: Mapped[bool] = mapped_column()
    misses: Mapped[int] = mapped_column(Integer)
    abusive_messages: Mapped[int] = mapped_column(Integer)
    ended: Mapped[bool] = mapped_column()
    abandoned: Mapped[bool] = mapped_column()
    dead_end: Mapped[bool] = mapped_column()
    ai_resolved: Mapped[bool | None] = mapped_column()
    returned: Mapped[bool] = mapped_column()


class _Sums:
    """The summed measures of a rollup row (see rollup.ROLLUP_COLUMNS)."""

    episodes: Mapped[int] = mapped_column(Integer, default=0)
    customer_turns: Mapped[int] = mapped_column(Integer, default=0)
    ai_decided: Mapped[int] = mapped_column(Integer, default=0)
    ai_resolved: Mapped[int] = mapped_column(Integer, default=0)
    handed_off: Mapped[int] = mapped_column(Integer, default=0)
    ho_asked: Mapped[int] = mapped_column(Integer, default=0)
    ho_rephrase: Mapped[int] = mapped_column(Integer, default=0)
    ho_emotion: Mapped[int] = mapped_column(Integer, default=0)
    ho_value: Mapped[int] = mapped_column(Integer, default=0)
    ho_low_confidence: Mapped[int] = mapped_column(Integer, default=0)
    ho_policy: Mapped[int] = mapped_column(Integer, default=0)
    ho_other: Mapped[int] = mapped_column(Integer, default=0)
    turns_to_handoff: Mapped[int] = mapped_column(Integer, default=0)
    repeated: Mapped[int] = mapped_column(Integer, default=0)
    asked_person: Mapped[int] = mapped_column(Integer, default=0)
    dead_ends: Mapped[int] = mapped_column(Integer, default=0)
    callbacks_missed: Mapped[int] = mapped_column(Integer, default=0)
    tickets: Mapped[int] = mapped_column(Integer, default=0)
    first_ai_n: Mapped[int] = mapped_column(Integer, default=0)
    first_ai_sum: Mapped[float] = mapped_column(Float, default=0.0)
    first_human_n: Mapped[int] = mapped_column(Integer, default=0)
    first_human_sum: Mapped[float] = mapped_column(Float, default=0.0)
    served: Mapped[int] = mapped_column(Integer, default=0)
    wait_sum: Mapped[float] = mapped_column(Float, default=0.0)
    wait_max: Mapped[float] = mapped_column(Float, default=0.0)
    abandoned: Mapped[int] = mapped_column(Integer, default=0)
    handled_n: Mapped[int] = mapped_column(Integer, default=0)
    handled_sum: Mapped[float] = mapped_column(Float, default=0.0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    rated: Mapped[int] = mapped_column(Integer, default=0)
    positive: Mapped[int] = mapped_column(Integer, default=0)
    abusive_messages: Mapped[int] = mapped_column(Integer, default=0)
    abuse_incidents: Mapped[int] = mapped_column(Integer, default=0)
    misses: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)


class HourlyRow(_Sums, Base):
    """Sums over the episodes that started in this UTC `hour` with these dimensions
    ('' = none): the hourly view and any range not made of whole local days."""

    __tablename__ = "analytics_hourly"

    hour: Mapped[datetime] = mapped_column(primary_key=True)
    intent: Mapped[str] = mapped_column(String(48), primary_key=True)
    skill: Mapped[str] = mapped_column(String(32), primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)


class DailyRow(_Sums, Base):
    """The same sums per local day in the shop's time zone (`day` = YYYY-MM-DD): days and
    weeks read a few hundred rows a day instead of a few thousand."""

    __tablename__ = "analytics_daily"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    intent: Mapped[str] = mapped_column(String(48), primary_key=True)
    skill: Mapped[str] = mapped_column(String(32), primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)


class DailyByRow(_Sums, Base):
    """The local-day sums of one dimension at a time (`dim` = all | intent | skill | agent_id
    | channel, `key` its value): an unfiltered dashboard reads ~35 rows a day, not ~250."""

    __tablename__ = "analytics_daily_by"

    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    dim: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(48), primary_key=True)


class AgentActivityRow(Base):
    """One fact about an agent in one hour. `kind`: held (value = seconds), hostile (value =
    exposure weight), reveal, break (value 1). `source` makes re-deriving idempotent."""

    __tablename__ = "analytics_agent_activity"
    __table_args__ = (
        UniqueConstraint("kind", "source"),
        Index("ix_analytics_agent_activity_hour", "hour", "agent_id"),
        Index("ix_analytics_agent_activity_conversation", "conversation_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(120))
    agent_id: Mapped[str] = mapped_column(String(40))
    conversation_id: Mapped[str | None] = mapped_column(String(40))
    hour: Mapped[datetime] = mapped_column()
    value: Mapped[float] = mapped_column(Float)


class StateRow(Base):
    __tablename__ = "analytics_state"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(String(120))
