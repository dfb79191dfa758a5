"""The supervisors' what-if page in a real browser: sign in, run, read the table and charts."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

pytestmark = [pytest.mark.asyncio, pytest.mark.browser]
WAIT = 120_000  # the run itself: a few hundred simulated conversations per policy


async def test_a_supervisor_runs_a_what_if_and_an_agent_is_told_to_sign_in(
    browser: Browser,
    server,  # type: ignore[no-untyped-def]
) -> None:
    ctx = await browser.new_context(locale="zh-CN")
    page = await ctx.new_page()
    await page.goto(f"{server.url}/desk")
    await page.fill("#username", "agent1")
    await page.fill("#password", "tandem-demo")
    await page.click("#login button[type=submit]")
    await expect(page.locator("#app")).to_be_visible(timeout=15_000)
    await page.goto(f"{server.url}/static/simulate.html")
    await page.click("#run")
    await expect(page.locator("#error")).to_contain_text("主管", timeout=15_000)

    sup = await browser.new_context(locale="zh-CN")
    page = await sup.new_page()
    await page.goto(f"{server.url}/desk")
    await page.fill("#username", "lead")
    await page.fill("#password", "tandem-demo")
    await page.click("#login button[type=submit]")
    await expect(page.locator("#app")).to_be_visible(timeout=15_000)
    await page.goto(f"{server.url}/static/simulate.html")
    await page.fill("#scale", "0.1")
    await page.fill("#hours", "4")
    await page.fill("#agents", "3")
    await page.click("#run")
    rows = page.locator("#rows tr")
    await expect(rows).to_have_count(4, timeout=WAIT)
    await expect(page.locator("#rows tr[data-policy=tandem] td").first).to_have_text("tandem")
    # AI only: nobody waits for a person, so its wait columns say "—".
    await expect(page.locator("#rows tr[data-policy=ai-only] td").nth(6)).to_have_text("—")
    await expect(page.locator("#charts svg")).to_have_count(2)
    await page.click("#lang")
    await expect(page.locator("#head th").nth(2)).to_have_text("AI resolution")
    await ctx.close()
    await sup.close()
