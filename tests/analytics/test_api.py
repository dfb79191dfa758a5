"""The analytics API over HTTP on a real server (SQLite and PostgreSQL): who may see what,
filters, exports, clear errors; and `tandem report`."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from tandem.cli import app as cli_app
from tandem.config import Settings
from tandem.db.migrate import upgrade
from tandem.demo import seed_demo
from tandem.services import build_services
from tests.analytics.test_measures import seed

RANGE = {"from": "2026-11-23", "to": "2026-11-25"}


async def login(url: str, username: str) -> httpx.AsyncClient:
    c = httpx.AsyncClient(base_url=url, timeout=30)
    r = await c.post("/api/v1/auth/login", json={"username": username, "password": "tandem-demo"})
    assert r.status_code == 200, r.text
    return c


async def test_supervisor_sees_the_team_an_agent_only_themself(server) -> None:  # type: ignore[no-untyped-def]
    a1, a2 = await seed(server.services)
    lead = await login(server.url, "lead")
    agent = await login(server.url, "agent2")
    try:
        r = await lead.get("/api/v1/analytics/overview", params=RANGE)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["totals"]["episodes"] == 7
        assert body["range"] == {
            "from": "2026-11-23",
            "to": "2026-11-25",
            "granularity": "day",
            "timezone": "Asia/Shanghai",
        }
        assert {a["agent_id"] for a in body["agents"]} == {a1, a2}

        # Filtered to after-sale: D and E only.
        r = await lead.get("/api/v1/analytics/overview", params=RANGE | {"skill": "after_sale"})
        assert r.json()["totals"]["episodes"] == 2

        r = await agent.get("/api/v1/analytics/overview", params=RANGE)
        assert r.status_code == 403
        r = await agent.get("/api/v1/analytics/export/agents.csv", params=RANGE)
        assert r.status_code == 403
        # agent2's own figures: E only (closed 1, rated unsatisfied), whatever is asked.
        r = await agent.get("/api/v1/analytics/me", params=RANGE | {"agent": a1})
        assert r.status_code == 200, r.text
        mine = r.json()
        assert mine["agent_id"] == a2
        assert (mine["totals"]["episodes"], mine["totals"]["closed"]) == (1, 1)
        assert mine["totals"]["positive_rate"] == 0.0
        assert mine["me"]["avg_handling_seconds"] == 900.0
        assert (
            await httpx.AsyncClient(base_url=server.url).get("/api/v1/analytics/overview")
        ).status_code == 401
    finally:
        await lead.aclose()
        await agent.aclose()


async def test_exports_and_bad_input(server) -> None:  # type: ignore[no-untyped-def]
    await seed(server.services)
    lead = await login(server.url, "lead")
    try:
        r = await lead.get("/api/v1/analytics/export/intent.csv", params=RANGE)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/csv")
        assert "tandem-intent-2026-11-23_2026-11-25.csv" in r.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert {row["key"]: row["episodes"] for row in rows} == {
            "where_is_parcel": "2",
            "shipping_info": "1",
            "size": "1",
            "invoice": "1",
            "human": "1",
            "refund": "1",
        }
        assert rows[0]["handoff_by_reason.asked"] is not None

        r = await lead.get("/api/v1/analytics/export/dead_ends.xlsx", params=RANGE)
        assert r.status_code == 200
        ws = load_workbook(io.BytesIO(r.content)).active
        assert ws is not None
        values = list(ws.iter_rows(values_only=True))
        head = list(values[0])
        kinds = sorted(row[head.index("kind")] for row in values[1:])
        assert kinds == ["asked_no_person", "callback_missed"]

        for table in ("series", "skill", "agent", "channel", "agents", "failing"):
            r = await lead.get(f"/api/v1/analytics/export/{table}.csv", params=RANGE)
            assert r.status_code == 200, (table, r.text)
        # Every export is in the audit log: eight files, the intent table's six rows.
        log = (await lead.get("/api/v1/auth/audit", params={"action": "export"})).json()
        assert len(log) == 8
        first = log[-1]
        assert first["target"] == "analytics.intent.csv" and first["details"]["rows"] == 6

        r = await lead.get("/api/v1/analytics/export/nope.csv")
        assert r.status_code == 404 and "没有名为" in r.json()["message"]
        r = await lead.get("/api/v1/analytics/overview", params={"from": "23/11/2026"})
        assert r.status_code == 422 and "YYYY-MM-DD" in r.json()["message"]
        r = await lead.get(
            "/api/v1/analytics/overview", params={"from": "2026-11-25", "to": "2026-11-23"}
        )
        assert r.status_code == 422 and "晚于" in r.json()["message"]
        r = await lead.get("/api/v1/analytics/overview", params={"granularity": "month"})
        assert r.status_code == 422 and r.json()["message"].startswith("粒度")
        r = await lead.post("/api/v1/analytics/refresh")
        assert r.status_code == 200 and r.json()["conversations"] == 0
    finally:
        await lead.aclose()


def test_weekly_report_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'tandem.db'}"
    monkeypatch.setenv("TANDEM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TANDEM_DATABASE_URL", url)
    monkeypatch.setenv("TANDEM_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("TANDEM_ARGON2_MEMORY_COST", "64")

    async def prepare() -> None:
        settings = Settings()
        services = build_services(settings)
        await upgrade(settings, services.engine)
        await seed_demo(services)
        await seed(services)
        await services.engine.dispose()

    asyncio.run(prepare())
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        cli_app, ["report", "--from", "2026-11-23", "--to", "2026-11-29", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "Tandem 客服周报 2026-11-23 至 2026-11-29" in text
    # The week before (16-22 Nov) had nothing: the summary says so, and the dead ends first.
    assert "<li>死胡同 2 个" in text
    assert "AI 解决率：28.6%（上期无数据）" in text
    assert "AI 最常答不好的意图：发票（1 次）" in text
    # Self-contained: no script, style or image fetched from anywhere.
    assert (
        "<script src" not in text
        and "<link" not in text
        and "https://" not in text.split("<script>")[0]
    )

    bad = CliRunner().invoke(cli_app, ["report", "--from", "2026-11-30", "--to", "2026-11-23"])
    assert bad.exit_code == 2 and "晚于" in bad.output
