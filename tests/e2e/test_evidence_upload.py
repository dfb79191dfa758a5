"""A customer sends a photo as evidence for a quality return in the chat; the policy counts it;
an agent sees it in the desk and approves the refund (issue 12, class 8)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Locator, Page, expect
from sqlalchemy import select, update

from tandem.identity.signing import sign_external_id
from tandem.shop.models import ShopCustomer, ShopOrder
from tests.attachments.images import photo_with_exif
from tests.e2e.test_widget_features import shots

pytestmark = [pytest.mark.asyncio, pytest.mark.browser]


async def loaded(page: Page, img: Locator) -> None:
    """Until the image has arrived and decoded (visible comes first, loaded a moment later)."""
    await page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=await img.element_handle()
    )


async def _customer_with_one_mid_price_delivery(services) -> str:  # type: ignore[no-untyped-def]
    """A demo customer whose only order was delivered within the quality window and costs
    between the refund-approval line (¥1,000) and the human-first line (¥3,000); its price is
    brought within what an agent may refund on their own (the shop policy's agent limit)."""
    now = services.clock.now()
    agent_limit = services.shop.policy.refund_limit_cents("agent")
    async with services.sessions() as session:
        orders = (await session.scalars(select(ShopOrder))).all()
        tiers = {c.external_id: c.tier for c in (await session.scalars(select(ShopCustomer))).all()}
    by_customer: dict[str, list[ShopOrder]] = {}
    for o in orders:
        by_customer.setdefault(o.customer_id, []).append(o)
    for cid, mine in sorted(by_customer.items()):
        o = mine[0]
        if (
            len(mine) == 1
            and tiers[cid] != "vip"
            and o.status == "delivered"
            and 100_000 <= o.total_cents < 300_000
            and o.delivered_at is not None
            and now - o.delivered_at < timedelta(days=14)
        ):
            async with services.unit_of_work() as uow:
                await uow.session.execute(
                    update(ShopOrder)
                    .where(ShopOrder.id == o.id)
                    .values(total_cents=min(o.total_cents, agent_limit))
                )
            return cid
    raise AssertionError("the demo shop has no such customer")


async def test_a_photo_is_evidence_for_a_quality_return_that_an_agent_approves(
    browser: Browser, server, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    external_id = await _customer_with_one_mid_price_delivery(server.services)
    signature = sign_external_id(server.services.settings.widget_secret, external_id)
    photo = tmp_path / "defect.jpg"
    photo.write_bytes(photo_with_exif(400, 300))

    customer_ctx = await browser.new_context(locale="zh-CN")
    customer = await customer_ctx.new_page()
    await customer.goto(f"{server.url}/chat?external_id={external_id}&signature={signature}")
    box = customer.locator("#text")
    await expect(box).to_be_enabled()
    await box.fill("收到的东西有质量问题，屏幕有坏点，我要退货")
    await box.press("Enter")
    await expect(customer.locator(".msg.bot").last).to_contain_text("照片")

    await customer.locator("#file").set_input_files(str(photo))
    sent = customer.locator(".msg.customer .attachment img").last
    await expect(sent).to_be_visible()
    await loaded(customer, sent)
    await expect(customer.locator(".msg.bot").last).to_contain_text("已收到凭证")

    # The parcel goes back; the shop's order page records the return tracking number through
    # the chat's self-service API (the chat cannot take it in words yet). The refund that
    # follows is over the ¥1,000 line: a proposal for a person.
    outcome = await customer.evaluate(
        """async () => {
          const s = JSON.parse(localStorage.getItem(Object.keys(localStorage).find((k) => k.startsWith("tandem.chat."))));
          const orders = await (await fetch(`/api/v1/conversations/${s.id}/orders`, { headers: { Authorization: "Bearer " + s.token } })).json();
          const r = await fetch(`/api/v1/conversations/${s.id}/orders/${orders.orders[0].order.order_id}/actions`, {
            method: "POST", headers: { Authorization: "Bearer " + s.token, "Content-Type": "application/json" },
            body: JSON.stringify({ kind: "set_return_tracking", return_tracking_number: "SF1234567890123" }) });
          return await r.json();
        }"""
    )
    assert outcome["performed"] is True
    assert outcome["follow_up"]["verdict"]["outcome"] == "needs_approval"
    await box.fill("转人工")
    await box.press("Enter")
    await expect(customer.locator("#banner")).to_contain_text("第 1 位")

    agent_ctx = await browser.new_context(locale="zh-CN")
    agent = await agent_ctx.new_page()
    await agent.goto(f"{server.url}/desk")
    await agent.fill("#username", "agent1")
    await agent.fill("#password", "tandem-demo")
    await agent.click("#login button[type=submit]")
    await expect(agent.locator("#mineCount")).to_have_text("1")
    await agent.locator("#list .item").first.click()
    evidence = agent.locator("#transcript .attachment img")
    await expect(evidence).to_have_count(1)
    await expect(evidence).to_be_visible()
    await loaded(agent, evidence)
    await expect(agent.locator("#packet [data-field=attachments] img")).to_have_count(1)
    card = agent.locator("#proposals .proposalcard").first
    await expect(card).to_be_visible()
    await card.locator("button.primary").click()
    await expect(agent.locator("#proposals")).not_to_contain_text("批准")
    # The customer hears the outcome in the chat.
    await expect(customer.locator(".msg").last).to_contain_text("退款")
    await customer.screenshot(path=str(shots(tmp_path) / "evidence-chat.png"))
    await agent.screenshot(path=str(shots(tmp_path) / "evidence-desk.png"))
    await customer_ctx.close()
    await agent_ctx.close()
