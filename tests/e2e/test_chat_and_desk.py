"""A customer and an agent in two browser contexts complete the whole flow (issue 2)."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Browser, expect

pytestmark = [pytest.mark.asyncio, pytest.mark.browser]


async def test_customer_and_agent_complete_the_flow(browser: Browser, server) -> None:  # type: ignore[no-untyped-def]
    customer_ctx = await browser.new_context(locale="zh-CN")
    agent_ctx = await browser.new_context(locale="zh-CN")
    customer = await customer_ctx.new_page()
    agent = await agent_ctx.new_page()

    await customer.goto(f"{server.url}/chat")
    await expect(customer.locator("h1")).to_have_text("在线客服")
    box = customer.locator("#text")
    await box.fill("你好")
    await box.press("Enter")
    await expect(customer.locator(".msg.bot").first).to_contain_text("您好")

    await box.fill("人工客服")
    await box.press("Enter")
    banner = customer.locator("#banner")
    await expect(banner).to_contain_text("第 1 位")
    await expect(banner).to_contain_text("分钟")

    # The agent logs in: coming online assigns the waiting conversation to them at once
    # (issue 5: assignment is automatic). They read the transcript and reply.
    await agent.goto(f"{server.url}/desk")
    await agent.fill("#username", "agent1")
    await agent.fill("#password", "tandem-demo")
    await agent.click("#login button[type=submit]")
    await expect(agent.locator("#mineCount")).to_have_text("1")
    await expect(agent.locator("#queueCount")).to_have_text("0")
    await agent.locator("#list .item").first.click()
    await expect(agent.locator("#transcript")).to_contain_text("人工客服")
    await expect(agent.locator("#convState")).to_have_text("人工服务中")
    await agent.fill("#replyText", "您好，我是小林，请问有什么可以帮您？")
    await agent.press("#replyText", "Enter")

    await expect(customer.locator(".msg.agent")).to_contain_text("我是小林")
    await expect(banner).to_contain_text("正在为您服务")

    # Live the other way too: the customer writes, the agent sees it without reloading.
    await box.fill("我的订单一直没发货")
    await box.press("Enter")
    await expect(agent.locator("#transcript")).to_contain_text("一直没发货")

    await agent.click("#resolve")
    rating = customer.locator(".rating")
    await expect(rating).to_be_visible()
    await rating.locator("[data-rating=satisfied]").click()
    await rating.locator("textarea").fill("回复很快")
    await rating.locator("button.primary").click()
    await expect(rating).to_contain_text("感谢")

    conversation_id = await customer.evaluate("window.tandemChat.state.conversation")
    token = await customer.evaluate(
        "JSON.parse(localStorage.getItem('tandem.chat.anonymous')).token"
    )
    async with httpx.AsyncClient(base_url=server.url) as api:
        conv = (
            await api.get(
                f"/api/v1/conversations/{conversation_id}",
                headers={"Authorization": f"Bearer {token}"},
            )
        ).json()
    assert conv["rating"] == "satisfied"

    # Closing the page and coming back loses nothing.
    count = await customer.locator(".msg[data-seq]").count()
    await customer.close()
    again = await customer_ctx.new_page()
    await again.goto(f"{server.url}/chat")
    await expect(again.locator(".msg[data-seq]")).to_have_count(count)
    await expect(again.locator(".msg.agent")).to_contain_text("我是小林")
    await customer_ctx.close()
    await agent_ctx.close()


async def test_chat_speaks_english_on_request_and_escapes_text(browser: Browser, server) -> None:  # type: ignore[no-untyped-def]
    ctx = await browser.new_context()
    page = await ctx.new_page()
    await page.goto(f"{server.url}/chat?lang=en")
    await expect(page.locator("h1")).to_have_text("Customer service")
    await page.fill("#text", "<b id=injected>hi</b>")
    await page.press("#text", "Enter")
    await expect(page.locator(".msg.customer")).to_contain_text("<b id=injected>hi</b>")
    assert await page.locator("#injected").count() == 0
    await page.click("#lang")
    await expect(page.locator("h1")).to_have_text("在线客服")
    await ctx.close()


async def test_widget_script_embeds_the_chat_in_a_shop_page(browser: Browser, server) -> None:  # type: ignore[no-untyped-def]
    ctx = await browser.new_context()
    page = await ctx.new_page()
    shop_page = f'<html><body><h1>Shop</h1><script src="{server.url}/widget.js" data-lang="zh"></script></body></html>'
    # The shop page lives on another origin (localhost vs 127.0.0.1), as a real shop's would.
    shop_url = server.url.replace("127.0.0.1", "localhost") + "/a-shop-page"
    await page.route(
        shop_url, lambda route: route.fulfill(body=shop_page, content_type="text/html")
    )
    await page.goto(shop_url)
    await page.get_by_role("button", name="联系客服").click()
    frame = page.frame_locator("iframe")
    await expect(frame.locator("h1")).to_have_text("在线客服")
    await ctx.close()
