"""Desk API bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tandem.conversations.schemas import MessageOut


class AgentReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000)
    client_msg_id: str | None = Field(default=None, max_length=100)


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Another agent's id; null puts the conversation back at the front of the queue.
    agent_id: str | None = None
    note: str | None = Field(default=None, max_length=500)


class ConversationSummaryOut(BaseModel):
    id: str
    state: str
    customer_name: str | None
    customer_external_id: str | None
    language: str
    priority: int
    handoff_reason: str | None
    queued_at: datetime | None
    assigned_agent_id: str | None
    assigned_agent_name: str | None = None
    position: int | None = None
    eta_seconds: int | None = None
    last_message: str | None = None
    updated_at: datetime
    rating: str | None = None
    skill: str | None = None
    flagged: bool = False
    callback_at: datetime | None = None
    handoff_packet: dict[str, Any] | None = None


class ConversationDetailOut(BaseModel):
    conversation: ConversationSummaryOut
    messages: list[MessageOut]
    decisions: list[dict[str, Any]]


class AgentOut(BaseModel):
    id: str
    username: str
    display_name: str
    role: str
    presence: str
    active_conversations: int
    max_concurrent: int
    skills: list[str]
