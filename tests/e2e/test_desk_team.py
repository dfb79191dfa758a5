"""Two agents and several customers in real browsers (issue 5, "Done means"): conversations
routed by language and load, abuse masked and revealed, a hostile conversation going to the
less exposed agent, a transfer, a break taken and respected, a rating given and the agent's
figures updated."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect
from sqlalchemy import update

from tandem.identity.models import Account

pytestmark = [pytest.mark.asyncio, pytest.mark.browser]
ABUSE = "你们这什么垃圾店铺，傻逼客服"
WAIT = 15_000


async def agent_desk(browser: Browser, url: str, username: str) -> tuple[BrowserContext, Page]:
    ctx = await browser.new_context(locale="zh-CN")
    page = await ctx.new_page()
    await page.goto(f"{url}/desk")
    await page.fill("#username", username)
    await page.fill("#password", "tandem-demo")
    await page.click("#login button[type=submit]")
    # Signed in, online and listening to live events.
    await expect(page.locator("#conn")).to_have_text("实时连接", timeout=WAIT)
    await expect(page.locator("#presence")).to_have_value("online")
    return ctx, page


async def customer(browser: Browser, url: str, *texts: str, lang: str = "zh") -> tuple[Page, str]:
    ctx = await browser.new_context(locale="zh-CN" if lang == "zh" else "en-US")
    page = await ctx.new_page()
    await page.goto(f"{url}/chat?lang={lang}")
    await page.wait_for_function("() => window.tandemChat && window.tandemChat.state.conversation")
    stored = page.locator(".msg.customer[data-seq]")
    for i, text in enumerate(texts):
        await page.fill("#text", text)
        await page.press("#text", "Enter")
        # Stored (numbered), not merely shown as pending.
        await expect(stored).to_have_count(i + 1, timeout=WAIT)
    conversation_id = await page.evaluate("window.tandemChat.state.conversation")
    return page, str(conversation_id)


async def my_ids(page: Page) -> list[str]:
    return list(
        await page.evaluate("window.tandemDesk.state().mine.map((c) => c.id)")  # type: ignore[arg-type]
    )


async def holds(page: Page, conversation_id: str) -> None:
    await page.click("#tabMine")
    await expect(page.locator(f'#list .item[data-id="{conversation_id}"]')).to_be_visible(
        timeout=WAIT
    )


async def test_two_agents_and_several_customers(browser: Browser, server) -> None:  # type: ignore[no-untyped-def]
    url = server.url
    lin_ctx, lin = await agent_desk(browser, url, "agent1")  # 小林: pre/after-sale, zh + en
    lin_id = await lin.evaluate("window.tandemDesk.state().me.id")

    # An abusive customer; only 小林 is on duty, so it goes to him. The abuse is masked.
    h1, h1_id = await customer(browser, url, ABUSE, "人工")
    await holds(lin, h1_id)
    await lin.locator(f'#list .item[data-id="{h1_id}"]').click()
    masked = lin.locator("#transcript .msg.customer.masked").first
    await expect(masked.locator(".maskspan").first).to_have_text("【辱骂】")
    await expect(lin.locator("#transcript")).not_to_contain_text("傻逼")
    await masked.locator("button.reveal").click()
    await expect(lin.locator("#transcript .msg.revealed")).to_contain_text("傻逼")

    # 小林 resolves it; the customer rates it; his figures for the day follow.
    await lin.click("#resolve")
    rating = h1.locator(".rating")
    await expect(rating).to_be_visible(timeout=WAIT)
    await rating.locator("[data-rating=satisfied]").click()
    await rating.locator("button.primary").click()
    await expect(rating).to_contain_text("感谢")
    await expect(lin.locator("#figures")).to_contain_text("今日结单 1", timeout=WAIT)
    await expect(lin.locator("#figures")).to_contain_text("好评率 100%", timeout=WAIT)

    # 小周 comes on duty. An ordinary customer goes to him (same room, less hostile load).
    zhou_ctx, zhou = await agent_desk(browser, url, "agent2")  # 小周: after-sale, logistics, zh
    zhou_id = await zhou.evaluate("window.tandemDesk.state().me.id")
    plain, plain_id = await customer(browser, url, "人工客服")
    await holds(zhou, plain_id)

    # A second abusive customer: 小周 is busier, but 小林 already carried one today, so the
    # hostile conversation goes to the less exposed 小周.
    h2, h2_id = await customer(browser, url, ABUSE, "人工")
    await holds(zhou, h2_id)
    assert h2_id not in await my_ids(lin)

    # An English customer can only go to 小林 (小周 serves Chinese only).
    en, en_id = await customer(browser, url, "I want to talk to a human", lang="en")
    await holds(lin, en_id)

    # Transfer: 小周 passes the ordinary conversation to 小林; the customer is told.
    await zhou.locator(f'#list .item[data-id="{plain_id}"]').click()
    await expect(zhou.locator("#transfer")).to_be_visible()
    await zhou.select_option("#transferTo", f"agent:{lin_id}")
    await zhou.click("#transfer")
    await holds(lin, plain_id)
    await expect(plain.locator(".msg.system").last).to_contain_text("小林", timeout=WAIT)

    # 小周 takes a break: the conversation he held goes to 小林, and nothing new reaches him.
    await zhou.select_option("#presence", "break")
    await expect(zhou.locator("#breakUntil")).to_contain_text("休息至", timeout=WAIT)
    await holds(lin, h2_id)
    await expect(zhou.locator("#mineCount")).to_have_text("0", timeout=WAIT)
    late, late_id = await customer(browser, url, "人工")
    # 小林 is at his cap of three and 小周 is on a break: the customer waits, told honestly.
    await expect(late.locator("#banner")).to_contain_text("第 1 位", timeout=WAIT)
    await zhou.click("#tabQueue")
    await expect(zhou.locator(f'#list .item[data-id="{late_id}"]')).to_be_visible(timeout=WAIT)
    assert late_id not in await my_ids(zhou)

    # Back from the break: the waiting customer is his at once.
    await zhou.select_option("#presence", "online")
    await holds(zhou, late_id)
    await expect(late.locator("#banner")).to_contain_text("小周", timeout=WAIT)
    assert zhou_id != lin_id
    for ctx in (lin_ctx, zhou_ctx, h1.context, plain.context, h2.context, en.context, late.context):
        await ctx.close()


async def test_a_break_with_the_colleague_at_capacity_puts_the_chat_back_in_the_queue(
    browser: Browser, server
) -> None:  # type: ignore[no-untyped-def]
    """The peak defect of issue 13: a conversation given back while every colleague is full
    waits in the queue, with its position and wait shown to the customer and the desk."""
    async with server.services.unit_of_work() as uow:
        # 小林 can hold one conversation at a time.
        await uow.session.execute(
            update(Account).where(Account.username == "agent1").values(max_concurrent=1)
        )
    url = server.url
    # After-sale questions: both agents have the skill. The first is 小林's, and he is full.
    lin_ctx, lin = await agent_desk(browser, url, "agent1")
    a, a_id = await customer(browser, url, "收到的衣服有破洞，转人工")
    await holds(lin, a_id)
    zhou_ctx, zhou = await agent_desk(browser, url, "agent2")
    page, held = await customer(browser, url, "退货的钱还没到账，转人工")
    await holds(zhou, held)

    await zhou.select_option("#presence", "break")
    await expect(zhou.locator("#breakUntil")).to_contain_text("休息至", timeout=WAIT)
    await expect(zhou.locator("#mineCount")).to_have_text("0", timeout=WAIT)
    # Back in the queue, first, with a wait: the customer is told, the desk shows it.
    banner = page.locator("#banner")
    await expect(banner).to_contain_text("第 1 位", timeout=WAIT)
    await expect(banner).to_contain_text("预计等待约")
    await lin.click("#tabQueue")
    item = lin.locator(f'#list .item[data-id="{held}"]')
    await expect(item).to_be_visible(timeout=WAIT)
    await expect(item).to_contain_text("#1")
    assert held not in await my_ids(lin)
    # The desk still works for everyone: 小林 resolves his chat and the waiting one is his.
    mine = (await my_ids(lin))[0]
    await lin.click("#tabMine")
    await lin.locator(f'#list .item[data-id="{mine}"]').click()
    await lin.click("#resolve")
    await holds(lin, held)
    await expect(banner).to_contain_text("小林", timeout=WAIT)
    for ctx in (lin_ctx, zhou_ctx, a.context, page.context):
        await ctx.close()
