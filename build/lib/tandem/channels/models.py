"""The channel tables: which conversations a channel follows (and how far it has read their
event log), inbound webhooks already taken (replay protection), and the delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tandem.core.clock import utcnow
from tandem.db.base import Base

DELIVERY_STATES = ("pending", "delivered", "failed")


class ChannelFollow(Base):
    """A channel that receives a conversation's events: the webhook platform the conversation
    came from, or the customer's email address. `cursor_seq` is the last event of the
    conversation's log turned into deliveries (moved in the same transaction as they are added)."""

    __tablename__ = "channel_follows"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)  # webhook | email
    # The platform's own conversation id (webhook), or the email address (email).
    external_id: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="zh")
    cursor_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InboundReceipt(Base):
    """A webhook already taken, by its webhook-id: a replay gets the stored answer."""

    __tablename__ = "channel_inbound"

    webhook_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(40))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(Base):
    """One outbound message (a webhook POST or an email), with its attempts. The id is the
    idempotency key: the `webhook-id` header, the same on every retry and replay."""

    __tablename__ = "channel_deliveries"
    __table_args__ = (Index("ix_channel_deliveries_due", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    conversation_id: Mapped[str] = mapped_column(String(40), index=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    type: Mapped[str] = mapped_column(String(48))
    target: Mapped[str] = mapped_column(String(500))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column()
