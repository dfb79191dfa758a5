"""Async engine and session factory, built from Settings. The edge owns the transaction.

Every session carries the clock it was built with (`clock_of(session)`): a use case that is
handed a session is handed the time with it, so the server, a test or the simulator decide
what "now" is, once, at the composition root."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import tzinfo
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

from tandem.config import Settings
from tandem.core.clock import Clock, SystemClock


def build_engine(settings: Settings) -> AsyncEngine:
    url = settings.sqlalchemy_url
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        synchronous = {"normal": "NORMAL", "full": "FULL"}[settings.sqlite_synchronous]
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # We issue BEGIN ourselves (below), so the driver must not.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # NORMAL by default: in WAL mode a process crash loses no commit; only a power
            # cut may drop the last ones (docs/operations.md). FULL syncs every commit.
            cur.execute(f"PRAGMA synchronous={synchronous}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn: Any) -> None:
            # A writer's transaction (`begin_writing`) takes SQLite's write lock at BEGIN:
            # a deferred one that read first and then writes fails at once ("database is
            # locked", no busy wait) when another connection committed in between, because
            # its snapshot is stale. Readers stay deferred and never wait.
            immediate = conn.get_execution_options().get(WRITER_OPTION)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


WRITER_OPTION = "tandem_writer"


async def begin_writing(session: AsyncSession) -> None:
    """Mark the session's transaction, before its first statement, as one that writes: on
    SQLite it begins with `BEGIN IMMEDIATE` (the busy timeout then queues it behind any other
    writer, of this process or another); on PostgreSQL this changes nothing."""
    await session.connection(execution_options={WRITER_OPTION: True})


def build_sessionmaker(
    engine: AsyncEngine, clock: Clock | None = None, zone: tzinfo | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions on `engine` that carry `clock` (the system clock for a command-line tool) and
    the shop's time zone `zone` (what "09:00" in a shift means; see `zone_of`). `shared`: one
    dict for every session of this factory, where a reader keeps what it remembers between
    transactions in this process (routing's queue, keyed by the queue version)."""
    return async_sessionmaker(
        engine,
        expire_on_commit=False,
        sync_session_class=HookedSession,
        info={"clock": clock or SystemClock(), "zone": zone, "shared": {}},
    )


class HookedSession(Session):
    """The sessions `build_sessionmaker` makes: they run the hooks `before_commit` registered
    for the transaction, as its last statements, just before it commits."""


_HOOKS = "before_commit_hooks"


def before_commit(
    session: AsyncSession | Session, key: str, hook: Callable[[Session], None]
) -> bool:
    """Run `hook(session)` (the sync session) once, as this transaction's last statements
    before it commits (not if it rolls back); a second hook under the same `key` is the first
    one. False when the session cannot (not made by `build_sessionmaker`): the caller does its
    work at once instead."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    if not isinstance(sync, HookedSession):
        return False
    transaction = sync.get_transaction()
    held = sync.info.get(_HOOKS)
    if held is None or held[0] is not transaction:
        hooks: dict[str, Callable[[Session], None]] = {}
        held = sync.info[_HOOKS] = (transaction, hooks)
    held[1].setdefault(key, hook)
    return True


def hooked(session: AsyncSession, key: str) -> bool:
    """Whether this transaction has a hook under `key` waiting for its commit."""
    held = session.info.get(_HOOKS)
    return held is not None and held[0] is session.sync_session.get_transaction() and key in held[1]


@event.listens_for(HookedSession, "before_commit")
def _run_hooks(session: Session) -> None:
    if _HOOKS not in session.info:
        return
    session.flush()  # what is still pending may register a hook too
    held = session.info.pop(_HOOKS)
    if held[0] is not session.get_transaction():
        return
    for hook in held[1].values():
        hook(session)


def clock_of(session: AsyncSession) -> Clock:
    """The clock the session was built with (see the module docstring)."""
    clock: Clock = session.info["clock"]
    return clock


def zone_of(session: AsyncSession) -> tzinfo | None:
    """The shop's time zone the session was built with, None when the builder gave none."""
    zone: tzinfo | None = session.info.get("zone")
    return zone


@asynccontextmanager
async def transaction(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on error."""
    async with factory() as session, session.begin():
        await begin_writing(session)
        yield session
