"""Migrations 0019_desk_notes and 0020_desk_teams_shifts create what the models declare."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

import tandem.tables  # noqa: F401  (every table on Base.metadata)
from tandem.db.base import Base
from tandem.services import Services

pytestmark = pytest.mark.asyncio


async def test_desk_migrations_match_the_models(services: Services) -> None:
    def diff(conn: Connection) -> list[object]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with services.engine.connect() as conn:
        differences = await conn.run_sync(diff)
    ours = [
        d
        for d in differences
        if any(name in str(d) for name in ("desk_notes", "desk_tags", "'team'", "'shift'"))
    ]
    assert ours == []
