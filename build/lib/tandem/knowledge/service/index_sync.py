"""Keeping the retrieval index in step with committed data.

The retrieval index changes only once the transaction that changed the entry commits: each
use case queues its index operations on the session, and a listener applies them after the
commit (and drops them on rollback). So the index never shows an entry the database lost,
and the very next search after the commit sees the change, without a restart.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from tandem.knowledge.index import IndexedEntry, KnowledgeIndex
from tandem.knowledge.models import (
    KnowledgeEntry,
)

DEMO_FAQ = Path(__file__).parent / "data" / "demo_faq.jsonl"
_PENDING = "tandem.knowledge.index_ops"


_PENDING = "tandem.knowledge.index_ops"
_LISTENING = "tandem.knowledge.listening"


def _apply_pending(sync_session: Session) -> None:
    for op in sync_session.info.pop(_PENDING, []):
        op()


def _drop_pending(sync_session: Session, _transaction: Any = None) -> None:
    sync_session.info.pop(_PENDING, None)


def _after_commit(session: AsyncSession, op: Callable[[], None]) -> None:
    sync_session = session.sync_session
    if not sync_session.info.get(_LISTENING):
        # Sessions live for one request or job, so the listeners die with them.
        event.listen(sync_session, "after_commit", _apply_pending)
        event.listen(sync_session, "after_soft_rollback", _drop_pending)
        sync_session.info[_LISTENING] = True
    sync_session.info.setdefault(_PENDING, []).append(op)


def indexed(entry: KnowledgeEntry) -> IndexedEntry:
    return IndexedEntry(
        id=entry.id,
        question=entry.question,
        alternatives=tuple(entry.alternatives or ()),
        answer=entry.answer,
        intent=entry.intent,
        language=entry.language,
        tags=tuple(entry.tags or ()),
    )


def sync_index(session: AsyncSession, index: KnowledgeIndex | None, entry: KnowledgeEntry) -> None:
    if index is None:
        return
    if entry.status == "live":
        item = indexed(entry)
        _after_commit(session, lambda: index.upsert(item))
    else:
        entry_id = entry.id
        _after_commit(session, lambda: index.remove(entry_id))


async def load_index(session: AsyncSession, index: KnowledgeIndex | None = None) -> KnowledgeIndex:
    """An index of every live entry (start-up). Fills `index` when given, else a new one."""
    index = index if index is not None else KnowledgeIndex()
    rows = await session.scalars(select(KnowledgeEntry).where(KnowledgeEntry.status == "live"))
    for entry in rows:
        index.upsert(indexed(entry))
    return index
