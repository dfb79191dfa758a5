"""Writing and reading entries: create, edit, retire, list, history (every change versioned)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tandem.core.errors import Conflict, InvalidInput, NotFound
from tandem.core.ids import new_id
from tandem.db.session import clock_of
from tandem.knowledge.formats import EntryDraft
from tandem.knowledge.index import KnowledgeIndex
from tandem.knowledge.models import (
    KnowledgeEntry,
    KnowledgeEntryVersion,
)
from tandem.knowledge.service.index_sync import stamp, sync_index


def _snapshot(entry: KnowledgeEntry) -> dict[str, Any]:
    return {
        "question": entry.question,
        "alternatives": list(entry.alternatives or ()),
        "answer": entry.answer,
        "intent": entry.intent,
        "tags": list(entry.tags or ()),
        "language": entry.language,
        "status": entry.status,
    }


def _record_version(
    session: AsyncSession, entry: KnowledgeEntry, change: str, actor: str | None, at: datetime
) -> None:
    session.add(
        KnowledgeEntryVersion(
            entry_id=entry.id,
            version=entry.version,
            change=change,
            snapshot=_snapshot(entry),
            changed_by=actor,
            changed_at=at,
        )
    )


async def get_entry(session: AsyncSession, entry_id: str) -> KnowledgeEntry | None:
    return await session.get(KnowledgeEntry, entry_id)


async def require_entry(session: AsyncSession, entry_id: str) -> KnowledgeEntry:
    entry = await session.get(KnowledgeEntry, entry_id)
    if entry is None:
        raise NotFound(
            f"knowledge entry {entry_id} does not exist; list entries at /api/v1/kb/entries"
        )
    return entry


async def create_entry(
    session: AsyncSession,
    index: KnowledgeIndex | None,
    draft: EntryDraft,
    *,
    actor: str | None,
    status: str = "live",
    source: str = "written",
    conversation_id: str | None = None,
    change: str = "created",
    flush: bool = True,
) -> KnowledgeEntry:
    """A new entry (live by default: searchable once the transaction commits).

    `flush=False` lets a bulk import batch its inserts.
    """
    now = clock_of(session).now()
    entry = KnowledgeEntry(
        id=draft.id or new_id("kb"),
        question=draft.question,
        alternatives=list(draft.alternatives),
        answer=draft.answer,
        intent=draft.intent,
        tags=list(draft.tags),
        language=draft.language,
        status=status,
        source=source,
        source_conversation_id=conversation_id,
        updated_by=actor,
        created_at=now,
        updated_at=now,
        version=1,
    )
    await stamp(session, entry)
    session.add(entry)
    _record_version(session, entry, change, actor, now)
    if flush:
        await session.flush()
    sync_index(session, index, entry)
    return entry


async def update_entry(
    session: AsyncSession,
    index: KnowledgeIndex | None,
    entry_id: str,
    draft: EntryDraft,
    *,
    actor: str | None,
    status: str | None = None,
    expected_version: int | None = None,
    change: str = "updated",
    flush: bool = True,
) -> KnowledgeEntry:
    """Replace the entry's content; `expected_version` guards against overwriting an edit."""
    entry = await require_entry(session, entry_id)
    if expected_version is not None and expected_version != entry.version:
        raise Conflict(
            f"entry {entry_id} changed since you opened it (now version {entry.version}); "
            "reload it and apply your edit again"
        )
    entry.question = draft.question
    entry.alternatives = list(draft.alternatives)
    entry.answer = draft.answer
    entry.intent = draft.intent
    entry.tags = list(draft.tags)
    entry.language = draft.language
    if status is not None:
        _check_status(status)
        entry.status = status
    entry.version += 1
    entry.updated_by = actor
    entry.updated_at = clock_of(session).now()
    await stamp(session, entry)
    _record_version(session, entry, change, actor, entry.updated_at)
    if flush:
        await session.flush()
    sync_index(session, index, entry)
    return entry


def _check_status(status: str) -> None:
    if status not in ("live", "pending", "retired"):
        raise InvalidInput(f"status must be live, pending or retired, not {status!r}")


async def set_status(
    session: AsyncSession,
    index: KnowledgeIndex | None,
    entry_id: str,
    status: str,
    *,
    actor: str | None,
) -> KnowledgeEntry:
    """Retire, restore (live) or hold (pending) an entry; the index follows at commit."""
    _check_status(status)
    entry = await require_entry(session, entry_id)
    if entry.status == status:
        return entry
    entry.status = status
    entry.version += 1
    entry.updated_by = actor
    entry.updated_at = clock_of(session).now()
    await stamp(session, entry)
    await session.flush()
    _record_version(
        session, entry, "retired" if status == "retired" else "status", actor, entry.updated_at
    )
    sync_index(session, index, entry)
    return entry


async def list_entries(
    session: AsyncSession,
    *,
    q: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[KnowledgeEntry], int]:
    stmt = select(KnowledgeEntry)
    if status:
        stmt = stmt.where(KnowledgeEntry.status == status)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(
            or_(
                KnowledgeEntry.question.ilike(like),
                KnowledgeEntry.answer.ilike(like),
                KnowledgeEntry.id == q.strip(),
            )
        )
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = await session.scalars(
        stmt.order_by(KnowledgeEntry.updated_at.desc(), KnowledgeEntry.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


async def entry_history(session: AsyncSession, entry_id: str) -> list[KnowledgeEntryVersion]:
    await require_entry(session, entry_id)
    rows = await session.scalars(
        select(KnowledgeEntryVersion)
        .where(KnowledgeEntryVersion.entry_id == entry_id)
        .order_by(KnowledgeEntryVersion.version.desc(), KnowledgeEntryVersion.id.desc())
    )
    return list(rows)
