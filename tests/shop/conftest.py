"""Database fixtures for the shop tests: a fresh SQLite file, schema from the migrations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tandem.config import Settings
from tandem.db.migrate import upgrade
from tandem.db.session import build_engine, build_sessionmaker


@pytest.fixture
async def shop_sessions(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    settings = Settings(data_dir=tmp_path / "data")
    engine = build_engine(settings)
    await upgrade(settings, engine)
    yield build_sessionmaker(engine)
    await engine.dispose()
