"""A supervisor blocks a contact from the desk and lifts the block on the supervisor page;
the customer is told politely in the chat (issue 12, class 10)."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Dialog, expect

pytestmark = [pytest.mark.asyncio, pytest.mark.browser]


async def test_a_supervisor_blocks_and_lifts_from_the_desk(browser: Browser, server) -> None:  # type: ignore[no-untyped-def]
    customer_ctx = await browser.new_context(locale="zh-CN")
    lead_ctx = await browser.new_context(locale="zh-CN")
    customer = await customer_ctx.new_page()
    lead = await lead_ctx.new_page()
    await customer.goto(f"{server.url}/chat")
    box = customer.locator("#text")
    await box.fill("转人工")
    await box.press("Enter")
    await expect(customer.locator("#banner")).to_contain_text("第 1 位")

    async def answer(dialog: Dialog) -> None:
        await dialog.accept("反复辱骂客服" if "拉黑" in dialog.message else "误封")

    lead.on("dialog", answer)
    await lead.goto(f"{server.url}/desk")
    await lead.fill("#username", "lead")
    await lead.fill("#password", "tandem-demo")
    await lead.click("#login button[type=submit]")
    # The supervisor is outside the conversation's skill group: it waits in the queue.
    await expect(lead.locator("#queueCount")).to_have_text("1")
    await lead.locator("#tabQueue").click()
    await lead.locator("#list .item").first.click()
    block = lead.locator("#blockContact")
    await expect(block).to_have_text("拉黑顾客")
    await block.click()
    await expect(lead.locator("#actionError")).to_contain_text("已拉黑（IP 127.0.0.1）")

    await box.fill("为什么还没人回复")
    await box.press("Enter")
    await expect(customer.locator("#notice")).to_contain_text("很抱歉，您暂时无法使用在线客服")
    await expect(customer.locator("#text")).to_be_disabled()

    await lead.goto(f"{server.url}/static/supervisor.html")
    row = lead.locator("#blocks [data-block-id]")
    await expect(row).to_contain_text("反复辱骂客服")
    await row.locator("button").click()
    await expect(lead.locator("#blocks")).to_contain_text("没有被拉黑的联系人")
    await customer_ctx.close()
    await lead_ctx.close()
