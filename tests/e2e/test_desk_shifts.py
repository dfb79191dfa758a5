"""Shifts in the lead's control room, in a real browser: a shift typed on the accounts table is
stored one way, a bad one is refused with a toast in Chinese, the agents table says who is in
shift now (the test clock is 14:00 in Shanghai), and the board says when nobody in shift is
signed in and new chats go to those outside their shift."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Browser, expect

from tests.e2e.test_desk_workbench import WAIT, desk

pytestmark = [pytest.mark.asyncio, pytest.mark.browser]


async def test_the_lead_sets_shifts_and_sees_who_is_in_shift(browser: Browser, server: Any) -> None:
    ctx1, agent1 = await desk(browser, server.url, "agent1")
    ctx2, lead = await desk(browser, server.url, "lead", "/static/supervisor.html")
    try:
        ids = await lead.evaluate(
            "fetch('/api/v1/desk/staff').then((r) => r.json())"
            ".then((s) => Object.fromEntries(s.map((a) => [a.username, a.id])))"
        )
        acc = lead.locator('#accounts tr[data-account="agent1"]')
        await acc.locator("input.shift").fill("早班")
        await acc.locator("button.save").click()
        await expect(lead.locator(".toast").last).to_contain_text("班次格式")
        await acc.locator("input.shift").fill("13:00～22:00")
        await acc.locator("button.save").click()
        await expect(lead.locator(".toast.ok").last).to_have_text("已保存")
        await expect(acc.locator("input.shift")).to_have_value("13:00-22:00", timeout=WAIT)
        row = lead.locator(f'#agents tr[data-agent="{ids["agent1"]}"]')
        await expect(row).to_have_attribute("data-standing", "in_shift", timeout=WAIT)
        await expect(row).to_contain_text("13:00-22:00 在班")
        await expect(lead.locator("#shiftCover")).to_be_hidden()
        # Both signed-in people outside their shift: the board says who takes new chats.
        for name, shift in (("agent1", "00:00-13:00"), ("lead", "22:00-06:00")):
            acc = lead.locator(f'#accounts tr[data-account="{name}"]')
            await acc.locator("input.shift").fill(shift)
            await acc.locator("button.save").click()
            await expect(acc.locator("input.shift")).to_have_value(shift, timeout=WAIT)
        await expect(row).to_have_attribute("data-standing", "off_shift", timeout=WAIT)
        await expect(row).to_contain_text("班外")
        await expect(lead.locator("#shiftCover")).to_contain_text("班外客服接待", timeout=WAIT)
    finally:
        for ctx in (ctx1, ctx2):
            await ctx.close()
