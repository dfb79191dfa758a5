"""The JS SDK on a shop's own page (another origin), in real Chromium: open and close, identify
with the shop's signature, switch language, and the page hears message, hand-off and rated."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Browser, expect
from sqlalchemy import select

from tandem.conversations.models import Conversation
from tandem.identity.signing import sign_external_id
from tandem.shop.seed import SITUATIONS

pytestmark = [pytest.mark.asyncio, pytest.mark.browser]


def shop_page(tandem: str, external_id: str, signature: str) -> str:
    return f"""<html><body><h1>Shop</h1><ol id="heard"></ol>
<script src="{tandem}/static/sdk.js"></script>
<script>
  const chat = Tandem.init({{ language: "zh" }});
  chat.identify({{ externalId: "{external_id}", signature: "{signature}", name: "张三" }});
  for (const name of ["message", "handoff", "rated", "open", "close"]) {{
    chat.on(name, (d) => {{
      const li = document.createElement("li");
      li.textContent = name + ":" + (d.text || d.reason || d.rating || "");
      document.getElementById("heard").append(li);
    }});
  }}
  window.shopChat = chat;
</script></body></html>"""


async def test_a_shop_page_drives_the_chat_and_hears_its_events(browser: Browser, server) -> None:  # type: ignore[no-untyped-def]
    external_id = SITUATIONS["in_transit"].external_id
    signature = sign_external_id(server.services.settings.widget_secret, external_id)
    ctx = await browser.new_context(locale="zh-CN")
    page = await ctx.new_page()
    shop_url = server.url.replace("127.0.0.1", "localhost") + "/a-shop-page"
    body = shop_page(server.url, external_id, signature)
    await page.route(shop_url, lambda route: route.fulfill(body=body, content_type="text/html"))
    await page.goto(shop_url)
    heard = page.locator("#heard")

    await page.get_by_role("button", name="联系客服").click()
    frame = page.frame_locator("iframe[data-tandem=chat]")
    await expect(frame.locator("h1")).to_have_text("在线客服")
    await expect(heard).to_contain_text("open:")
    box = frame.locator("#text")
    await box.fill("你好")
    await box.press("Enter")
    await expect(heard).to_contain_text("message:你好")
    await expect(heard).to_contain_text("message:您好")

    # identify() signed the customer: the conversation is theirs, not anonymous.
    async with server.services.sessions() as session:
        owners = (await session.scalars(select(Conversation.customer_external_id))).all()
    assert list(owners) == [external_id]

    await page.evaluate("window.shopChat.setLanguage('en')")
    await expect(page.get_by_role("button", name="Chat with us")).to_be_visible()
    await expect(frame.locator("h1")).to_have_text("Customer service")
    await box.fill("human")
    await box.press("Enter")
    await expect(heard).to_contain_text("handoff:customer_request")

    async with httpx.AsyncClient(base_url=server.url) as agent:
        await agent.post(
            "/api/v1/auth/login", json={"username": "agent1", "password": "tandem-demo"}
        )
        await agent.put("/api/v1/desk/presence", json={"presence": "online"})
        [conv] = [c["id"] for c in (await agent.get("/api/v1/desk/conversations")).json()]
        r = await agent.post(
            f"/api/v1/desk/conversations/{conv}/messages", json={"text": "Hello, Lin here."}
        )
        assert r.status_code == 201, r.text
        await expect(heard).to_contain_text("message:Hello, Lin here.")
        assert (await agent.post(f"/api/v1/desk/conversations/{conv}/resolve")).status_code == 200
    rating = frame.locator(".rating")
    await expect(rating).to_be_visible()
    await rating.locator("[data-rating=satisfied]").click()
    await rating.locator("button.primary").click()
    await expect(heard).to_contain_text("rated:satisfied")

    await page.evaluate("window.shopChat.close()")
    await expect(page.locator("iframe[data-tandem=chat]")).to_be_hidden()
    await expect(heard).to_contain_text("close:")
    await ctx.close()
