"""The staff pages tell times in the shop's zone, not the zone of the agent's computer: an
agent in New York reads the hour the customer in Shanghai was promised."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Browser, expect

pytestmark = [pytest.mark.asyncio, pytest.mark.browser]
WAIT = 15_000


async def test_an_agent_abroad_reads_times_in_the_shops_zone(browser: Browser, server: Any) -> None:
    ctx = await browser.new_context(locale="en-US", timezone_id="America/New_York")
    try:
        page = await ctx.new_page()
        await page.goto(f"{server.url}/desk")
        await page.fill("#username", "agent1")
        await page.fill("#password", "tandem-demo")
        await page.click("#login button[type=submit]")
        await expect(page.locator("#conn")).to_have_text("实时连接", timeout=WAIT)
        # 01:00 UTC is 09:00 in Shanghai and 20:00 the day before in New York.
        browser_hour = await page.evaluate("new Date('2026-12-03T01:00:00Z').getHours()")
        assert browser_hour == 20
        assert await page.evaluate("window.shopTime.zone()") == "Asia/Shanghai"
        shown = await page.evaluate(
            "[shopTime.hhmm('2026-12-03T01:00:00Z'), shopTime.short('2026-12-03T01:00:00Z'),"
            " shopTime.full('2026-12-03T01:00:00Z', 'zh'), shopTime.full('2026-12-03T01:00:00Z', 'en')]"
        )
        assert shown == ["09:00", "12-3 09:00", "12月3日 09:00", "Dec 3, 09:00"]
    finally:
        await ctx.close()


async def test_auth_me_names_the_shops_zone(agent_client: Any) -> None:
    me = (await agent_client.get("/api/v1/auth/me")).json()
    assert me["timezone"] == "Asia/Shanghai"
