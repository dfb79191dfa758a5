"""Desk records: which masked message an agent chose to read, internal notes and tags."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
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


class Note(Base):
    """An internal note on a conversation, for colleagues only: never sent to the customer.
    `kind` "note" (written in the desk) or "transfer" (left when passing the chat on)."""

    __tablename__ = "desk_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(40), index=True)
    author_id: Mapped[str] = mapped_column(String(40))
    author_name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16), default="note")
    text: Mapped[str] = mapped_column(String(2000))
    at: Mapped[datetime] = mapped_column()


class Tag(Base):
    """A label an agent put on a conversation (退款, 物流异常, VIP…), one row per tag."""

    __tablename__ = "desk_tags"
    __table_args__ = (UniqueConstraint("conversation_id", "tag", name="uq_desk_tags_tag"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(40), index=True)
    tag: Mapped[str] = mapped_column(String(32))
    added_by: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column()
