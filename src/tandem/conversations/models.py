"""Conversations, their messages, the per-conversation event log and the engine's decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base

STATES = ("bot", "queued", "agent", "resolved")


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), index=True)
    # The shop's customer id, set only when the shop's page signed it (trusted).
    customer_external_id: Mapped[str | None] = mapped_column(String(100), index=True)
    customer_name: Mapped[str | None] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(8), default="zh")
    state: Mapped[str] = mapped_column(String(16), default="bot", index=True)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    skill: Mapped[str | None] = mapped_column(String(32))
    queued_at: Mapped[datetime | None] = mapped_column()
    handoff_reason: Mapped[str | None] = mapped_column(String(64))
    assigned_agent_id: Mapped[str | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    assigned_at: Mapped[datetime | None] = mapped_column()
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    # What the engine remembers between turns (wordings used, counters): see engine_view().
    engine_state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The hand-off packet the desk shows first (engine/packet.py), set at each hand-off.
    handoff_packet: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Nobody on duty: the customer was promised a reply by this time (a ticket).
    callback_at: Mapped[datetime | None] = mapped_column()
    # Repeated abuse: routed to a supervisor and marked in the desk.
    flagged: Mapped[bool] = mapped_column(default=False)
    rating: Mapped[str | None] = mapped_column(String(16))
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    # Indexed: the recent handling times are read newest first (routing's wait estimates).
    resolved_at: Mapped[datetime | None] = mapped_column(index=True)
    resolved_by: Mapped[str | None] = mapped_column(String(40))


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq"),
        UniqueConstraint("conversation_id", "client_msg_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(16))  # customer | bot | agent | system
    agent_id: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    payload: Mapped[str | None] = mapped_column(String(200))
    quick_replies: Mapped[list[Any] | None] = mapped_column(JSON)
    client_msg_id: Mapped[str | None] = mapped_column(String(100))
    reply_to: Mapped[str | None] = mapped_column(String(40), index=True)
    meta: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column()


class Event(Base):
    """The resumable log: every event a client may receive, numbered per conversation."""

    __tablename__ = "events"

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(48))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column()


class Decision(Base):
    """What the engine saw and why it decided, one row per customer turn (STYLE 9)."""

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_conversation", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(32))
    rule: Mapped[str] = mapped_column(String(64))
    intent: Mapped[str | None] = mapped_column(String(48))
    confidence: Mapped[float | None] = mapped_column()
    handoff_reason: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column()
