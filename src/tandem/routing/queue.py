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

from sqlalchemy import event, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapper, Session, object_session

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
    """The queue's rows at one version (never changed: a new version is a new value).

    `rows`: every waiting row (the row as read, its entry) by row id; `rows_of`: the waiting
    row ids of each conversation (one, unless two instances enqueued it at once); `entries`
    and `told`: per waiting conversation, from its newest waiting row; `ended`: entries of rows
    no longer waiting that joined after `since` (the arrivals the rate is observed from)."""

    version: int | None
    since: datetime
    rows: dict[str, tuple[Any, QueueEntry]]
    rows_of: dict[str, tuple[str, ...]]
    entries: dict[str, QueueEntry]
    told: dict[str, Told]
    ended: dict[str, QueueEntry]

    def recent(self, start: datetime) -> list[QueueEntry]:
        """The arrivals after `start` (>= `since`): ended rows, then waiting ones."""
        out = [e for e in self.ended.values() if e.enqueued_at > start]
        out += [e for _, e in self.rows.values() if e.enqueued_at > start]
        return out

    def applied(self, found: Sequence[Any], version: int | None, since: datetime) -> QueueRows:
        """These rows with `found` (rows as read, written since) applied, at `version`; the
        ended rows that joined before `since` dropped. Costs what `found` holds (and copies
        of the dicts), not the queue's length."""
        rows, rows_of = dict(self.rows), dict(self.rows_of)
        entries, told = dict(self.entries), dict(self.told)
        ended = (
            dict(self.ended)
            if since == self.since
            else {k: e for k, e in self.ended.items() if e.enqueued_at > since}
        )
        touched: set[str] = set()
        for r in found:
            row_id, cid = r[0], r[1]
            if rows.pop(row_id, None) is not None:
                rows_of[cid] = tuple(i for i in rows_of.get(cid, ()) if i != row_id)
            ended.pop(row_id, None)
            entry = entry_of_columns(r)
            if r[_ROW_STATE] == WAITING:
                rows[row_id] = (r, entry)
                rows_of[cid] = (*rows_of.get(cid, ()), row_id)
            elif entry.enqueued_at > since:
                ended[row_id] = entry
            touched.add(cid)
        for cid in touched:
            ids = rows_of.get(cid, ())
            if not ids:
                rows_of.pop(cid, None)
                entries.pop(cid, None)
                told.pop(cid, None)
                continue
            r, entry = rows[max(ids)]  # the newest row wins
            entries[cid] = entry
            told[cid] = Told(
                r[0],
                r[_TOLD],
                r[_TOLD + 1],
                r[_TOLD + 2],
                r[_TOLD + 4] if r[_TOLD + 3] == "queued" else None,
            )
        return QueueRows(version, since, rows, rows_of, entries, told, ended)


def _nothing(since: datetime) -> QueueRows:
    return QueueRows(None, since, {}, {}, {}, {}, {})


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


@event.listens_for(QueueRow, "before_insert")
@event.listens_for(QueueRow, "before_update")
def _written(_mapper: Mapper[QueueRow], _connection: Any, row: QueueRow) -> None:
    """A queue row written through the ORM (added, or its attributes changed) is pending
    too, whoever wrote it: no writer can forget to bump the version."""
    session = object_session(row)
    if session is not None and before_commit(session, _STAMP_KEY, _stamp):
        row.version = PENDING


def _pending_here(session: AsyncSession) -> bool:
    return hooked(session, _STAMP_KEY)


_STAMP_KEY = "routing_queue_stamp"


def _select_rows() -> Any:
    return select(*_ROW_COLUMNS).outerjoin(
        Conversation, Conversation.id == QueueRow.conversation_id
    )


async def _read_all(session: AsyncSession, version: int | None, since: datetime) -> QueueRows:
    found: Sequence[Any] = (
        await session.execute(
            _select_rows().where((QueueRow.state == WAITING) | (QueueRow.enqueued_at > since))
        )
    ).all()
    return _nothing(since).applied(found, version, since)


async def _read_since(
    session: AsyncSession, held: QueueRows, version: int, start: datetime
) -> QueueRows:
    """`held` with the rows written after its version applied (and the ended rows that
    left the window `start` opens dropped)."""
    assert held.version is not None
    found: Sequence[Any] = (
        await session.execute(_select_rows().where(QueueRow.version > held.version))
    ).all()
    return held.applied(found, version, max(held.since, start - _SLACK))


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
