"""The agent's message in one process: uvicorn, the demo app and a driver sending one agent
message at a time (after 20 of warm-up); process CPU (driver included: compare versions, not
against bare) and statements per message.

    .venv/bin/python -m bench.relay_inproc [MESSAGES]
"""

from __future__ import annotations

import asyncio
import collections
import os
import socket
import sys
import tempfile
import time
from typing import Any


async def main(n: int) -> None:
    os.environ.update(
        TANDEM_DATA_DIR=tempfile.mkdtemp(prefix="relay-inproc-"),
        TANDEM_RATE_LIMIT_PER_MINUTE="100000",
        TANDEM_NEW_CONVERSATIONS_PER_IP="1000000",
        TANDEM_LOG_LEVEL="warning",
    )
    import httpx
    import uvicorn
    from sqlalchemy import event

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

        await send("w", 20)
        stmts.clear()
        cpu, wall = time.process_time(), time.perf_counter()
        await send("m", n)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{n} messages: wall {1000 * wall / n:.2f} ms/msg, CPU {1000 * cpu / n:.2f} ms/msg")
    for k, v in stmts.most_common(12):
        print(f"  {v / n:.2f}/msg {k}")
    server.should_exit = True
    await task


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
