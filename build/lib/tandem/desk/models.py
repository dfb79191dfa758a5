"""Desk records: which masked message an agent chose to read, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base


class Reveal(Base):
    """An agent revealed an abusive message the desk masks by default (who, when, which)."""

    __tablename__ = "desk_reveals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(40), index=True)
    conversation_id: Mapped[str] = mapped_column(String(40), index=True)
    agent_id: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column()
