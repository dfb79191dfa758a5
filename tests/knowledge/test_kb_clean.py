"""A knowledge base that stays clean (issue 14): re-importing updates instead of duplicating,
duplicates are named in a preview, and changes reach every running server. On SQLite and
PostgreSQL (the `services` fixture runs each test on both)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from tandem.knowledge import service
from tandem.knowledge.cli import app as kb_cli
from tandem.knowledge.formats import EntryDraft
from tandem.knowledge.models import KnowledgeEntry
from tandem.services import Services, build_services

SHEET = (
    "问题,相似问法,答案,意图\n"
    "花瓶可以刻字吗？,能定制刻字吗,可以，下单时备注刻字内容，另收 10 元,product_info\n"
    "玻璃杯能进洗碗机吗？,,可以，耐温 120 度,how_to_use\n"
    "礼盒包装怎么收费？,,礼盒包装每件 5 元,gift_wrap\n"
)


async def _import(services: Services, text: str, *, preview: bool = False) -> service.ImportReport:
    async with services.unit_of_work() as uow:
        return await service.import_entries(
            uow.session,
            services.knowledge,
            text.encode("utf-8"),
            "csv",
            actor="lead",
            preview=preview,
        )


async def _count(services: Services) -> int:
    async with services.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(KnowledgeEntry)) or 0)


async def test_reimporting_the_same_sheet_updates_instead_of_duplicating(
    services: Services,
) -> None:
    before = await _count(services)
    first = await _import(services, SHEET)
    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    # An intent the shop's taxonomy lacks: imported without one, and said so.
    assert [w.row for w in first.warnings] == [4]
    assert "gift_wrap" in first.warnings[0].text("en") and "不带意图" in first.warnings[0].text()
    assert await _count(services) == before + 3

    again = await _import(services, SHEET)
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 3, [])
    assert await _count(services) == before + 3

    edited = SHEET.replace("另收 10 元", "另收 15 元").replace(
        "玻璃杯能进洗碗机吗？", "玻璃杯能进洗碗机吗"
    )
    third = await _import(services, edited)
    assert (third.created, third.updated, third.unchanged) == (0, 2, 1)
    assert await _count(services) == before + 3
    # The AI answers the imported questions with the single, updated entry.
    found = services.knowledge.search("花瓶可以刻字吗？", language="zh")
    assert found.answer is not None and "15 元" in found.answer.answer


async def test_preview_says_what_would_happen_and_writes_nothing(services: Services) -> None:
    before = await _count(services)
    sheet = (
        SHEET
        + "花瓶可以刻字吗,,重复一行,\n"  # the question of row 2 again (punctuation aside)
        + "包邮吗？,,满 99 包邮,\n"  # the demo shop's own entry asks exactly this
        + ",,没有问题,\n"
    )
    report = await _import(services, sheet, preview=True)
    assert not report.applied
    actions = {r.row: r.action for r in report.plan.rows}
    assert actions == {2: "add", 3: "add", 4: "add", 5: "duplicate", 6: "update", 7: "failed"}
    assert "row 2" in report.duplicates[0].text("en") and "第 2 行" in report.duplicates[0].text()
    assert (
        report.errors[0].text() == "问题为空"
        and report.errors[0].text("en") == "the question is empty"
    )
    assert await _count(services) == before
    assert services.knowledge.search("花瓶可以刻字吗？", language="zh").answer is None


async def test_a_near_duplicate_of_a_live_entry_is_skipped_and_named(services: Services) -> None:
    live = services.knowledge.search("包邮吗？", language="zh").answer
    assert live is not None
    report = await _import(services, "问题,答案\n请问包邮吗？,满 99 元包邮\n", preview=True)
    assert [(r.action, r.entry_id) for r in report.plan.rows] == [("duplicate", live.entry_id)]
    assert live.entry_id in report.duplicates[0].text()


async def test_entries_changed_by_another_instance_go_live_without_a_restart(
    services: Services,
) -> None:
    other = build_services(services.settings, services.clock)  # a second server, same database
    try:
        async with other.sessions() as session:
            await service.load_index(session, other.knowledge)
        assert await _catch_up(other) == 0  # nothing changed: one read, nothing applied

        draft = EntryDraft(
            question="花瓶可以刻字吗？", answer="可以刻字，另收 10 元", language="zh"
        )
        async with services.unit_of_work() as uow:
            entry = await service.create_entry(uow.session, services.knowledge, draft, actor="lead")
            entry_id = entry.id
        assert other.knowledge.get(entry_id) is None
        assert await _catch_up(other) == 1
        found = other.knowledge.search("花瓶可以刻字吗？", language="zh").answer
        assert found is not None and found.entry_id == entry_id

        async with services.unit_of_work() as uow:
            await service.set_status(
                uow.session, services.knowledge, entry_id, "retired", actor="lead"
            )
        assert await _catch_up(other) == 1
        assert other.knowledge.get(entry_id) is None
        # The writer's own index already had the change: catching up re-applies nothing.
        assert await _catch_up(services) == 0
    finally:
        await other.engine.dispose()


async def _catch_up(services: Services) -> int:
    async with services.sessions() as session:
        return await service.catch_up(session, services.knowledge)


async def test_a_cli_import_into_the_servers_database_goes_live(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TANDEM_DATABASE_URL", services.settings.database_url)
    monkeypatch.setenv("TANDEM_DATA_DIR", str(tmp_path))
    sheet = tmp_path / "faq.csv"
    sheet.write_text(SHEET + ",,缺问题,\n", encoding="utf-8")
    result = await asyncio.to_thread(CliRunner().invoke, kb_cli, ["import", str(sheet)])
    assert result.exit_code == 1, result.output  # a row failed: the exit code says so
    assert "3 added" in result.output and "1 failed" in result.output
    assert "row 5 (error): the question is empty" in result.output
    assert await _catch_up(services) == 3
    found = services.knowledge.search("玻璃杯能进洗碗机吗？", language="zh").answer
    assert found is not None and "120 度" in found.answer


async def test_with_redis_another_instance_hears_of_an_edit_at_once(
    services: Services, redis_url: str
) -> None:
    other = build_services(services.settings, services.clock)
    changed: asyncio.Queue[int] = asyncio.Queue()
    ready = [asyncio.Event(), asyncio.Event()]
    try:
        async with other.sessions() as session:
            await service.load_index(session, other.knowledge)
        # A poll interval no test would wait for: only the announcement can wake it. The
        # writing server follows through Redis too, so it announces its own commits.
        tasks = [
            asyncio.create_task(
                service.follow_changes(
                    other.sessions,
                    other.knowledge,
                    every=3600,
                    redis_url=redis_url,
                    on_change=changed.put_nowait,
                    listening=ready[0],
                )
            ),
            asyncio.create_task(
                service.follow_changes(
                    services.sessions,
                    services.knowledge,
                    every=3600,
                    redis_url=redis_url,
                    listening=ready[1],
                )
            ),
        ]
        try:
            await asyncio.gather(*(r.wait() for r in ready))
            draft = EntryDraft(question="花瓶可以刻字吗？", answer="可以刻字，另收 10 元")
            async with services.unit_of_work() as uow:
                entry = await service.create_entry(
                    uow.session, services.knowledge, draft, actor="lead"
                )
            assert await asyncio.wait_for(changed.get(), 30) == 1
            assert other.knowledge.get(entry.id) is not None
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        await other.engine.dispose()
