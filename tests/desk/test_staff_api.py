"""Accounts, skills, caps, teams and shifts managed by a supervisor over the API, audited."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.asyncio


async def _login(base: str, username: str, password: str = "tandem-demo") -> httpx.AsyncClient:
    c = httpx.AsyncClient(base_url=base, timeout=30)
    r = await c.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return c


async def test_supervisor_manages_accounts(server: Any) -> None:
    lead = await _login(server.url, "lead")
    agent = await _login(server.url, "agent1")
    try:
        assert (await agent.get("/api/v1/desk/staff")).status_code == 403
        r = await lead.post(
            "/api/v1/desk/staff",
            json={
                "username": "agent9",
                "display_name": "小周",
                "password": "long-enough-1",
                "skills": ["after_sale", "zh"],
                "max_concurrent": 4,
                "team": "售后一组",
                "shift": "09:00-18:00",
            },
        )
        assert r.status_code == 201, r.text
        made = r.json()
        assert (made["skills"], made["max_concurrent"], made["team"], made["shift"]) == (
            ["after_sale", "zh"],
            4,
            "售后一组",
            "09:00-18:00",
        )
        bad = await lead.patch(f"/api/v1/desk/staff/{made['id']}", json={"shift": "9-18"})
        assert bad.status_code == 422 and "班次格式" in bad.json()["message"]
        bad = await lead.patch(f"/api/v1/desk/staff/{made['id']}", json={"skills": ["cooking"]})
        assert bad.status_code == 422 and "未知技能 cooking" in bad.json()["message"]
        admin = await lead.patch(f"/api/v1/desk/staff/{made['id']}", json={"role": "admin"})
        assert admin.status_code == 403
        r = await lead.patch(
            f"/api/v1/desk/staff/{made['id']}",
            json={"max_concurrent": 6, "skills": ["logistics"], "shift": "22:00-06:00"},
        )
        assert r.status_code == 200, r.text
        assert (r.json()["max_concurrent"], r.json()["skills"], r.json()["shift"]) == (
            6,
            ["logistics"],
            "22:00-06:00",
        )
        listed = {a["username"]: a for a in (await lead.get("/api/v1/desk/staff")).json()}
        assert listed["agent9"]["team"] == "售后一组"
        # The new account signs in and the desk sees its cap.
        new = await _login(server.url, "agent9", "long-enough-1")
        assert (await new.get("/api/v1/auth/me")).json()["max_concurrent"] == 6
        await new.aclose()
        audit = (await lead.get("/api/v1/auth/audit")).json()
        entries = audit if isinstance(audit, list) else audit.get("entries", audit.get("items", []))
        changed = [
            e for e in entries if e["action"] == "account_changed" and e["target"] == made["id"]
        ]
        assert changed and changed[0]["details"]["max_concurrent"] == {"from": 4, "to": 6}
        assert any(e["action"] == "account_created" for e in entries)
    finally:
        await lead.aclose()
        await agent.aclose()


async def test_shifts_are_read_as_routing_reads_them(server: Any) -> None:
    """What a lead types is stored one way; what is no shift is a 422 in both languages, and
    nothing changes; the board says who is in shift (the test clock is 14:00 in Shanghai)."""
    lead = await _login(server.url, "lead")
    try:
        staff = {a["username"]: a for a in (await lead.get("/api/v1/desk/staff")).json()}
        aid = staff["agent1"]["id"]
        r = await lead.patch(f"/api/v1/desk/staff/{aid}", json={"shift": " 9：00～18：00 "})
        assert r.status_code == 200 and r.json()["shift"] == "09:00-18:00", r.text
        for bad in ("25:00-06:00", "09:00-09:00", "09:00-18:60", "早班"):
            r = await lead.patch(f"/api/v1/desk/staff/{aid}", json={"shift": bad})
            assert r.status_code == 422, (bad, r.text)
            zh, en = r.json()["message"].split(" / ")
            assert "班次格式" in zh and "22:00-06:00" in zh and en.startswith("A shift reads")
        listed = {a["username"]: a for a in (await lead.get("/api/v1/desk/staff")).json()}
        assert listed["agent1"]["shift"] == "09:00-18:00"
        r = await lead.patch(f"/api/v1/desk/staff/{aid}", json={"shift": "00:00-13:00"})
        assert r.status_code == 200
        board = (await lead.get("/api/v1/desk/supervisor")).json()
        standing = {a["id"]: (a["shift"], a["shift_standing"]) for a in board["agents"]}
        assert standing[aid] == ("00:00-13:00", "off_shift")
        assert standing[staff["agent2"]["id"]] == (None, None)
        # An empty shift clears it: the agent works whenever signed in.
        r = await lead.patch(f"/api/v1/desk/staff/{aid}", json={"shift": ""})
        assert r.status_code == 200 and r.json()["shift"] is None
    finally:
        await lead.aclose()
