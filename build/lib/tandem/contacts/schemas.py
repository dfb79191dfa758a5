"""Contact blocks as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class BlockIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    conversation_id: str = Field(max_length=40)
    reason: str = Field(min_length=1, max_length=500)


class UnblockIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(default="", max_length=500)


class BlockOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    kind: Literal["customer", "ip"]
    value: str
    active: bool
    reason: str
    conversation_id: str | None
    blocked_by: str
    blocked_at: datetime
    unblocked_by: str | None
    unblocked_at: datetime | None
    unblock_reason: str | None
