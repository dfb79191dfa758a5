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
