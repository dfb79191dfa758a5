"""Secrets, sessions, headers and the audit log (issue 13), over real HTTP."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from tandem.cli import app as cli_app
from tandem.core.errors import RateLimited
from tandem.identity.models import StaffSession
from tandem.identity.throttle import LoginThrottle


async def _login(
    client: httpx.AsyncClient, username: str, password: str = "tandem-demo"
) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/login", json={"username": username, "password": password}
    )


async def test_every_page_has_security_headers(client: httpx.AsyncClient) -> None:
    for path in ("/desk", "/api/v1/desk/queue", "/static/supervisor.html", "/openapi.json"):
        r = await client.get(path)
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], path
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    # The customer chat is framed by the shop pages that embed the widget.
    r = await client.get("/chat")
    assert "frame-ancestors *" in r.headers["content-security-policy"]
    assert "x-frame-options" not in r.headers


async def test_session_cookie_is_secure_when_configured(
    client: httpx.AsyncClient, services
) -> None:  # type: ignore[no-untyped-def]
    r = await _login(client, "agent1")
    assert "secure" not in r.headers["set-cookie"].lower().split("; ")
    services.settings.cookie_secure = True
    r = await _login(client, "agent1")
    assert "secure" in r.headers["set-cookie"].lower().split("; ")


async def test_an_idle_session_ends_with_a_chinese_sign_in_again(
    client: httpx.AsyncClient, services
) -> None:  # type: ignore[no-untyped-def]
    assert (await _login(client, "agent1")).status_code == 200
    assert (await client.get("/api/v1/auth/me")).status_code == 200
    # 31 minutes without a request (the default idle limit is 30).
    async with services.unit_of_work() as uow:
        await uow.session.execute(
            update(StaffSession).values(expires_at=services.clock.now() - timedelta(minutes=1))
        )
    r = await client.get("/api/v1/desk/queue")
    assert r.status_code == 401 and "请重新登录" in r.json()["message"]


async def test_guessing_is_slowed_but_the_agent_still_signs_in(server) -> None:  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(base_url=server.url) as attacker:
        codes = [(await _login(attacker, "agent1", "wrong-guess")).status_code for _ in range(7)]
    # Five free failures, then the address must wait (429 with Retry-After), not 401 forever.
    assert codes[:5] == [401] * 5 and 429 in codes[5:]
    # The real agent, from the same address, after the delay passes (here: their own key).
    throttle = server.services.extras["login_throttle"]
    assert isinstance(throttle, LoginThrottle)
    throttle.check("agent1", "10.0.0.9")  # another address is not slowed at all


def test_throttle_delays_double_and_never_lock_out() -> None:
    t = LoginThrottle()
    for i in range(5):
        t.failed("agent1", "1.2.3.4", now=float(i))
    with pytest.raises(RateLimited) as info:
        t.check("agent1", "1.2.3.4", now=4.5)
    assert info.value.retry_after == 1  # 2**0 s after the fifth failure
    t.check("agent1", "1.2.3.4", now=5.0)  # the delay has passed: allowed to try again
    t.failed("agent1", "1.2.3.4", now=5.0)
    with pytest.raises(RateLimited):
        t.check("agent1", "1.2.3.4", now=6.0)  # now 2 s
    t.check("agent1", "1.2.3.4", now=7.0)
    t.succeeded("agent1", "1.2.3.4")
    t.check("agent1", "1.2.3.4", now=7.0)


def test_serve_refuses_the_demo_or_an_empty_widget_secret(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TANDEM_DATA_DIR", str(tmp_path))
    for secret in ("", "tandem-demo-widget-secret"):
        monkeypatch.setenv("TANDEM_WIDGET_SECRET", secret)
        result = CliRunner().invoke(cli_app, ["serve"])
        assert result.exit_code == 1
        assert "TANDEM_WIDGET_SECRET" in result.output


async def test_the_audit_log_records_logins_and_reveals_for_supervisors(server) -> None:  # type: ignore[no-untyped-def]
    async with (
        httpx.AsyncClient(base_url=server.url) as agent,
        httpx.AsyncClient(base_url=server.url) as lead,
    ):
        await _login(agent, "agent2", "nope-nope")
        assert (await _login(agent, "agent1")).status_code == 200
        assert (await agent.get("/api/v1/auth/audit")).status_code == 403
        assert (await _login(lead, "lead")).status_code == 200
        log = (await lead.get("/api/v1/auth/audit")).json()
    actions = [(e["action"], e["target"]) for e in log]
    assert ("login_failed", "agent2") in actions
    assert ("login", log[0]["target"]) == (log[0]["action"], log[0]["target"])
    assert all(e["address"] == "127.0.0.1" for e in log)
    assert sum(1 for a, _ in actions if a == "login") == 2


def test_an_account_created_from_the_command_line_is_audited(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TANDEM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TANDEM_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("TANDEM_ARGON2_MEMORY_COST", "64")
    args = ["users", "create", "--username", "xiaowu", "--password", "s3cret-pass"]
    result = CliRunner().invoke(cli_app, [*args, "--role", "supervisor"])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(tmp_path / "tandem.db") as db:
        rows = db.execute(
            "SELECT a.action, a.target, a.address, a.actor_id, a.details, c.username"
            " FROM audit_log a JOIN accounts c ON c.id = a.target"
        ).fetchall()
    assert len(rows) == 1
    action, _, address, actor, details, username = rows[0]
    assert (action, address, actor, username) == ("account_created", "cli", None, "xiaowu")
    assert json.loads(details) == {"username": "xiaowu", "role": "supervisor"}
