"""Browser tests run on the default embedded database (the browser fixture is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest


@pytest.fixture
async def db_url(tmp_path: Path) -> AsyncIterator[str]:
    """Browser flows run on the default embedded database (SQLite)."""
    yield f"sqlite:///{tmp_path / 'tandem.db'}"
