"""Keeping the retrieval index in step with committed data, in this process and in others.

In this process, the index changes only once the transaction that changed the entry commits:
each use case queues its index operations on the session, and a listener applies them after
the commit (and drops them on rollback). So the index never shows an entry the database lost,
and the very next search after the commit sees the change, without a restart.

Other writers (another server instance, `tandem kb import` against the server's database)
are followed through a revision counter: every transaction that changes entries raises
`knowledge_revision.value` once and stamps the entries it changed with the new value. A
server reads the counter (one primary-key read) every few seconds, and when it moved, applies
only the entries stamped above the revision its index reflects. Raising the counter locks its
row until the transaction ends, so revisions commit in order and none is skipped.

With Redis configured, a server that follows also announces each of its own committed
revisions on the `tandem:knowledge` channel, and every follower catches up as soon as it hears
one: instances see each other's edits at once, and the poll stays as the safety net (for a CLI
import, which announces nothing, and for a lost message).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from tandem.knowledge.index import IndexedEntry, KnowledgeIndex
from tandem.knowledge.models import KnowledgeEntry, KnowledgeRevision

log = logging.getLogger("tandem.knowledge")

_PENDING = "tandem.knowledge.index_ops"
_REVISION = "tandem.knowledge.revision"
_LISTENING = "tandem.knowledge.listening"
# How often a server looks for changes other writers made (one indexed read each time).
FOLLOW_EVERY_SECONDS = 3.0
CHANNEL = "tandem:knowledge"
# Set while this process follows through Redis: its own commits are announced there.
_announcer: Redis | None = None
_announcing: set[asyncio.Task[Any]] = set()


def _apply_pending(sync_session: Session) -> None:
    revision = sync_session.info.pop(_REVISION, None)
    for op in sync_session.info.pop(_PENDING, []):
        op()
    if revision is not None and _announcer is not None:
        task = asyncio.get_running_loop().create_task(_announce(_announcer, revision))
        _announcing.add(task)
        task.add_done_callback(_announcing.discard)


async def _announce(redis: Redis, revision: int) -> None:
    try:
        await redis.publish(CHANNEL, str(revision))
    except Exception:  # the others still poll
        log.warning("knowledge: could not announce revision %d on Redis", revision)


def _drop_pending(sync_session: Session, _transaction: Any = None) -> None:
    sync_session.info.pop(_REVISION, None)
    sync_session.info.pop(_PENDING, None)


def _listen(session: AsyncSession) -> Session:
    sync_session = session.sync_session
    if not sync_session.info.get(_LISTENING):
        # Sessions live for one request or job, so the listeners die with them.
        event.listen(sync_session, "after_commit", _apply_pending)
        event.listen(sync_session, "after_soft_rollback", _drop_pending)
        sync_session.info[_LISTENING] = True
    return sync_session


def _after_commit(session: AsyncSession, op: Callable[[], None]) -> None:
    _listen(session).info.setdefault(_PENDING, []).append(op)


async def stamp(session: AsyncSession, entry: KnowledgeEntry) -> None:
    """Mark the entry as changed by this transaction (the counter is raised once for it)."""
    sync_session = _listen(session)
    revision = sync_session.info.get(_REVISION)
    if revision is None:
        raised = await session.scalar(
            update(KnowledgeRevision)
            .where(KnowledgeRevision.id == 1)
            .values(value=KnowledgeRevision.value + 1)
            .returning(KnowledgeRevision.value)
        )
        if raised is None:  # a schema made without the migration's first row
            session.add(KnowledgeRevision(id=1, value=1))
            await session.flush()
            raised = 1
        revision = sync_session.info[_REVISION] = int(raised)
    entry.revision = revision


def indexed(entry: KnowledgeEntry) -> IndexedEntry:
    return IndexedEntry(
        id=entry.id,
        question=entry.question,
        alternatives=tuple(entry.alternatives or ()),
        answer=entry.answer,
        intent=entry.intent,
        language=entry.language,
        tags=tuple(entry.tags or ()),
        version=entry.version,
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


async def current_revision(session: AsyncSession) -> int:
    value = await session.scalar(select(KnowledgeRevision.value).where(KnowledgeRevision.id == 1))
    return int(value or 0)


async def load_index(session: AsyncSession, index: KnowledgeIndex | None = None) -> KnowledgeIndex:
    """An index of every live entry (start-up). Fills `index` when given, else a new one."""
    index = index if index is not None else KnowledgeIndex()
    # The revision first: a change committed while the entries load is applied again later
    # (harmless), never missed.
    revision = await current_revision(session)
    rows = await session.scalars(select(KnowledgeEntry).where(KnowledgeEntry.status == "live"))
    live = [indexed(entry) for entry in rows]
    if live:
        index.upsert_many(live)
    index.revision = max(index.revision, revision)
    return index


async def catch_up(session: AsyncSession, index: KnowledgeIndex) -> int:
    """Apply the entries other writers changed since the index's revision; returns how many
    entries changed in the index (0, after one read, when nothing did)."""
    revision = await current_revision(session)
    if revision <= index.revision:
        return 0
    rows = await session.scalars(
        select(KnowledgeEntry).where(
            KnowledgeEntry.revision > index.revision, KnowledgeEntry.revision <= revision
        )
    )
    live: list[IndexedEntry] = []
    removed = 0
    for entry in rows:
        held = index.get(entry.id)
        if entry.status == "live":
            if held is None or held.version != entry.version:
                live.append(indexed(entry))
        elif held is not None:
            index.remove(entry.id)
            removed += 1
    if live:
        index.upsert_many(live)
    index.revision = revision
    return len(live) + removed


async def follow_changes(
    sessions: async_sessionmaker[AsyncSession],
    index: KnowledgeIndex,
    every: float = FOLLOW_EVERY_SECONDS,
    *,
    redis_url: str | None = None,
    on_change: Callable[[int], None] | None = None,
    listening: asyncio.Event | None = None,
) -> None:
    """Run for the server's lifetime: catch up with other writers every `every` seconds, and
    at once on a Redis announcement when `redis_url` is set. `on_change(n)` after each catch
    up that changed n entries; `listening` is set once subscribed (or at once without Redis)."""
    global _announcer
    redis = Redis.from_url(redis_url) if redis_url else None
    pubsub = redis.pubsub() if redis is not None else None
    try:
        if pubsub is not None:
            await pubsub.subscribe(CHANNEL)
            _announcer = redis
        if listening is not None:
            listening.set()
        while True:
            if pubsub is None:
                await asyncio.sleep(every)
            else:
                # Wakes on an announcement, or after `every` seconds without one.
                try:
                    await pubsub.get_message(ignore_subscribe_messages=True, timeout=every)
                except Exception:  # Redis away: poll until it is back
                    log.warning("knowledge: Redis unavailable, polling every %.0f s", every)
                    await asyncio.sleep(every)
            await _follow_once(sessions, index, on_change)
    finally:
        if redis is not None:
            if _announcer is redis:
                _announcer = None
            with suppress(Exception):
                await pubsub.aclose()  # type: ignore[union-attr]
            await redis.aclose()


async def _follow_once(
    sessions: async_sessionmaker[AsyncSession],
    index: KnowledgeIndex,
    on_change: Callable[[int], None] | None,
) -> None:
    try:
        async with sessions() as session:
            changed = await catch_up(session, index)
    except Exception:  # a failed look must not stop the next one
        log.exception("knowledge: catching up with other writers failed")
        return
    if changed:
        log.info("knowledge: %d entries changed elsewhere are live here", changed)
        if on_change is not None:
            on_change(changed)
