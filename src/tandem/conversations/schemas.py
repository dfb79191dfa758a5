"""The customer API's request and response bodies (docs/api.md). Keep them stable."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

State = Literal["bot", "queued", "agent", "resolved"]


class CustomerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    external_id: str | None = Field(default=None, max_length=100)
    name: str | None = Field(default=None, max_length=100)
    signature: str | None = Field(default=None, max_length=128)
    # Unix seconds the shop's server signed at: the signature then covers `external_id.ts`
    # and expires (see docs/api.md).
    ts: int | None = Field(default=None, ge=0, le=2**40)


class OpenConversationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer: CustomerIn | None = None
    language: Literal["zh", "en"] | None = None


class QueueOut(BaseModel):
    position: int
    eta_seconds: int


class OpenConversationOut(BaseModel):
    id: str
    customer_token: str
    state: State


class QuickReplyOut(BaseModel):
    label: str
    payload: str


class AttachmentRefOut(BaseModel):
    """A photo or video on a message (tandem.attachments); `url` needs the same credentials
    as the conversation (the customer's token, or the owning agent / a supervisor)."""

    id: str
    kind: Literal["image", "video"]
    content_type: str
    size_bytes: int
    width: int | None = None
    height: int | None = None
    url: str
    thumbnail_url: str | None = None


class MessageOut(BaseModel):
    id: str
    seq: int
    author: Literal["customer", "bot", "agent", "system"]
    text: str
    payload: str | None = None
    quick_replies: list[QuickReplyOut] | None = None
    client_msg_id: str | None = None
    agent_name: str | None = None
    created_at: datetime
    attachments: list[AttachmentRefOut] = []


class SendMessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=2000)
    client_msg_id: str | None = Field(default=None, max_length=100)
    payload: str | None = Field(default=None, max_length=200)

    @field_validator("client_msg_id")
    @classmethod
    def _blank_id_is_none(cls, v: str | None) -> str | None:
        # An empty id names no message: two of them are two messages, not one retried.
        v = (v or "").strip()
        if v.startswith("desk:"):
            raise ValueError("client_msg_id must not start with 'desk:' (the desk's own ids)")
        return v or None


class ConversationStateOut(BaseModel):
    state: State
    queue: QueueOut | None = None


class SendMessageOut(BaseModel):
    message: MessageOut
    replies: list[MessageOut]
    conversation: ConversationStateOut


class ConversationOut(BaseModel):
    id: str
    state: State
    language: str
    queue: QueueOut | None = None
    last_seq: int
    rating: Literal["satisfied", "unsatisfied"] | None = None
    created_at: datetime
    agent_name: str | None = None


class MessagesOut(BaseModel):
    messages: list[MessageOut]
    last_seq: int


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rating: Literal["satisfied", "unsatisfied"]
    comment: str | None = Field(default=None, max_length=1000)


class EventOut(BaseModel):
    """One realtime event (docs/events.md)."""

    type: str
    conversation_id: str
    seq: int
    data: dict[str, Any]
    at: datetime
