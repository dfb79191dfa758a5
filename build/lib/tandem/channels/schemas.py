"""Channel I/O (docs/channels.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class InboundCustomer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    external_id: str | None = Field(default=None, max_length=100)
    name: str | None = Field(default=None, max_length=100)


class InboundData(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # The platform's own conversation id: the same id continues the same conversation.
    conversation_id: str = Field(min_length=1, max_length=200)
    message_id: str | None = Field(default=None, max_length=100)
    text: str = Field(default="", max_length=2000)
    payload: str | None = Field(default=None, max_length=200)
    language: Literal["zh", "en"] | None = None
    customer: InboundCustomer | None = None


class InboundWebhook(BaseModel):
    """A Standard Webhooks payload: `{"type", "timestamp", "data"}`."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["message.received"]
    timestamp: datetime | None = None
    data: InboundData


class ReplyOut(BaseModel):
    id: str
    text: str
    quick_replies: list[dict[str, str]] | None = None


class InboundOut(BaseModel):
    conversation_id: str
    external_conversation_id: str
    state: str
    replies: list[ReplyOut]
    duplicate: bool = False


class EmailIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # One address, name@domain.tld; deliverability is the SMTP server's to judge.
    email: str = Field(max_length=254, pattern=r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


class DeliveryOut(BaseModel):
    id: str
    channel: str
    conversation_id: str
    seq: int
    type: str
    target: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    payload: dict[str, Any]


class DeliveriesOut(BaseModel):
    deliveries: list[DeliveryOut]
    counts: dict[str, int]
