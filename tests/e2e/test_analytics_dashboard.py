"""The analytics dashboard in real headless Chromium, as a supervisor: the charts are drawn
with the right series and the figures of the hand-computed conversations (test_measures)."""

from __future__ import annotations

import os
import random
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select

from tandem.analytics import report
from tandem.analytics.refresh import refresh
from tandem.analytics.seed import history, insert_stories
from tandem.analytics.service import build_filters
from tandem.identity.models import Account
from tandem.services import Services
from tests.analytics.test_measures import seed

pytestmark = [pytest.mark.asyncio, pytest.mark.browser]
WAIT = 15_000


async def supervisor_page(browser: Browser, url: str, query: str, **ctx: object) -> Page:
    context = await browser.new_context(locale="zh-CN", **ctx)  # type: ignore[arg-type]
    r = await context.request.post(
        f"{url}/api/v1/auth/login", data={"username": "lead", "password": "tandem-demo"}
    )
    assert r.ok, await r.text()
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await page.goto(f"{url}/static/analytics.html?{query}")
    try:
        await page.wait_for_function("() => Number(document.body.dataset.drawn || 0) >= 1")
    except Exception as exc:
        shown = await page.text_content("#error")
        raise AssertionError(f"dashboard not drawn: {shown!r}, console: {errors}") from exc
    return page


async def series(page: Page, chart: str) -> list[dict[str, object]]:
    return list(
        await page.evaluate(
            f"""window.tandemCharts[{chart!r}].getOption().series.map(
                (s) => ({{name: s.name, type: s.type, stack: s.stack || null, data: s.data}}))"""
        )
    )


async def test_dashboard_draws_the_known_figures(browser: Browser, server) -> None:  # type: ignore[no-untyped-def]
    await seed(server.services)
    page = await supervisor_page(browser, server.url, "from=2026-11-23&to=2026-11-25")

    resolution = await series(page, "resolution")
    assert [s["name"] for s in resolution] == ["AI 解决率", "转人工率", "会话"]
    # The 23rd: AI resolved 2 of 7 (28.6 %), handed off 4 of 7 (57.1 %); nothing after.
    assert resolution[0]["data"] == [28.6, None, None]
    assert resolution[1]["data"] == [57.1, None, None]
    assert resolution[2]["data"] == [7, 0, 0]

    reasons = await series(page, "reasons")
    assert [s["name"] for s in reasons] == [
        "客户要求",
        "换说法重复问",
        "情绪/投诉",
        "高价值规则",
        "AI 没把握",
        "店铺政策",
        "其他",
    ]
    assert {s["stack"] for s in reasons} == {"reasons"}
    assert [s["data"][0] for s in reasons] == [2, 0, 0, 1, 1, 0, 0]

    wait = await series(page, "wait")
    assert [s["name"] for s in wait] == ["平均等待(秒)", "最长等待(秒)", "死胡同"]
    assert wait[0]["data"][0] == 180.0 and wait[1]["data"][0] == 300.0
    assert wait[2]["data"] == [2, 0, 0]

    agents = await series(page, "agents")
    assert [s["name"] for s in agents] == ["关单量", "好评率"]
    assert agents[0]["data"] == [1, 1] and sorted(agents[1]["data"]) == [0.0, 100.0]

    # Drawn for real: SVG paths in every chart, dead ends in red, the gap list linked.
    for chart in ("resolution", "reasons", "wait", "intents", "agents"):
        assert await page.locator(f"#c-{chart} svg path").count() > 3
    await expect(page.locator("#kpi-dead")).to_have_class("kpi bad")
    await expect(page.locator("#kpi-dead .v")).to_have_text("2")
    await expect(page.locator("#t-failing")).to_contain_text("能开专票吗")
    assert await page.get_attribute("#gapsLink", "href") == "/static/knowledge/index.html#gaps"
    await expect(page.locator("#t-deadends")).to_contain_text("回电超时未答")

    await page.click("#lang")
    await page.wait_for_function("() => Number(document.body.dataset.drawn) >= 2")
    names = [s["name"] for s in await series(page, "resolution")]
    assert names == ["AI resolution rate", "Hand-off rate", "Conversations"]


async def test_dashboard_on_a_phone_with_a_month_of_history(
    browser: Browser, server, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    services: Services = server.services
    today = services.clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    async with services.unit_of_work() as uow:
        agents = list((await uow.session.scalars(select(Account.id))).all())
        await insert_stories(
            uow.session,
            list(history(random.Random(7), today - timedelta(days=14), 14, 40, agents)),
        )
    end = today.date().isoformat()
    start = (today - timedelta(days=14)).date().isoformat()
    for name, viewport in (
        ("laptop", {"width": 1366, "height": 900}),
        ("phone", {"width": 390, "height": 844}),
    ):
        page = await supervisor_page(
            browser, server.url, f"from={start}&to={end}", viewport=viewport
        )
        resolution = await series(page, "resolution")
        assert len(resolution[2]["data"]) == 15
        assert sum(resolution[2]["data"]) == 14 * 40  # type: ignore[arg-type]
        # Nothing wider than the screen: the page scrolls down, never sideways.
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"]
        shot = tmp_path / f"analytics-{name}.png"
        await page.screenshot(path=str(shot), full_page=True)
        keep = os.environ.get("TANDEM_SCREENSHOT_DIR")
        if keep:
            shutil.copy(shot, Path(keep) / shot.name)


async def test_the_report_draws_its_charts_offline(browser: Browser, server) -> None:  # type: ignore[no-untyped-def]
    services: Services = server.services
    await seed(services)
    zone = services.shop.policy.service_hours.zone
    f = build_filters(zone, services.clock.now(), start="2026-11-23", end="2026-11-29")
    async with services.unit_of_work() as uow:
        await refresh(uow.session, services.clock.now(), zone)
    async with services.sessions() as session:
        text = await report.build(session, f)
    context = await browser.new_context(locale="zh-CN", offline=True)
    page = await context.new_page()
    await page.set_content(text)
    await page.wait_for_function("() => document.body.dataset.drawn === '1'")
    resolution = await series(page, "resolution")
    assert resolution[2]["data"] == [7, 0, 0, 0, 0, 0, 0]
    assert await page.locator("#c-reasons svg path").count() > 3
    await expect(page.locator("#summary li").first).to_contain_text("死胡同 2 个")
    await context.close()
