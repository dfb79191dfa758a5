"""Desk API bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tandem.conversations.schemas import MessageOut
from tandem.desk.copilot import unfilled


class AgentReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000)
    client_msg_id: str | None = Field(default=None, max_length=100)

    @field_validator("text")
    @classmethod
    def _no_unfilled_variable(cls, v: str) -> str:
        # A suggestion or canned reply keeps a {variable} it had no value for, for the agent to
        # type (copilot.fill): one left in must never reach the customer.
        left = unfilled(v)
        if left:
            names = "、".join(left)
            raise ValueError(
                f"回复里还有未填写的 {names}，请换成实际内容再发送；"
                f"replace {', '.join(left)} with the real value before sending"
            )
        return v


class TransferIn(BaseModel):
    """To a colleague (`agent_id`), to a skill's queue (`skill`), or, with neither, back to
    the front of the conversation's own queue."""

    model_config = ConfigDict(extra="forbid")
    agent_id: str | None = None
    skill: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, max_length=500)


class EscalateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(default=None, max_length=500)


class PresenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    presence: Literal["online", "away", "break", "offline"]
    # Only for a break: how long, 1-120 minutes (15 if not given).
    break_minutes: int | None = Field(default=None, ge=1, le=120)


class ConversationSummaryOut(BaseModel):
    id: str
    state: str
    customer_name: str | None
    customer_tier: str | None = None
    customer_external_id: str | None
    last_customer_at: datetime | None = None
    assigned_at: datetime | None = None
    waited_seconds: int | None = None
    emotion: dict[str, Any] | None = None
    tags: list[str] = []
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


class MaskedPiece(BaseModel):
    text: str | None = None
    masked: bool = False
    kind: str | None = None
    length: int | None = None


class DeskMessageOut(MessageOut):
    """A message as the desk shows it: abusive words of a customer masked, kinds named."""

    masked: bool = False
    segments: list[MaskedPiece] | None = None
    abuse_kinds: list[str] = []
    emotion: str | None = None


class ConversationDetailOut(BaseModel):
    conversation: ConversationSummaryOut
    notes: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    messages: list[DeskMessageOut]
    decisions: list[dict[str, Any]]


class RevealOut(BaseModel):
    message_id: str
    text: str
    revealed_by: str
    at: datetime


class AgentOut(BaseModel):
    id: str
    username: str
    display_name: str
    role: str
    presence: str
    active_conversations: int
    max_concurrent: int
    skills: list[str]
    exposure: float = 0.0
    break_until: datetime | None = None
    break_suggested: bool = False
    break_reasons: list[str] = []
    alert_level: str | None = None


class FiguresOut(BaseModel):
    day_start: datetime
    closed: int
    rated: int
    positive: int
    positive_rate: float | None
    avg_handle_seconds: int | None


class CopilotSuggestionOut(BaseModel):
    source: Literal["knowledge", "colleagues"]
    text: str
    score: float
    question: str
    ref: str


class CannedOut(BaseModel):
    id: str
    title: str
    template: str
    text: str


class CopilotOut(BaseModel):
    query: str
    suggestions: list[CopilotSuggestionOut]
    canned: list[CannedOut]
    proposal: dict[str, Any] | None = None


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=2000)


class TagIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tag: str = Field(max_length=64)
