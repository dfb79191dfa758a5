"""The supervisor's knowledge page in real headless Chromium: review a learned candidate and
see the AI use it; entry text is shown as text, never as markup."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tandem.engine.handoff import wants_human
from tandem.knowledge import service

pytestmark = pytest.mark.browser


@pytest.fixture
async def db_url(tmp_path: Path) -> AsyncIterator[str]:
    yield f"sqlite:///{tmp_path / 'tandem.db'}"


async def test_supervisor_approves_a_learned_candidate_in_the_page(
    server, browser: Browser
) -> None:  # type: ignore[no-untyped-def]
    services = server.services
    async with services.unit_of_work() as uow:
        await service.seed_demo_faq(uow.session, services.knowledge)
        await service.learn_from_resolution(
            uow.session,
            services.knowledge,
            conversation_id="conv_page",
            customer_questions=["你们的羊绒大衣可以免费改衣长吗？"],
            agent_answers=["<b>可以</b>，羊绒大衣支持免费改衣长一次。"],
            language="zh",
            asks_for_person=wants_human,
        )
    assert services.knowledge.search("羊绒大衣可不可以免费改衣长").answer is None

    context = await browser.new_context()
    page = await context.new_page()
    r = await page.request.post(
        f"{server.url}/api/v1/auth/login", data={"username": "lead", "password": "tandem-demo"}
    )
    assert r.ok
    await page.goto(f"{server.url}/static/knowledge/index.html")
    await expect(page.locator("#entries li").first).to_be_visible()
    await expect(page.locator("#candCount")).to_have_text("1")

    await page.click("button[data-tab=candidates]")
    card = page.locator("#candidates li").first
    answer = card.locator("textarea").nth(1)
    await expect(answer).to_have_value("<b>可以</b>，羊绒大衣支持免费改衣长一次。")  # as text
    await card.locator("button.primary").click()
    await expect(page.locator("#candidates li")).to_have_text("没有待审核的候选条目。")

    result = services.knowledge.search("羊绒大衣可不可以免费改衣长")
    assert result.answer is not None
    assert "免费改衣长" in result.answer.answer

    await page.click("#lang")
    await expect(page.locator("#candidates li")).to_have_text("Nothing to review.")
    await context.close()
