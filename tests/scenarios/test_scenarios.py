"""Run every conversation in tests/scenarios/*.yaml through the HTTP API (README.md here)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tandem.core.clock import FixedClock
from tandem.identity.signing import sign_external_id
from tandem.shop.seed import SITUATIONS

HERE = Path(__file__).parent
SCENARIOS: list[dict[str, Any]] = [
    s for path in sorted(HERE.glob("*.yaml")) for s in yaml.safe_load(path.read_text("utf-8"))
]
AGENTS = ("agent1", "agent2")

pytestmark = pytest.mark.asyncio


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


async def _agents(base: str, n: int) -> list[httpx.AsyncClient]:
    clients = []
    for username in AGENTS[:n]:
        c = httpx.AsyncClient(base_url=base, timeout=30)
        r = await c.post(
            "/api/v1/auth/login", json={"username": username, "password": "tandem-demo"}
        )
        assert r.status_code == 200
        await c.put("/api/v1/desk/presence", json={"presence": "online"})
        clients.append(c)
    return clients


def _check(
    name: str,
    n: int,
    expect: dict[str, Any],
    result: dict[str, Any],
    decision: dict[str, Any],
    packet: Any,
) -> None:
    where = f"{name!r}, turn {n + 1}"
    replies = " ".join(r["text"] for r in result["replies"])
    payloads = [q["payload"] for r in result["replies"] for q in (r["quick_replies"] or [])]
    for key, want in expect.items():
        if key == "rule":
            assert decision["rule"] in _as_list(want), (
                f"{where}: rule {decision['rule']} not in {want}; replies: {replies}"
            )
        elif key == "action":
            assert decision["action"] in _as_list(want), (
                f"{where}: action {decision['action']} not {want}; replies: {replies}"
            )
        elif key == "state":
            assert result["conversation"]["state"] in _as_list(want), (
                f"{where}: state {result['conversation']['state']} not {want}"
            )
        elif key == "handoff_reason":
            assert decision["handoff_reason"] in _as_list(want), (
                f"{where}: reason {decision['handoff_reason']} not {want}"
            )
        elif key == "reply_contains":
            for text in _as_list(want):
                assert text in replies, f"{where}: {text!r} not in replies: {replies}"
        elif key == "reply_not_contains":
            for text in _as_list(want):
                assert text not in replies, f"{where}: {text!r} in replies: {replies}"
        elif key == "quick_reply":
            assert any(p.startswith(want) for p in payloads), (
                f"{where}: no quick reply {want!r} in {payloads}"
            )
        elif key == "ticket":
            assert bool(decision["data"].get("ticket")) == want, (
                f"{where}: ticket {decision['data'].get('ticket')}"
            )
        elif key == "priority_at_least":
            assert result["_priority"] >= want, f"{where}: priority {result['_priority']} < {want}"
        elif key == "packet_contains":
            text = str(packet)
            for fragment in _as_list(want):
                assert fragment in text, (
                    f"{where}: {fragment!r} not in the hand-off packet {text[:300]}"
                )
        elif key == "no_replies":
            assert (not result["replies"]) == want, f"{where}: replies {replies}"
        else:
            raise AssertionError(f"{where}: unknown expectation {key!r}")


_SLOT = re.compile(r"\{[a-z_]+\}")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def _every_reply(scenario: dict[str, Any], n: int, text: str) -> None:
    """What holds for every AI reply of every conversation: no unfilled slot, and the
    conversation's language (an English reply may quote a Chinese product name)."""
    where = f"{scenario['name']!r}, turn {n + 1}"
    assert not _SLOT.search(text), f"{where}: a reply with an empty slot: {text}"
    if scenario.get("language", "zh") == "zh":
        assert _CJK.search(text), f"{where}: not in Chinese: {text}"
    else:
        assert len(_LATIN.findall(text)) > len(_CJK.findall(text)), (
            f"{where}: not in English: {text}"
        )


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
async def test_scenario(scenario: dict[str, Any], server, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    if scenario.get("hours") == "after_hours":
        clock.set(clock.now() + timedelta(hours=9))  # 23:00 in Shanghai
    agents = await _agents(server.url, int(scenario.get("agents_online", 1)))
    supervisor = httpx.AsyncClient(base_url=server.url, timeout=30)
    await supervisor.post(
        "/api/v1/auth/login", json={"username": "lead", "password": "tandem-demo"}
    )
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as customer:
            body: dict[str, Any] = {"language": scenario.get("language", "zh")}
            situation = scenario.get("customer", "anonymous")
            if situation != "anonymous":
                external_id = SITUATIONS[situation].external_id
                secret = server.services.settings.widget_secret
                body["customer"] = {
                    "external_id": external_id,
                    "signature": sign_external_id(secret, external_id),
                }
            opened = (await customer.post("/api/v1/conversations", json=body)).json()
            headers = {"Authorization": f"Bearer {opened['customer_token']}"}
            last_replies: list[dict[str, Any]] = []
            for n, turn in enumerate(scenario["turns"]):
                if "tap" in turn:
                    options = [q for r in last_replies for q in (r["quick_replies"] or [])]
                    chosen = next(
                        (
                            q
                            for q in options
                            if q["payload"].startswith(turn["tap"]) or q["label"] == turn["tap"]
                        ),
                        None,
                    )
                    assert chosen is not None, (
                        f"{scenario['name']!r}, turn {n + 1}: nothing to tap like {turn['tap']!r} in {options}"
                    )
                    message = {"text": chosen["label"], "payload": chosen["payload"]}
                else:
                    message = {"text": turn["say"]}
                r = await customer.post(
                    f"/api/v1/conversations/{opened['id']}/messages", json=message, headers=headers
                )
                assert r.status_code == 201, r.text
                result = r.json()
                last_replies = result["replies"]
                for reply in last_replies:
                    _every_reply(scenario, n, reply["text"])
                detail = (await supervisor.get(f"/api/v1/desk/conversations/{opened['id']}")).json()
                decision = detail["decisions"][-1]
                result["_priority"] = detail["conversation"]["priority"]
                _check(
                    scenario["name"],
                    n,
                    turn.get("expect", {}),
                    result,
                    decision,
                    detail["conversation"].get("handoff_packet"),
                )
            texts = [m["text"] for m in detail["messages"] if m["author"] == "bot"]
            assert len(texts) == len(set(texts)), (
                f"{scenario['name']!r}: the AI repeated itself: {texts}"
            )
    finally:
        for c in (*agents, supervisor):
            await c.aclose()
