"""Authorisation, endpoint by endpoint and caller by caller (SQLite and PostgreSQL): nobody,
customer A (whose conversation it is), customer B, the agent who owns the chat, another
agent, a supervisor and an admin. Each cell says who gets in; everyone else gets 401 (no staff
session) or 403 (signed in, not allowed)."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from tandem.identity.models import AuditEntry
from tandem.identity.service import create_account
from tandem.services import Services
from tandem.shop.seed import demo_customers

ROLES = ("nobody", "customer_a", "customer_b", "owner", "other_agent", "supervisor", "admin")
STAFF_SUP = {"supervisor", "admin"}
OWNER_SUP = {"owner", "supervisor", "admin"}
ALL_STAFF = {"owner", "other_agent", "supervisor", "admin"}


async def _staff(server: Any, username: str, password: str = "tandem-demo") -> dict[str, str]:
    async with httpx.AsyncClient(base_url=server.url) as c:
        r = await c.post("/api/v1/auth/login", json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        token = r.json()["token"]
        await c.put(
            "/api/v1/desk/presence",
            json={"presence": "online"},
            headers={"Authorization": f"Bearer {token}"},
        )
        return {"Authorization": f"Bearer {token}"}


async def test_every_endpoint_by_every_caller(server: Any, services: Services) -> None:
    async with services.unit_of_work() as uow:
        await create_account(
            uow.session, services.hasher, username="root", password="root-pass", role="admin"
        )
        shoppers = await demo_customers(uow.session, services.settings.widget_secret)
    a_entry, b_entry = shoppers["unshipped"], shoppers["in_transit"]
    headers: dict[str, dict[str, str]] = {"nobody": {}}
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as c:
        headers["owner"] = await _staff(server, "agent1")
        conversations = {}
        for who, entry in (("customer_a", a_entry), ("customer_b", b_entry)):
            r = await c.post(
                "/api/v1/conversations",
                json={
                    "customer": {
                        "external_id": entry["external_id"],
                        "signature": entry["signature"],
                    }
                },
            )
            conversations[who] = r.json()["id"]
            headers[who] = {"Authorization": f"Bearer {r.json()['customer_token']}"}
        cid = conversations["customer_a"]
        r = await c.post(
            f"/api/v1/conversations/{cid}/messages",
            json={"text": "人工"},
            headers=headers["customer_a"],
        )
        assert r.json()["conversation"]["state"] == "agent"
        headers["other_agent"] = await _staff(server, "agent2")
        headers["supervisor"] = await _staff(server, "lead")
        headers["admin"] = await _staff(server, "root", "root-pass")
        mid = r.json()["message"]["id"]
        order = a_entry["order_id"]

        # (method, path, body, who gets in)
        cells: list[tuple[str, str, dict[str, Any] | None, set[str]]] = [
            ("GET", f"/api/v1/conversations/{cid}", None, {"customer_a"}),
            ("GET", f"/api/v1/conversations/{cid}/messages", None, {"customer_a"}),
            ("GET", f"/api/v1/conversations/{cid}/orders", None, {"customer_a"}),
            ("GET", "/api/v1/desk/queue", None, ALL_STAFF),
            ("GET", "/api/v1/desk/conversations", None, ALL_STAFF),
            ("GET", f"/api/v1/desk/conversations/{cid}", None, OWNER_SUP),
            ("GET", f"/api/v1/desk/conversations/{cid}/copilot", None, OWNER_SUP),
            ("POST", f"/api/v1/desk/conversations/{cid}/messages/{mid}/reveal", {}, OWNER_SUP),
            ("GET", f"/api/v1/desk/conversations/{cid}/reveals", None, STAFF_SUP),
            ("GET", f"/api/v1/desk/conversations/{cid}/orders", None, OWNER_SUP),
            ("GET", f"/api/v1/desk/conversations/{cid}/orders/{order}", None, OWNER_SUP),
            ("GET", f"/api/v1/desk/conversations/{cid}/shop-actions", None, OWNER_SUP),
            (
                "POST",
                f"/api/v1/desk/conversations/{cid}/orders/{order}/actions",
                {"kind": "urge_shipping"},
                OWNER_SUP,
            ),
            (
                "POST",
                f"/api/v1/shop/orders/{order}/actions",
                {
                    "customer_id": a_entry["external_id"],
                    "conversation_id": cid,
                    "request": {"kind": "urge_shipping"},
                },
                OWNER_SUP,
            ),
            (
                "POST",
                f"/api/v1/shop/orders/{order}/actions",
                {"customer_id": a_entry["external_id"], "request": {"kind": "urge_shipping"}},
                STAFF_SUP,
            ),
            ("GET", f"/api/v1/shop/orders/{order}/actions", None, STAFF_SUP),
            ("GET", f"/api/v1/shop/proposals?conversation_id={cid}", None, OWNER_SUP),
            ("GET", "/api/v1/shop/proposals", None, ALL_STAFF),
            ("GET", "/api/v1/shop/policy", None, ALL_STAFF),
            ("GET", "/api/v1/desk/agents", None, ALL_STAFF),
            ("GET", "/api/v1/desk/me/figures", None, ALL_STAFF),
            ("GET", "/api/v1/desk/supervisor", None, STAFF_SUP),
            ("POST", "/api/v1/desk/assign", None, STAFF_SUP),
            ("GET", "/api/v1/auth/audit", None, STAFF_SUP),
            ("GET", "/api/v1/auth/me", None, ALL_STAFF),
            ("GET", "/api/v1/kb/export?format=csv", None, STAFF_SUP),
        ]
        wrong: list[str] = []
        for method, path, body, allowed in cells:
            for who in ROLES:
                r = await c.request(method, path, json=body, headers=headers[who])
                assert r.status_code < 500, (method, path, who, r.text)
                let_in = r.status_code not in (401, 403, 404) or (
                    r.status_code == 404 and who in allowed
                )
                if let_in != (who in allowed):
                    wrong.append(f"{method} {path} as {who}: {r.status_code} {r.text[:120]}")
                if who == "nobody":
                    assert r.status_code in (401, 403) or who in allowed
        assert not wrong, "\n".join(wrong)
    print(f"endpoint x role cases: {len(cells) * len(ROLES)}")
    # The acts that went through are in the audit log.
    async with services.sessions() as session:
        actions = set((await session.scalars(select(AuditEntry.action))).all())
    assert {"login", "reveal", "order_action", "export"} <= actions
