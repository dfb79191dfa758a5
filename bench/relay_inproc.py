"""The agent's message in one process: uvicorn, the demo app and a driver sending one agent
message at a time (after 20 of warm-up); process CPU (driver included: compare versions, not
against bare) and statements per message. With DESKS, that many desk sockets are open in the
same process and every message is awaited on all of them (the fan-out). With `--calls`, the
Python function calls per message on the event loop's thread are counted (`sys.setprofile`:
a count that the machine's load does not move; the CPU figure is then inflated by the hook).

    .venv/bin/python -m bench.relay_inproc [MESSAGES] [DESKS] [--calls]
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import socket
import sys
import tempfile
import time
from typing import Any


async def main(n: int, desks: int = 0, count_calls: bool = False) -> None:
    os.environ.update(
        TANDEM_DATA_DIR=tempfile.mkdtemp(prefix="relay-inproc-"),
        TANDEM_RATE_LIMIT_PER_MINUTE="100000",
        TANDEM_NEW_CONVERSATIONS_PER_IP="1000000",
        TANDEM_LOG_LEVEL="warning",
    )
    import httpx
    import uvicorn
    from sqlalchemy import event
    from websockets.asyncio.client import connect

    from tandem.app import create_app
    from tandem.cli import _prepare
    from tandem.config import Settings
    from tandem.services import build_services

    settings = Settings()
    await _prepare(settings, demo=True)
    services = build_services(settings)
    stmts: collections.Counter[str] = collections.Counter()

    @event.listens_for(services.engine.sync_engine, "before_cursor_execute")
    def count(*args: Any) -> None:
        stmts[" ".join(args[2].split()[:4])] += 1

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    config = uvicorn.Config(create_app(settings, services), log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    # The socket listens already: the kernel queues the driver until the app has started.
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        r = await c.post(
            "/api/v1/auth/login", json={"username": "agent1", "password": "tandem-demo"}
        )
        agent = {"Authorization": "Bearer " + r.json()["token"]}
        await c.put("/api/v1/desk/presence", json={"presence": "online"}, headers=agent)
        owned = []
        for _ in range(3):
            body = (await c.post("/api/v1/conversations", json={})).json()
            customer = {"Authorization": "Bearer " + body["customer_token"]}
            url = f"/api/v1/conversations/{body['id']}/messages"
            await c.post(url, json={"text": "转人工"}, headers=customer)
            owned.append(f"/api/v1/desk/conversations/{body['id']}/messages")

        async def send(k: str, count: int) -> None:
            for i in range(count):
                msg = {"text": f"{k}{i}", "client_msg_id": f"{k}{i}"}
                r = await c.post(owned[i % 3], json=msg, headers=agent)
                assert r.status_code == 201, r.text

        ws_url = base.replace("http", "ws") + "/api/v1/desk/events?token="
        sockets = [
            await connect(ws_url + agent["Authorization"].split()[1], max_size=None)
            for _ in range(desks)
        ]
        got: collections.Counter[tuple[int, str]] = collections.Counter()
        arrived = {"w": asyncio.Event(), "m": asyncio.Event()}

        async def drain(ws: Any) -> None:
            async for raw in ws:
                event = json.loads(raw)
                text = str((event.get("data") or {}).get("text") or "")
                if event.get("type") == "message.created" and text[:1] in arrived:
                    got[id(ws), text[0]] += 1
                    want = 20 if text[0] == "w" else n
                    if min(got[id(w), text[0]] for w in sockets) >= want:
                        arrived[text[0]].set()

        async def sent_and_seen(k: str, count: int) -> None:
            await send(k, count)
            if sockets:
                await arrived[k].wait()

        drains = [asyncio.create_task(drain(ws)) for ws in sockets]
        await sent_and_seen("w", 20)
        stmts.clear()
        calls = [0]

        def counted(_frame: Any, event: str, _arg: Any) -> None:
            calls[0] += event == "call"

        cpu, wall = time.process_time(), time.perf_counter()
        if count_calls:
            sys.setprofile(counted)
        await sent_and_seen("m", n)
        sys.setprofile(None)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        for ws in sockets:
            await ws.close()  # each drain's loop ends with its socket
        await asyncio.gather(*drains, return_exceptions=True)
    print(
        f"{n} messages, {desks} desks: wall {1000 * wall / n:.2f} ms/msg, CPU {1000 * cpu / n:.2f} ms/msg"
    )
    if count_calls:
        print(f"  {calls[0] / n:.0f} Python calls per message on the loop's thread")
    for k, v in stmts.most_common(12):
        print(f"  {v / n:.2f}/msg {k}")
    server.should_exit = True
    await task


if __name__ == "__main__":
    numbers = [int(a) for a in sys.argv[1:] if a.isdigit()]
    asyncio.run(main(*(numbers + [300, 0][len(numbers) :]), count_calls="--calls" in sys.argv))
