"""The queue's rows kept in memory, per process, keyed by the queue version.

Every transaction that writes `routing_queue` writes its rows at `PENDING` (`touch`) and, as
its last statements before it commits, bumps the one-row version (`UPDATE ... SET version =
version + 1 RETURNING version`) and stamps its pending rows with it. The version row's lock
(PostgreSQL; SQLite has one writer) is held from there to the commit, so versions commit in
order; it is the last lock such a transaction takes and nothing is waited for while it is held,
so it cannot deadlock with the rows and accounts the transaction locked before. A reader asks
for the version (one primary-key SELECT): unchanged, it reuses the rows it holds; changed, it
reads only the rows stamped after the version it holds (an index on `routing_queue.version`)
and applies them. So a snapshot costs what changed since the last one, not the queue's length,
and another process's change is seen on the next read of the version.

What is held (`QueueRows`, immutable, one per version): the waiting rows with what each
customer was last told, and the rows that ended but joined within the rate window (the
observed arrivals). A transaction with rows pending reads them through the same delta (they
are above every version) but never stores what it read: if it rolls back, nothing held is
wrong.

Below `routing.service` (which builds the snapshot from this): it imports only tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from tandem.conversations.models import Conversation
from tandem.db.session import before_commit, hooked
from tandem.routing.entries import ENTRY_COLUMNS, entry_of_columns
from tandem.routing.models import WAITING, QueueRow, QueueVersion
from tandem.routing.policy import QueueEntry

__all__ = [
    "PENDING",
    "QueueMemory",
    "QueueRows",
    "Told",
    "memory_of",
    "queue_rows",
    "read_version",
    "touch",
]

_VERSION_ID = 1
# The version of a row written by a transaction that has not committed yet: above all others.
PENDING = 2**31 - 1
# Where a row continues after `ENTRY_COLUMNS`: what the customer was told (position, wait,
# first estimate), the conversation's state and callback, then the row's own state.
_TOLD = len(ENTRY_COLUMNS)
_ROW_COLUMNS = (
    *ENTRY_COLUMNS,
    QueueRow.announced_position,
    QueueRow.announced_eta_seconds,
    QueueRow.first_estimate_seconds,
    Conversation.state,
    Conversation.callback_at,
    QueueRow.state,
)
_ROW_STATE = len(_ROW_COLUMNS) - 1
# The key the process's memory is kept under in the session factory's `info` (shared by
# every session the factory makes: one per process and database).
_MEMORY_KEY = "routing_queue_memory"


class Told(NamedTuple):
    """What a waiting customer was last told, kept on their waiting row, and the callback
    their ticket promises (their wait is at least until then). A tuple: one per waiting
    customer in every snapshot."""

    row_id: str
    position: int | None
    eta_seconds: int | None
    first_estimate_seconds: int | None
    callback_at: datetime | None = None


@dataclass(frozen=True)
class QueueRows:
    """The queue's rows at one version. `entries`: one per waiting conversation (its newest
    waiting row, should two instances have enqueued it at once), in row order; `waiting`: every
    waiting row's entry, in row order; `told`: per waiting conversation; `ended`: entries of
    rows no longer waiting that joined after `since` (the arrivals the rate is observed from)."""

    version: int | None
    since: datetime
    rows: dict[str, Any]
    entries: tuple[QueueEntry, ...]
    waiting: tuple[QueueEntry, ...]
    told: dict[str, Told]
    ended: dict[str, QueueEntry]

    def recent(self, start: datetime) -> list[QueueEntry]:
        """The arrivals after `start` (>= `since`): ended rows, then waiting ones."""
        out = [e for e in self.ended.values() if e.enqueued_at > start]
        out += [e for e in self.waiting if e.enqueued_at > start]
        return out


class QueueMemory:
    """The rows one process holds (the newest version it has read), shared by its sessions."""

    def __init__(self) -> None:
        self.held: QueueRows | None = None
        self.reads = 0  # full reads of the queue, for tests and benchmarks
        self.deltas = 0  # reads of the rows written since the version held

    def keep(self, rows: QueueRows) -> None:
        if rows.version is None:
            return
        if self.held is None or self.held.version is None or rows.version >= self.held.version:
            self.held = rows


def memory_of(session: AsyncSession) -> QueueMemory | None:
    """The process's queue memory, if the session's factory carries one (`build_sessionmaker`
    gives every factory one; a bare session reads the queue whole every time)."""
    shared = session.info.get("shared")
    if not isinstance(shared, dict):
        return None
    memory = shared.get(_MEMORY_KEY)
    if memory is None:
        memory = shared[_MEMORY_KEY] = QueueMemory()
    return memory if isinstance(memory, QueueMemory) else None


async def read_version(session: AsyncSession) -> int | None:
    """The queue version as this transaction sees it (None: no version row, never cached)."""
    value = await session.scalar(select(QueueVersion.version).where(QueueVersion.id == _VERSION_ID))
    return None if value is None else int(value)


async def touch(session: AsyncSession) -> int:
    """The version this transaction writes queue rows at: `PENDING`, stamped with the bumped
    version just before the commit (see the module docstring). A session that cannot run a
    hook before its commit bumps the version now and writes at it."""
    if before_commit(session, _STAMP_KEY, _stamp):
        return PENDING
    return await session.run_sync(_bump)


def _bump(session: Session) -> int:
    table = QueueVersion.__table__
    value = session.execute(
        update(table)  # type: ignore[arg-type]
        .where(table.c.id == _VERSION_ID)
        .values(version=table.c.version + 1)
        .returning(table.c.version)
    ).scalar()
    if value is None:  # a database made without the migrations' row
        value = 2
        session.execute(insert(table).values(id=_VERSION_ID, version=value))  # type: ignore[arg-type]
    return int(value)


def _stamp(session: Session) -> None:
    version = _bump(session)
    table = QueueRow.__table__
    session.execute(
        update(table)  # type: ignore[arg-type]
        .where(table.c.version == PENDING)
        .values(version=version)
    )


def _pending_here(session: AsyncSession) -> bool:
    return hooked(session, _STAMP_KEY)


_STAMP_KEY = "routing_queue_stamp"


def _select_rows() -> Any:
    return select(*_ROW_COLUMNS).outerjoin(
        Conversation, Conversation.id == QueueRow.conversation_id
    )


def _build(
    version: int | None, since: datetime, rows: dict[str, Any], ended: dict[str, QueueEntry]
) -> QueueRows:
    waiting: list[QueueEntry] = []
    by_conversation: dict[str, tuple[Any, QueueEntry]] = {}
    for row_id in sorted(rows):
        r, e = rows[row_id]
        waiting.append(e)
        by_conversation[e.conversation_id] = (r, e)  # the newest row wins
    told = {
        cid: Told(
            r[0],
            r[_TOLD],
            r[_TOLD + 1],
            r[_TOLD + 2],
            r[_TOLD + 4] if r[_TOLD + 3] == "queued" else None,
        )
        for cid, (r, _) in by_conversation.items()
    }
    return QueueRows(
        version=version,
        since=since,
        rows=rows,
        entries=tuple(e for _, e in by_conversation.values()),
        waiting=tuple(waiting),
        told=told,
        ended=ended,
    )


async def _read_all(session: AsyncSession, version: int | None, since: datetime) -> QueueRows:
    found: Sequence[Any] = (
        await session.execute(
            _select_rows().where((QueueRow.state == WAITING) | (QueueRow.enqueued_at > since))
        )
    ).all()
    rows: dict[str, Any] = {}
    ended: dict[str, QueueEntry] = {}
    for r in found:
        if r[_ROW_STATE] == WAITING:
            rows[r[0]] = (r, entry_of_columns(r))
        else:
            ended[r[0]] = entry_of_columns(r)
    return _build(version, since, rows, ended)


async def _read_since(
    session: AsyncSession, held: QueueRows, version: int, start: datetime
) -> QueueRows:
    """`held` with the rows written after its version applied (and the ended rows that
    left the window `start` opens dropped)."""
    assert held.version is not None
    found: Sequence[Any] = (
        await session.execute(_select_rows().where(QueueRow.version > held.version))
    ).all()
    rows = dict(held.rows)
    since = max(held.since, start - _SLACK)
    ended = {k: e for k, e in held.ended.items() if e.enqueued_at > since}
    for r in found:
        rows.pop(r[0], None)
        ended.pop(r[0], None)
        if r[_ROW_STATE] == WAITING:
            rows[r[0]] = (r, entry_of_columns(r))
        elif r[3] > since:  # enqueued_at
            ended[r[0]] = entry_of_columns(r)
    return _build(version, since, rows, ended)


async def queue_rows(session: AsyncSession, start: datetime) -> QueueRows:
    """The queue's rows as this transaction sees them, arrivals from `start` on: from the
    process's memory when the version has not moved, the rows written since when it has, the
    whole queue when nothing usable is held (first read, a clock set back before the window
    held, a version that went back: another database)."""
    memory = memory_of(session)
    version = await read_version(session)
    held = memory.held if memory is not None else None
    pending = _pending_here(session)
    if (
        held is not None
        and held.version is not None
        and version is not None
        and held.version <= version
        and start >= held.since
    ):
        if held.version == version and not pending:
            return held
        assert memory is not None
        memory.deltas += 1
        rows = await _read_since(session, held, version, start)
    else:
        if memory is not None:
            memory.reads += 1
        rows = await _read_all(session, version, start - _SLACK)
    if memory is not None and not pending:
        memory.keep(rows)
    return rows


# A full read holds the arrivals a little further back than asked, so a clock that steps back
# a moment (another request's `now`, a test's clocks) still reads from memory.
_SLACK = timedelta(minutes=5)
