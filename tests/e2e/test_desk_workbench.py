"""The agent's workbench and the lead's control room in real browsers (issue 14): two agents
and a lead, each in their own browser context, with a signed-in customer on the API.

The customer is named by the shop (never "c0002"), the chat rings and is counted unread when
it arrives, the waiting timer runs, a note and a tag are added, the chat is transferred with a
note the colleague reads first (and the customer never sees), a canned reply comes by
shortcut, a bad tag is refused with a toast in Chinese; the lead sees the chat on the board,
monitors it, takes it over, changes a colleague's cap in the page and closes the chat.
Screenshots of both pages, on a laptop and a phone, go to docs/screenshots/ when
TANDEM_SCREENSHOTS is set."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.conftest import signed_customer

pytestmark = [pytest.mark.asyncio, pytest.mark.browser]
WAIT = 15_000
LAPTOP = {"width": 1366, "height": 820}
PHONE = {"width": 390, "height": 844}
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
NOTE = "客户说快递员电话打不通"
HANDOVER = "已查物流，请帮客户联系快递改约时间"


async def desk(
    browser: Browser, url: str, username: str, path: str = "/desk", now: datetime | None = None
) -> tuple[BrowserContext, Page]:
    """A desk page signed in as `username`; `now`: the server's (fixed) clock, so that the
    page's own timers agree with it whatever the hour the test runs (screenshots)."""
    ctx = await browser.new_context(locale="zh-CN", viewport=LAPTOP)
    if now is not None:
        await ctx.clock.set_fixed_time(now)
    page = await ctx.new_page()
    await page.goto(f"{url}/desk")
    await page.fill("#username", username)
    await page.fill("#password", "tandem-demo")
    await page.click("#login button[type=submit]")
    await expect(page.locator("#conn")).to_have_text("实时连接", timeout=WAIT)
    if path != "/desk":
        await page.goto(f"{url}{path}")
    return ctx, page


async def shot(page: Page, name: str, size: dict[str, int] | None = None) -> None:
    if not os.environ.get("TANDEM_SCREENSHOTS"):
        return
    if size is not None:
        await page.set_viewport_size(size)
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / name), full_page=False)
    await page.set_viewport_size(LAPTOP)


async def say(client: httpx.AsyncClient, cid: str, headers: dict[str, str], text: str) -> None:
    r = await client.post(
        f"/api/v1/conversations/{cid}/messages", json={"text": text}, headers=headers
    )
    assert r.status_code == 201, r.text


async def test_workbench_and_control_room(browser: Browser, server: Any) -> None:
    now = server.services.clock.now()
    ctx1, agent1 = await desk(browser, server.url, "agent1", now=now)
    ctx2, agent2 = await desk(browser, server.url, "agent2", now=now)
    ctx3, lead = await desk(browser, server.url, "lead", "/static/supervisor.html", now)
    customer = httpx.AsyncClient(base_url=server.url, timeout=30)
    try:
        # agent2 steps away so the chat goes to agent1, then comes back for the transfer.
        await agent2.select_option("#presence", "away")
        await agent2.wait_for_function("() => window.tandemDesk.state().me.presence === 'away'")
        cid, headers = await signed_customer(server, customer, "in_transit")
        await say(customer, cid, headers, "我的快递到哪了")
        await say(customer, cid, headers, "转人工")
        item = agent1.locator(f'#list .item[data-id="{cid}"]')
        await expect(item).to_be_visible(timeout=WAIT)
        # Named by the shop, with an unread badge; the arrival rang once (no sound file).
        name = await item.locator("strong").inner_text()
        assert name and "c0002" not in name
        await expect(item.locator(".badge")).to_have_text("1")
        await agent1.wait_for_function("() => (window.tandemDeskChimes || 0) >= 1")
        await item.click()
        await expect(agent1.locator("#convTitle")).to_contain_text(name)
        await expect(item.locator(".badge")).to_have_count(0)
        await expect(agent1.locator("#convTimer")).to_contain_text("客户已等")
        await expect(agent1.locator('#packet dd[data-field="emotion"]')).to_have_text("平静")
        await expect(agent1.locator("#customerCard")).to_contain_text(name)
        await expect(agent1.locator("#customerCard")).to_contain_text("c0002")
        # A note and a tag; a bad tag is refused in Chinese, as a toast.
        await agent1.fill("#noteText", NOTE)
        await agent1.press("#noteText", "Enter")
        await expect(agent1.locator("#notes .note")).to_have_count(1)
        await agent1.fill("#tagText", "物流异常")
        await agent1.press("#tagText", "Enter")
        await expect(agent1.locator("#tags .tagchip")).to_have_count(1)
        await agent1.fill("#tagText", "<b>")
        await agent1.press("#tagText", "Enter")
        await expect(agent1.locator(".toast.error")).to_contain_text("标签为 1 到 32 个字")
        # A canned reply by shortcut (Alt+1), sent with Enter.
        await agent1.wait_for_function(
            "() => document.querySelectorAll('#canned button.canned').length > 0"
        )
        await agent1.click("#replyText")
        await agent1.keyboard.press("Alt+1")
        await agent1.wait_for_function(
            "() => document.getElementById('replyText').value.trim().length > 0"
        )
        await agent1.press("#replyText", "Enter")
        await expect(agent1.locator("#transcript .msg.agent")).to_have_count(1, timeout=WAIT)
        await expect(agent1.locator("#convTimer")).to_have_text("已回复")
        await say(customer, cid, headers, "好的，谢谢，那快递员什么时候再来？")
        await expect(agent1.locator("#convTimer")).to_contain_text("客户已等", timeout=WAIT)
        await shot(agent1, "desk-laptop.png")
        await shot(agent1, "desk-phone.png", PHONE)
        # Transfer to agent2 with a note for them.
        await agent2.select_option("#presence", "online")
        await agent2.wait_for_function("() => window.tandemDesk.state().me.presence === 'online'")
        await agent1.click(f'#list .item[data-id="{cid}"]')
        ids = await agent1.evaluate("fetch('/api/v1/desk/agents').then((r) => r.json())")
        agent2_id = next(a["id"] for a in ids if a["username"] == "agent2")
        await agent1.wait_for_function(
            "(v) => [...document.getElementById('transferTo').options].some((o) => o.value === v)",
            arg=f"agent:{agent2_id}",
        )
        await agent1.locator("#transferTo").select_option(value=f"agent:{agent2_id}")
        await agent1.fill("#transferNote", HANDOVER)
        await agent1.click("#transfer")
        await expect(agent1.locator(".toast.ok").last).to_have_text("已转接")
        moved = agent2.locator(f'#list .item[data-id="{cid}"]')
        await expect(moved).to_be_visible(timeout=WAIT)
        await agent2.wait_for_function("() => (window.tandemDeskChimes || 0) >= 1")
        await moved.click()
        await expect(agent2.locator("#notes .note")).to_have_count(2)
        await expect(agent2.locator("#notes .note.transfer")).to_contain_text(HANDOVER)
        await expect(agent2.locator("#tags")).to_contain_text("物流异常")
        # The customer's side never shows a note.
        seen = (await customer.get(f"/api/v1/conversations/{cid}/messages", headers=headers)).text
        assert NOTE not in seen and HANDOVER not in seen
        # The lead: the chat is on the board with agent2; monitor it, then take it over.
        row = lead.locator(f'#board tr[data-id="{cid}"]')
        await expect(row).to_be_visible(timeout=WAIT)
        agent2_name = await agent2.evaluate("window.tandemDesk.state().me.display_name")
        await expect(row).to_contain_text(agent2_name)
        await expect(row).to_contain_text("人工服务中")
        await expect(row.locator('td[data-field="wait"]')).to_have_text("0 秒")  # fixed clock
        await row.locator("button.monitor").click()
        await expect(lead.locator("#monitorLog .msg.customer")).to_have_count(3)
        await shot(lead, "control-room-laptop.png")
        await shot(lead, "control-room-phone.png", PHONE)
        await row.locator("button.takeover").click()
        await expect(lead.locator(".toast.ok").last).to_contain_text("已接管")
        lead_name = await lead.evaluate(
            "fetch('/api/v1/auth/me').then((r) => r.json()).then((m) => m.display_name)"
        )
        await expect(row).to_contain_text(lead_name, timeout=WAIT)
        await expect(agent2.locator(f'#list .item[data-id="{cid}"]')).to_have_count(0, timeout=WAIT)
        # Accounts managed in the page: agent2's cap to 5.
        acc = lead.locator('#accounts tr[data-account="agent2"]')
        await acc.locator("input.cap").fill("5")
        await acc.locator("button.save").click()
        await expect(lead.locator(".toast.ok").last).to_have_text("已保存")
        if os.environ.get("TANDEM_SCREENSHOTS"):
            section = lead.locator("#accounts").locator("xpath=ancestor::section")
            await section.screenshot(path=str(SHOTS / "control-room-accounts.png"))
        staff = await lead.evaluate("fetch('/api/v1/desk/staff').then((r) => r.json())")
        assert next(a for a in staff if a["username"] == "agent2")["max_concurrent"] == 5
        # Closed from the board.
        lead.once("dialog", lambda d: d.accept())
        await row.locator("button.close").click()
        await expect(row).to_have_count(0, timeout=WAIT)
    finally:
        await customer.aclose()
        for ctx in (ctx1, ctx2, ctx3):
            await ctx.close()
