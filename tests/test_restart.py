"""A server restart loses nothing: history, state and the event log survive, and a client that
reconnects after the restart receives every event it missed."""

from __future__ import annotations

import json

import httpx
import pytest
import websockets

from tandem.config import Settings
from tandem.db.migrate import upgrade
from tandem.services import build_services
from tests.conftest import serve

pytestmark = pytest.mark.asyncio


async def test_restart_keeps_history_and_resumes_events(settings: Settings) -> None:
    first = build_services(settings)
    await upgrade(settings, first.engine)
    async with serve(settings, first) as live, httpx.AsyncClient(base_url=live.url) as client:
        opened = (await client.post("/api/v1/conversations", json={})).json()
        headers = {"Authorization": f"Bearer {opened['customer_token']}"}
        for i, text in enumerate(("你好", "人工客服")):
            r = await client.post(
                f"/api/v1/conversations/{opened['id']}/messages",
                json={"text": text, "client_msg_id": f"m{i}"},
                headers=headers,
            )
            assert r.status_code == 201
        before = (
            await client.get(f"/api/v1/conversations/{opened['id']}/messages", headers=headers)
        ).json()
    await first.engine.dispose()

    second = build_services(settings)
    async with serve(settings, second) as live, httpx.AsyncClient(base_url=live.url) as client:
        after = (
            await client.get(f"/api/v1/conversations/{opened['id']}/messages", headers=headers)
        ).json()
        assert after == before
        conv = (await client.get(f"/api/v1/conversations/{opened['id']}", headers=headers)).json()
        assert conv["state"] == "queued" and conv["queue"]["position"] == 1
        # A retry of a message sent before the restart is recognised, not stored twice.
        r = await client.post(
            f"/api/v1/conversations/{opened['id']}/messages",
            json={"text": "人工客服", "client_msg_id": "m1"},
            headers=headers,
        )
        stored = next(m for m in before["messages"] if m["client_msg_id"] == "m1")
        assert r.json()["message"] == stored
        url = f"{live.ws_url}/api/v1/conversations/{opened['id']}/events?token={opened['customer_token']}&after_seq=1"
        async with websockets.connect(url) as ws:
            seqs = []
            while not seqs or seqs[-1] < conv["last_seq"]:
                seqs.append(json.loads(await ws.recv())["seq"])
        assert seqs == list(range(2, conv["last_seq"] + 1))
    await second.engine.dispose()
