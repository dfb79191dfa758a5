"""Pydantic shapes of the knowledge API (kept apart from the tables)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from tandem.knowledge.index import Match, SearchResult
from tandem.knowledge.models import KnowledgeCandidate, KnowledgeEntry, KnowledgeEntryVersion
from tandem.knowledge.service import Gap


class EntryIn(BaseModel):
    question: str = Field(min_length=1, max_length=500)
    alternatives: list[str] = Field(default_factory=list, max_length=100)
    answer: str = Field(min_length=1, max_length=5000)
    intent: str | None = None
    tags: list[str] = Field(default_factory=list, max_length=30)
    language: str | None = None
    status: str = "live"

    def raw(self) -> dict[str, Any]:
        return self.model_dump(exclude={"status"})


class EntryUpdateIn(EntryIn):
    # The version the editor started from; a newer stored version means someone else edited.
    version: int | None = None


class StatusIn(BaseModel):
    status: str


class EntryOut(BaseModel):
    id: str
    question: str
    alternatives: list[str]
    answer: str
    intent: str | None
    tags: list[str]
    language: str
    status: str
    source: str
    source_conversation_id: str | None
    updated_by: str | None
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, e: KnowledgeEntry) -> EntryOut:
        return cls(
            id=e.id,
            question=e.question,
            alternatives=list(e.alternatives or ()),
            answer=e.answer,
            intent=e.intent,
            tags=list(e.tags or ()),
            language=e.language,
            status=e.status,
            source=e.source,
            source_conversation_id=e.source_conversation_id,
            updated_by=e.updated_by,
            updated_at=e.updated_at,
            version=e.version,
        )


class EntryList(BaseModel):
    entries: list[EntryOut]
    total: int


class VersionOut(BaseModel):
    version: int
    change: str
    snapshot: dict[str, Any]
    changed_by: str | None
    changed_at: datetime

    @classmethod
    def of(cls, v: KnowledgeEntryVersion) -> VersionOut:
        return cls(
            version=v.version,
            change=v.change,
            snapshot=v.snapshot,
            changed_by=v.changed_by,
            changed_at=v.changed_at,
        )


class EntryDetail(BaseModel):
    entry: EntryOut
    history: list[VersionOut]


class CandidateOut(BaseModel):
    id: str
    question: str
    alternatives: list[str]
    answer: str
    language: str
    intent: str | None
    occurrences: int
    conversation_ids: list[str]
    status: str
    similar_entry_id: str | None
    similar_question: str | None = None
    entry_id: str | None
    updated_at: datetime

    @classmethod
    def of(cls, c: KnowledgeCandidate, similar_question: str | None = None) -> CandidateOut:
        return cls(
            id=c.id,
            question=c.question,
            alternatives=list(c.alternatives or ()),
            answer=c.answer,
            language=c.language,
            intent=c.intent,
            occurrences=c.occurrences,
            conversation_ids=list(c.conversation_ids or ()),
            status=c.status,
            similar_entry_id=c.similar_entry_id,
            similar_question=similar_question,
            entry_id=c.entry_id,
            updated_at=c.updated_at,
        )


class ApproveIn(BaseModel):
    """Optional edits the reviewer makes before the candidate goes live."""

    question: str | None = Field(default=None, max_length=500)
    alternatives: list[str] | None = None
    answer: str | None = Field(default=None, max_length=5000)
    intent: str | None = None
    tags: list[str] | None = None
    # Approve although a live entry already answers the question (the reviewer knows better).
    allow_duplicate: bool = False


class MergeIn(BaseModel):
    entry_id: str


class GapOut(BaseModel):
    question: str
    count: int
    examples: list[str]
    language: str
    last_seen: datetime
    nearest_entry_id: str | None
    nearest_question: str | None

    @classmethod
    def of(cls, g: Gap) -> GapOut:
        return cls(
            question=g.question,
            count=g.count,
            examples=list(g.examples),
            language=g.language,
            last_seen=g.last_seen,
            nearest_entry_id=g.nearest_entry_id,
            nearest_question=g.nearest_question,
        )


class RowErrorOut(BaseModel):
    row: int
    reason: str


class ImportRowOut(BaseModel):
    row: int
    action: str  # add | update | unchanged | duplicate | failed
    question: str
    entry_id: str | None
    reason: str | None  # why it is skipped or failed, in the page's language
    warning: str | None  # what was changed to import it (an unknown intent dropped)


class ImportOut(BaseModel):
    """What the import did, or with `applied` false (a preview) what it would do."""

    applied: bool
    created: int
    updated: int
    unchanged: int
    duplicates: list[RowErrorOut]
    errors: list[RowErrorOut]
    warnings: list[RowErrorOut]
    rows: list[ImportRowOut]


class PhrasingIn(BaseModel):
    """A knowledge gap's question (and its other phrasings) to add to an entry."""

    entry_id: str = Field(min_length=1, max_length=40)
    phrasings: list[str] = Field(min_length=1, max_length=20)


class MatchOut(BaseModel):
    entry_id: str
    question: str
    answer: str
    confidence: float
    intent: str | None

    @classmethod
    def of(cls, m: Match) -> MatchOut:
        return cls(
            entry_id=m.entry_id,
            question=m.question,
            answer=m.answer,
            confidence=m.confidence,
            intent=m.intent,
        )


class SuggestOut(BaseModel):
    """`answer` is set when the AI itself would answer with it; `matches` are best first."""

    answer: MatchOut | None
    matches: list[MatchOut]

    @classmethod
    def of(cls, r: SearchResult) -> SuggestOut:
        return cls(
            answer=MatchOut.of(r.answer) if r.answer else None,
            matches=[MatchOut.of(m) for m in r.candidates],
        )
