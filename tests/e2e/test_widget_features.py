"""What a Taobao/JD shopper expects of the chat widget (issue 12, class 11), in a real browser."""

from __future__ import annotations

import asyncio
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, expect

pytestmark = [pytest.mark.asyncio, pytest.mark.browser]


def shots(tmp_path: Path) -> Path:
    """Where screenshots go: TANDEM_SCREENSHOTS to keep them for a look, else the test's
    temporary directory."""
    return Path(os.environ.get("TANDEM_SCREENSHOTS") or tmp_path)


async def test_welcome_faq_person_queue_typing_and_rating(
    browser: Browser, server, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    ctx = await browser.new_context(locale="zh-CN")
    # The page's "today" is the server's fixed one: after 16:00 UTC the real date in Shanghai
    # is the next day, and a message stamped by the server read "昨天 14:00".
    await ctx.clock.set_fixed_time(server.services.clock.now())
    page = await ctx.new_page()
    await page.goto(f"{server.url}/chat")
    shop = server.services.settings.shop_name
    await expect(page.locator("#shopName")).to_have_text(shop)
    welcome = page.locator(".welcome")
    await expect(welcome).to_contain_text(f"欢迎光临 {shop}")
    faq = welcome.locator(".faq button")
    await expect(faq).to_have_count(4)
    await page.screenshot(path=str(shots(tmp_path) / "chat-desktop-welcome.png"))

    # A FAQ shortcut is answered from its entry.
    label = await faq.first.text_content()
    entry = next(e for e in server.services.knowledge.entries() if e.question == label)
    await faq.first.click()
    await expect(page.locator(".msg.bot").last).to_contain_text(entry.answer[:12])
    # Times are the shop's (Asia/Shanghai), whatever the browser's zone.
    stamp = page.locator(".msg.customer time").first
    iso = await stamp.get_attribute("datetime")
    assert iso is not None
    expected = datetime.fromisoformat(iso).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M")
    await expect(stamp).to_have_text(expected)

    # A person, chosen up front; then the customer changes their mind and leaves the queue.
    await welcome.locator("[data-choose=human]").click()
    banner = page.locator("#banner")
    await expect(banner).to_contain_text("第 1 位")
    await page.locator("#leaveQueue").click()
    await expect(banner).to_be_hidden()
    await expect(page.locator(".msg.system").last).to_contain_text("已取消排队")

    # An AI-only chat is ended and rated.
    await page.locator("#end").click()
    rating = page.locator(".rating")
    await expect(rating).to_be_visible()
    await rating.locator("[data-rating=satisfied]").click()
    await rating.locator("button.primary").click()
    await expect(rating).to_contain_text("感谢")
    await ctx.close()


async def test_the_agent_typing_shows_in_the_chat(browser: Browser, server) -> None:  # type: ignore[no-untyped-def]
    customer_ctx = await browser.new_context(locale="zh-CN")
    agent_ctx = await browser.new_context(locale="zh-CN")
    customer = await customer_ctx.new_page()
    agent = await agent_ctx.new_page()
    await customer.goto(f"{server.url}/chat")
    await customer.locator(".welcome [data-choose=human]").click()
    await expect(customer.locator("#banner")).to_contain_text("第 1 位")
    await agent.goto(f"{server.url}/desk")
    await agent.fill("#username", "agent1")
    await agent.fill("#password", "tandem-demo")
    await agent.click("#login button[type=submit]")
    await expect(agent.locator("#mineCount")).to_have_text("1")
    await agent.locator("#list .item").first.click()
    await expect(agent.locator("#replyForm")).to_be_visible()
    await agent.locator("#replyText").press_sequentially("您好")
    typing = customer.locator("#typing")
    await expect(typing).to_have_text("客服 小林正在输入…")
    await agent.press("#replyText", "Enter")
    await expect(customer.locator(".msg.agent")).to_contain_text("您好")
    await expect(typing).to_be_hidden()
    await customer_ctx.close()
    await agent_ctx.close()


async def test_long_pastes_and_bad_files_are_explained_in_the_pages_language(
    browser: Browser, server, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    for lang, over, refused in (
        ("zh", "超出 100 字", "不支持"),
        ("en", "100 over the limit", "not supported"),
    ):
        ctx = await browser.new_context(viewport={"width": 390, "height": 780}, locale="zh-CN")
        page = await ctx.new_page()
        await page.goto(f"{server.url}/chat?lang={lang}")
        box = page.locator("#text")
        await expect(box).to_be_enabled()
        await box.fill("好" * 2100)
        # Nothing is cut: all 2,100 characters stay, the count says what to remove.
        assert len(await box.input_value()) == 2100
        await expect(page.locator("#count")).to_contain_text(over)
        await expect(page.locator("#send")).to_be_disabled()
        await page.screenshot(path=str(shots(tmp_path) / f"chat-phone-{lang}-too-long.png"))
        await box.fill("好" * 2000)
        await expect(page.locator("#send")).to_be_enabled()
        await box.fill("")
        bad = tmp_path / "notes.jpg"
        bad.write_text("not a picture")
        await page.locator("#file").set_input_files(str(bad))
        await expect(page.locator(".msg.system.error").last).to_contain_text(refused)
        await page.screenshot(path=str(shots(tmp_path) / f"chat-phone-{lang}.png"))
        await ctx.close()


async def test_the_widget_follows_an_english_shop_page(browser: Browser, server) -> None:  # type: ignore[no-untyped-def]
    ctx = await browser.new_context()
    page = await ctx.new_page()
    shop_page = f'<html lang="en"><body><h1>Shop</h1><script src="{server.url}/widget.js"></script></body></html>'
    shop_url = server.url.replace("127.0.0.1", "localhost") + "/an-english-shop-page"
    await page.route(
        shop_url, lambda route: route.fulfill(body=shop_page, content_type="text/html")
    )
    await page.goto(shop_url)
    await page.get_by_role("button", name="Chat with us").click()
    frame = page.frame_locator("iframe")
    await expect(frame.locator("h1")).to_have_text("Customer service")
    await expect(frame.locator(".welcome")).to_contain_text("Welcome to")
    await ctx.close()


async def test_a_tap_before_the_conversation_is_open_is_sent_once_it_is(
    browser: Browser, server
) -> None:  # type: ignore[no-untyped-def]
    """The welcome's "转人工客服" shows before the conversation exists; a customer who taps it
    at once is handed over as soon as it does, not ignored."""
    ctx = await browser.new_context(locale="zh-CN")
    page = await ctx.new_page()
    release = asyncio.Event()

    async def hold(route):  # type: ignore[no-untyped-def]
        if route.request.method == "POST":
            await release.wait()  # the conversation opens only after the tap
        await route.continue_()

    await page.route("**/api/v1/conversations", hold)
    await page.goto(f"{server.url}/chat")
    await page.locator(".welcome [data-choose=human]").click()
    await expect(page.locator(".msg.customer.pending")).to_have_count(1)
    release.set()
    await expect(page.locator("#banner")).to_contain_text("第 1 位")
    await expect(page.locator(".msg.customer")).to_have_count(1)  # sent once, shown once
    await ctx.close()
