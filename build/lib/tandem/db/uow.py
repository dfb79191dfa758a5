"""Unit of work: one session, one transaction, and the events to publish once it commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tandem.core.events import Event
from tandem.db.session import clock_of


class UnitOfWork:
    """Holds the session for one request or job, plus side effects staged until commit.

    Services add rows and stage events; only the edge (HTTP handler, WebSocket handler, CLI
    command) commits, and the realtime events go out after the commit succeeded (STYLE 2, 3).
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.staged: list[tuple[str, Event]] = []

    def now(self) -> datetime:
        """The time from the clock the session carries (never the wall clock directly)."""
        return clock_of(self.session).now()

    def stage(self, event: tuple[str, Event]) -> None:
        """(topic, event): published once the transaction has committed."""
        self.staged.append(event)

    def take_staged(self) -> list[tuple[str, Event]]:
        staged, self.staged = self.staged, []
        return staged
