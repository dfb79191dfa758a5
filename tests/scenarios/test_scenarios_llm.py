"""The whole scenario suite again with the LLM on (the fake OpenAI-compatible server, which
rewords faithfully, hallucinates and fails in turn): every expectation still holds, because the
engine decides before the model is asked and the guard stops what the model invents."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tandem.config import Settings
from tandem.conversations.models import Decision, Message
from tandem.core.clock import FixedClock
from tandem.llm.models import LlmCall
from tests.llm.fake_openai import HALLUCINATION, FakeOpenAI, serve_fake
from tests.scenarios.test_scenarios import SCENARIOS
from tests.scenarios.test_scenarios import test_scenario as run_scenario

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def fake_llm() -> AsyncIterator[FakeOpenAI]:
    async with serve_fake(FakeOpenAI(mode="cycle")) as fake:
        yield fake


@pytest.fixture
def settings(tmp_path: Path, db_url: str, fake_llm: FakeOpenAI) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=db_url,
        argon2_time_cost=1,
        argon2_memory_cost=64,
        rate_limit_per_minute=1000,
        log_level="warning",
        llm_base_url=fake_llm.url,
        llm_timeout_seconds=5.0,
    )


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
async def test_scenario_with_the_llm_on(
    scenario: dict[str, Any], server: Any, clock: FixedClock, fake_llm: FakeOpenAI
) -> None:
    await run_scenario(scenario, server, clock)
    async with server.services.sessions() as session:
        said = (
            await session.execute(
                select(Message.text, Message.reply_to).where(Message.author == "bot")
            )
        ).all()
        # The turns in which the AI performed a shop action: their replies keep the policy's
        # exact wording and are never sent to the model.
        acted = {
            d.message_id
            for d in (await session.scalars(select(Decision))).all()
            if "action_id" in (d.data or {})
        }
        outcomes = (await session.scalars(select(LlmCall.outcome))).all()
    assert not any(HALLUCINATION["zh"] in t or HALLUCINATION["en"] in t for t, _ in said)
    # One call per AI reply outside those turns, each recorded, whatever came of it.
    reworded = [t for t, reply_to in said if reply_to not in acted]
    assert len(outcomes) == len(fake_llm.calls) == len(reworded)
    assert set(outcomes) <= {"used", "rejected", "error"}
