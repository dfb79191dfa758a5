"""Every call to the LLM, whatever came of it (used, rejected by the guard, timed out, failed,
skipped over budget): what supervisors read and what the day's budget is counted from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tandem.core.clock import utcnow
from tandem.db.base import Base

OUTCOMES = ("used", "rejected", "timeout", "error", "over_budget")


class LlmCall(Base):
    __tablename__ = "llm_calls"
    __table_args__ = (Index("ix_llm_calls_created", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    purpose: Mapped[str] = mapped_column(String(16))  # reword | draft | summary
    conversation_id: Mapped[str | None] = mapped_column(String(40), index=True)
    model: Mapped[str] = mapped_column(String(100))
    prompt_hash: Mapped[str] = mapped_column(String(64))
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    latency_ms: Mapped[int] = mapped_column(Integer, default=0)
    cost_yuan: Mapped[float] = mapped_column(Float, default=0.0)
    outcome: Mapped[str] = mapped_column(String(16))
    # Why the guard rejected it (number:…, promise:…, transfer, wrong_language…).
    reasons: Mapped[list[Any] | None] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(8), default="zh")
    template: Mapped[str | None] = mapped_column(Text)
    output: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
