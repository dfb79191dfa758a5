"""Messages per second through the customer API on SQLite (the default), end to end.

Starts `tandem serve` in a subprocess on a fresh data directory, then drives it from this process
with C concurrent customers, each sending messages one after the other (store, decide, reply,
commit, publish). Prints one JSON object. Usage:

    .venv/bin/python -m bench.api_throughput [--messages 2000] [--concurrency 16] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.local_servers import free_port as _free_port

TEXTS = ["你好", "我的快递到哪了", "这个有优惠吗", "谢谢", "怎么开发票", "hello", "我要退货"]


async def _wait_ready(client: httpx.AsyncClient, proc: subprocess.Popen[bytes]) -> None:
    # The server is a separate process with no readiness signal but its port: poll health.
    for _ in range(600):
        if proc.poll() is not None:
            raise SystemExit("the server exited during start-up")
        try:
            if (await client.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            await asyncio.sleep(0.05)
    raise SystemExit("the server did not start in 30 s")


async def _customer(client: httpx.AsyncClient, n: int, latencies: list[float]) -> None:
    opened = (await client.post("/api/v1/conversations", json={})).json()
    headers = {"Authorization": f"Bearer {opened['customer_token']}"}
    for i in range(n):
        start = time.perf_counter()
        r = await client.post(
            f"/api/v1/conversations/{opened['id']}/messages",
            json={"text": TEXTS[i % len(TEXTS)], "client_msg_id": f"b{i}"},
            headers=headers,
        )
        latencies.append((time.perf_counter() - start) * 1000)
        if r.status_code != 201:
            raise SystemExit(f"unexpected {r.status_code}: {r.text}")


async def run(messages: int, concurrency: int, database_url: str | None) -> dict[str, object]:
    data_dir = tempfile.mkdtemp(prefix="tandem-bench-")
    port = _free_port()
    env = {
        **os.environ,
        "TANDEM_DATA_DIR": data_dir,
        "TANDEM_PORT": str(port),
        "TANDEM_LOG_LEVEL": "warning",
        "TANDEM_RATE_LIMIT_PER_MINUTE": "1000000",
    }
    if database_url:
        env["TANDEM_DATABASE_URL"] = database_url
    tandem = Path(sys.executable).parent / "tandem"
    proc = subprocess.Popen(  # noqa: ASYNC220 (started once, before the measured part)
        [str(tandem), "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            await _wait_ready(client, proc)
            latencies: list[float] = []
            per = max(1, messages // concurrency)
            start = time.perf_counter()
            await asyncio.gather(*[_customer(client, per, latencies) for _ in range(concurrency)])
            elapsed = time.perf_counter() - start
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    latencies.sort()
    return {
        "database": (database_url or "sqlite").split(":")[0],
        "messages": len(latencies),
        "concurrency": concurrency,
        "messages_per_second": round(len(latencies) / elapsed, 1),
        "latency_ms_p50": round(statistics.median(latencies), 2),
        "latency_ms_p99": round(latencies[int(len(latencies) * 0.99) - 1], 2),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    print(
        json.dumps(
            asyncio.run(run(args.messages, args.concurrency, args.database_url)), ensure_ascii=False
        )
    )


if __name__ == "__main__":
    main()
