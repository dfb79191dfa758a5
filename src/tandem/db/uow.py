"""Unit of work: one session, one transaction, and the events to publish once it commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


class UnitOfWork:
    """Holds the session for one request or job, plus side effects staged until commit.

    Services add rows and stage events; only the edge (HTTP handler, WebSocket handler, CLI
    command) commits, and the realtime events go out after the commit succeeded (STYLE 2, 3).
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.staged: list[Any] = []

    def stage(self, event: Any) -> None:
        self.staged.append(event)

    def take_staged(self) -> list[Any]:
        staged, self.staged = self.staged, []
        return staged
