"""Tables of the knowledge package: entries and their history, learning candidates, misses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tandem.db.base import Base

STATUSES = ("live", "pending", "retired")
SOURCES = ("written", "learned")
CANDIDATE_STATUSES = ("open", "approved", "merged", "rejected")


class KnowledgeEntry(Base):
    """One question the shop answers. Only `live` entries are in the retrieval index."""

    __tablename__ = "knowledge_entries"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    alternatives: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer: Mapped[str] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(32), index=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(8), default="zh")
    status: Mapped[str] = mapped_column(String(16), index=True, default="live")
    source: Mapped[str] = mapped_column(String(16), default="written")
    # Set when the entry was learned from a human agent's answer in this conversation.
    source_conversation_id: Mapped[str | None] = mapped_column(String(40))
    updated_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The knowledge revision of the transaction that last changed the entry: a server whose
    # index reflects revision N applies the entries above N (index_sync.catch_up).
    revision: Mapped[int] = mapped_column(Integer, index=True, default=0)


class KnowledgeRevision(Base):
    """One row: the revision of the knowledge base, raised by every transaction that changes
    an entry. Servers read it (one primary-key read) to know whether to catch up."""

    __tablename__ = "knowledge_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class KnowledgeEntryVersion(Base):
    """The entry as it was after each change: who, when, what kind of change."""

    __tablename__ = "knowledge_entry_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(
        ForeignKey("knowledge_entries.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(String(16))  # created|updated|retired|imported|merged
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_by: Mapped[str | None] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column()


class KnowledgeCandidate(Base):
    """A question customers asked and a human answered, waiting for a supervisor's review.

    Near-duplicate questions are merged into one candidate: `occurrences` counts them and
    `alternatives` keeps their phrasings. `similar_entry_id` names a live entry that already
    looks like the same question (then merging into it is the likely decision).
    """

    __tablename__ = "knowledge_candidates"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    alternatives: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="zh")
    intent: Mapped[str | None] = mapped_column(String(32))
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    conversation_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), index=True, default="open")
    similar_entry_id: Mapped[str | None] = mapped_column(String(40))
    entry_id: Mapped[str | None] = mapped_column(String(40))  # the entry it became or joined
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None] = mapped_column()


class KnowledgeMiss(Base):
    """A customer question the AI could not answer from the knowledge base."""

    __tablename__ = "knowledge_misses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    conversation_id: Mapped[str] = mapped_column(String(40), index=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
