"""LLM tests run on SQLite against the fake OpenAI-compatible server (fake_openai.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.llm.fake_openai import FakeOpenAI, serve_fake


@pytest.fixture
async def db_url(tmp_path: Path) -> AsyncIterator[str]:
    yield f"sqlite:///{tmp_path / 'tandem.db'}"


@pytest.fixture
async def fake_llm() -> AsyncIterator[FakeOpenAI]:
    async with serve_fake(FakeOpenAI()) as fake:
        yield fake
