"""Load driver: customers and agents over HTTP and WebSocket against `tandem demo` (FAQ and demo
shop loaded, as a user runs it) and, in the same run, against the bare endpoint
(`bench/bare_app.py`: FastAPI + SQLAlchemy inserting one row, same uvicorn, same client).

Paths measured (msg/s, p50/p99 latency, server CPU per message):
- ai:    customers asking questions the FAQ answers, at 1 / 8 / 32 concurrent, none twice in
         one conversation (ai_turn); a turn that hands off anyway is counted ("handed off");
- mix:   32 concurrent customers, one in five asks for a person and keeps writing while queued,
         two agents answer and resolve;
- relay: an agent's messages delivered to 1 and 12 open desks (WebSocket fan-out);
- in-process: the product's own customer turn (`take_customer_turn`) on the same demo, in one
  process with no HTTP, one turn at a time: the reference of the AI path's CPU target (server
  CPU per message <= in-process turn + 2 x bare's).

    .venv/bin/python -m bench.load [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parent.parent
# Questions the demo FAQ answers, worded as shoppers write them (not the FAQ's own wording).
AI_TEXTS = [
    "亲 付款后一般几天发货呀",
    "你们默认发什么快递",
    "退货的运费谁来出",
    "能开发票吗",
    "7天无理由退货怎么算的",
    "how long does delivery take?",
    "可以指定顺丰吗",
    "有没有优惠券",
]


def ai_turn(worker: int, k: int) -> tuple[int, str]:
    """A worker's k-th AI-path message: (which of its conversations, text). Each conversation
    says each of AI_TEXTS once and the next message opens the next conversation: a question
    asked again in one conversation is a hand-off (`repeated_problem`), not the AI path.
    Worker i starts at text i, so concurrent workers do not all ask the same thing."""
    return k // len(AI_TEXTS), AI_TEXTS[(worker + k) % len(AI_TEXTS)]


def ai_conversations(per_worker: int) -> int:
    """How many conversations a worker of `per_worker` AI-path messages needs (ai_turn)."""
    return -(-per_worker // len(AI_TEXTS))


FOLLOW_UPS = ["还在吗", "我等了好久了", "订单号是多少你们查一下", "快点好吗"]
PASSWORD = "tandem-demo"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


@dataclass
class Result:
    target: str
    path: str
    concurrency: int
    messages: int
    seconds: float
    msg_per_s: float
    p50_ms: float
    p99_ms: float
    cpu_ms_per_msg: float
    errors: int
    # The mix's agents: requests that failed (after one retry) or were refused.
    agent_errors: int = 0
    # Requests sent again after a connection the server had closed (Tandem.request).
    retries: int = 0
    # AI-path messages whose turn handed the conversation to a person: not the AI path.
    handed_off: int = 0


class Server:
    """A server process on a free loopback port, stopped on exit."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.name = name
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.argv = [a.replace("{port}", str(self.port)) for a in argv]
        self.env = env
        self.cwd = cwd
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Path:
        log = self.cwd / f"{self.name}.log"
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                self.argv, env=self.env, cwd=self.cwd, stdout=out, stderr=subprocess.STDOUT
            )
        return log

    async def __aenter__(self) -> Server:
        log = self.start()
        async with httpx.AsyncClient(base_url=self.base, timeout=2) as client:
            # A separate process whose only readiness signal is its port: poll health.
            for _ in range(1200):
                if self.proc.poll() is not None:
                    raise SystemExit(f"{self.name} exited during start-up: see {log}")
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/healthz")).status_code == 200:
                        return self
                await asyncio.sleep(0.1)
        raise SystemExit(f"{self.name} did not start in 120 s")

    async def __aexit__(self, *exc: object) -> None:
        assert self.proc is not None
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid


async def _measure(
    server: Server,
    path: str,
    concurrency: int,
    worker: Callable[[int, list[float], list[int]], Awaitable[None]],
) -> Result:
    latencies: list[float] = []
    errors = [0]
    cpu0, t0 = _cpu_seconds(server.pid), time.perf_counter()
    await asyncio.gather(*(worker(i, latencies, errors) for i in range(concurrency)))
    seconds = time.perf_counter() - t0
    cpu = _cpu_seconds(server.pid) - cpu0
    n = max(len(latencies), 1)
    ordered = sorted(latencies) or [0.0]
    return Result(
        target=server.name,
        path=path,
        concurrency=concurrency,
        messages=len(latencies),
        seconds=round(seconds, 2),
        msg_per_s=round(len(latencies) / seconds, 1),
        p50_ms=round(statistics.median(ordered), 1),
        p99_ms=round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1),
        cpu_ms_per_msg=round(1000 * cpu / n, 2),
        errors=errors[0],
    )


# --- bare ---------------------------------------------------------------------------------


async def bare_ai(server: Server, concurrency: int, per_worker: int) -> Result:
    async with httpx.AsyncClient(base_url=server.base, timeout=60) as client:

        async def worker(i: int, lat: list[float], err: list[int]) -> None:
            for k in range(per_worker):
                t = time.perf_counter()
                r = await client.post(
                    "/messages", json={"conversation": f"c{i}", "text": AI_TEXTS[k % 8]}
                )
                lat.append(1000 * (time.perf_counter() - t))
                err[0] += r.status_code != 201

        return await _measure(server, "ai", concurrency, worker)


async def _listeners(url: str, count: int, headers: dict[str, str] | None = None) -> list[Any]:
    sockets = [await connect(url, additional_headers=headers, max_size=None) for _ in range(count)]
    for ws in sockets:
        while json.loads(await ws.recv()).get("type") not in ("ready", "desk.ready"):
            pass
    return sockets


async def _drain(ws: Any, expected: set[str], key: Callable[[dict[str, Any]], str | None]) -> int:
    """Read events until every expected one arrived; give up after 60 s without one (or when
    the server closed the socket). Returns how many never arrived (counted as errors)."""
    while expected:
        try:
            k = key(json.loads(await asyncio.wait_for(ws.recv(), 60)))
        except (TimeoutError, ConnectionClosed):
            break
        if k is not None:
            expected.discard(k)
    return len(expected)


async def bare_relay(server: Server, desks: int, messages: int) -> Result:
    ws_url = server.base.replace("http", "ws") + "/events"
    sockets = await _listeners(ws_url, desks)
    texts = [f"relay-{i}" for i in range(messages)]
    async with httpx.AsyncClient(base_url=server.base, timeout=60) as client:

        async def worker(i: int, lat: list[float], err: list[int]) -> None:
            for text in texts[i::8]:
                t = time.perf_counter()
                r = await client.post("/messages", json={"conversation": f"c{i % 3}", "text": text})
                lat.append(1000 * (time.perf_counter() - t))
                err[0] += r.status_code != 201

        async def all_delivered(i: int, lat: list[float], err: list[int]) -> None:
            if i == 0:
                missing = await asyncio.gather(
                    *(_drain(ws, set(texts), lambda e: str(e.get("text"))) for ws in sockets)
                )
                err[0] += sum(missing)
            else:
                await worker(i - 1, lat, err)

        result = await _measure(server, f"relay×{desks}", 9, all_delivered)
    for ws in sockets:
        await ws.close()
    return result


# --- tandem -------------------------------------------------------------------------------


class Tandem:
    """The driver's customers and agents, over one HTTP client. A request that meets a
    connection the server closed as idle (the keep-alive race every HTTP client meets:
    httpx.ReadError, RemoteProtocolError) is sent again once; an idempotent one (a message
    with its client_msg_id) is safe to repeat, and `retries` counts them."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.serial = itertools.count()
        self.retries = 0

    async def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        try:
            return await self.client.request(method, url, **kw)
        except httpx.TransportError as exc:
            if isinstance(exc, httpx.TimeoutException):
                raise
            self.retries += 1
            return await self.client.request(method, url, **kw)

    async def open(self) -> tuple[str, dict[str, str]]:
        r = await self.client.post("/api/v1/conversations", json={})
        r.raise_for_status()
        body = r.json()
        return body["id"], {"Authorization": f"Bearer {body['customer_token']}"}

    async def say(
        self, cid: str, headers: dict[str, str], text: str, msg_id: str | None = None
    ) -> httpx.Response:
        return await self.request(
            "POST",
            f"/api/v1/conversations/{cid}/messages",
            json={"text": text, "client_msg_id": msg_id or f"m{next(self.serial)}"},
            headers=headers,
        )

    async def login(self, username: str, presence: str) -> dict[str, str]:
        r = await self.client.post(
            "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
        )
        r.raise_for_status()
        headers = {"Authorization": f"Bearer {r.json()['token']}"}
        p = await self.client.put(
            "/api/v1/desk/presence", json={"presence": presence}, headers=headers
        )
        p.raise_for_status()
        return headers


async def tandem_ai(server: Server, concurrency: int, per_worker: int) -> Result:
    async with httpx.AsyncClient(base_url=server.base, timeout=60) as client:
        t = Tandem(client)
        # Opened before the measure: the figures are the messages' cost only.
        opened = [
            [await t.open() for _ in range(ai_conversations(per_worker))]
            for _ in range(concurrency)
        ]
        handed_off = [0]

        async def worker(i: int, lat: list[float], err: list[int]) -> None:
            for k in range(per_worker):
                n, text = ai_turn(i, k)
                cid, headers = opened[i][n]
                start = time.perf_counter()
                state = await _said(t, cid, headers, text)
                lat.append(1000 * (time.perf_counter() - start))
                err[0] += state is None
                handed_off[0] += state not in (None, "bot")

        result = await _measure(server, "ai", concurrency, worker)
        result.retries = t.retries
        result.handed_off = handed_off[0]
        return result


async def _said(t: Tandem, cid: str, headers: dict[str, str], text: str) -> str | None:
    """One customer message: the conversation's state after it if it was acknowledged (201),
    else None. A transport error that survives the retry is a failed message, counted by the
    caller, not the end of the run."""
    try:
        r = await t.say(cid, headers, text)
    except httpx.TransportError:
        return None
    return str(r.json()["conversation"]["state"]) if r.status_code == 201 else None


async def _agent_loop(
    t: Tandem, headers: dict[str, str], stop: asyncio.Event, errors: Counter[str]
) -> None:
    """An agent who answers and resolves each conversation assigned to them, until `stop`.
    A request that fails even when sent again (`Tandem.request`) is counted in `errors` and
    the agent goes on: a benchmark's agent must outlive a broken connection."""
    done: set[str] = set()

    async def call(method: str, url: str, **kw: Any) -> httpx.Response | None:
        try:
            r = await t.request(method, url, headers=headers, **kw)
        except httpx.TransportError as exc:
            errors[f"agent: {type(exc).__name__}"] += 1
            return None
        if r.status_code >= 400:
            errors[f"agent: {r.status_code}"] += 1
        return r

    while not stop.is_set():
        r = await call("GET", "/api/v1/desk/conversations")
        listed = r.json() if r is not None and r.status_code == 200 else []
        mine = [c["id"] for c in listed if c["id"] not in done]
        for cid in mine:
            reply = {"text": "您好，我来帮您处理", "client_msg_id": f"a{next(t.serial)}"}
            await call("POST", f"/api/v1/desk/conversations/{cid}/messages", json=reply)
            resolved = await call("POST", f"/api/v1/desk/conversations/{cid}/resolve")
            if resolved is not None and resolved.status_code < 400:
                done.add(cid)
        if not mine:
            # A person reading the queue, not a wait for an event the test depends on.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.5)


async def tandem_mix(server: Server, concurrency: int, conversations: int) -> Result:
    async with httpx.AsyncClient(base_url=server.base, timeout=120) as client:
        t = Tandem(client)
        agents = [await t.login(name, "online") for name in ("agent1", "agent2")]
        stop = asyncio.Event()
        agent_errors: Counter[str] = Counter()
        loops = [asyncio.create_task(_agent_loop(t, h, stop, agent_errors)) for h in agents]

        async def worker(i: int, lat: list[float], err: list[int]) -> None:
            for n in range(i, conversations, concurrency):
                cid, headers = await t.open()
                script = [AI_TEXTS[n % 8], AI_TEXTS[(n + 3) % 8]]
                if n % 5 == 0:
                    script = [AI_TEXTS[n % 8], "转人工", FOLLOW_UPS[n % 4], FOLLOW_UPS[(n + 1) % 4]]
                for text in script:
                    start = time.perf_counter()
                    state = await _said(t, cid, headers, text)
                    lat.append(1000 * (time.perf_counter() - start))
                    err[0] += state is None

        try:
            result = await _measure(server, "mix", concurrency, worker)
        finally:
            stop.set()
            await asyncio.gather(*loops)
            for h in agents:
                await t.request(
                    "PUT", "/api/v1/desk/presence", json={"presence": "offline"}, headers=h
                )
        result.agent_errors = sum(agent_errors.values())
        result.retries = t.retries
        return result


async def tandem_relay(server: Server, desks: int, messages: int) -> Result:
    async with httpx.AsyncClient(base_url=server.base, timeout=60) as client:
        t = Tandem(client)
        agent = await t.login("agent1", "online")

        # Conversations the earlier paths handed off may already fill the agent's slots (the
        # queue refills them as soon as one ends): relay through those, topped up to three.
        async def held() -> list[str]:
            listed = (await client.get("/api/v1/desk/conversations", headers=agent)).json()
            return [c["id"] for c in listed if c["state"] == "agent"]

        owned = (await held())[:3]
        while len(owned) < 3:
            cid, headers = await t.open()
            await t.say(cid, headers, "转人工")
            if cid not in await held():
                r = await client.post(f"/api/v1/desk/conversations/{cid}/accept", headers=agent)
                if r.status_code != 200:
                    raise RuntimeError(f"relay: agent1 could not take {cid}: {r.text}")
            owned.append(cid)
        ws_url = server.base.replace("http", "ws") + "/api/v1/desk/events?token="
        ws_url += agent["Authorization"].split()[1]
        sockets = await _listeners(ws_url, desks)
        texts = [f"relay-{i}" for i in range(messages)]

        def key(e: dict[str, Any]) -> str | None:
            data = e.get("data") or {}
            return str(data.get("text")) if e.get("type") == "message.created" else None

        async def worker(i: int, lat: list[float], err: list[int]) -> None:
            if i == 0:
                err[0] += sum(
                    await asyncio.gather(*(_drain(ws, set(texts), key) for ws in sockets))
                )
                return
            for k, text in enumerate(texts[i - 1 :: 8]):
                start = time.perf_counter()
                try:
                    r = await t.request(
                        "POST",
                        f"/api/v1/desk/conversations/{owned[k % 3]}/messages",
                        json={"text": text, "client_msg_id": f"r{next(t.serial)}"},
                        headers=agent,
                    )
                    ok = r.status_code == 201
                except httpx.TransportError:
                    ok = False
                lat.append(1000 * (time.perf_counter() - start))
                err[0] += not ok

        try:
            result = await _measure(server, f"relay×{desks}", 9, worker)
            result.retries = t.retries
            return result
        finally:
            for ws in sockets:
                await ws.close()
            for cid in owned:
                await client.post(f"/api/v1/desk/conversations/{cid}/resolve", headers=agent)
            await client.put("/api/v1/desk/presence", json={"presence": "offline"}, headers=agent)


# --- in-process ---------------------------------------------------------------------------


async def _in_process(turns: int) -> Result:
    """`take_customer_turn` on the demo (migrated and seeded as `tandem demo` does), in this
    process, no HTTP: eight slots taking turns with the AI path's questions, each on a new
    conversation every len(AI_TEXTS) questions (ai_turn), all opened first. Two rounds warm up
    first; CPU is this process's (every thread), per turn."""
    from tandem.config import Settings
    from tandem.conversations.schemas import OpenConversationIn, SendMessageIn
    from tandem.conversations.service import open_conversation
    from tandem.db.migrate import upgrade
    from tandem.demo import seed_demo
    from tandem.services import build_services
    from tandem.turns.service import take_customer_turn

    settings = Settings()
    services = build_services(settings)
    await upgrade(settings, services.engine)
    await seed_demo(services)
    warm, measured = 2, max(1, turns // 8)
    slots = []
    for _ in range(8):
        opened = []
        for _ in range(ai_conversations(warm + measured)):
            async with services.unit_of_work() as uow:
                c, token = await open_conversation(uow, settings, OpenConversationIn())
            opened.append((c.id, token))
        slots.append(opened)
    serial = itertools.count()
    latencies: list[float] = []
    handed_off = 0

    async def rounds(ks: range) -> None:
        nonlocal handed_off
        for k in ks:
            for i, opened in enumerate(slots):
                n, text = ai_turn(i, k)
                cid, token = opened[n]
                start = time.perf_counter()
                turn = await take_customer_turn(
                    services,
                    services.turn_deps,
                    services.turn_gate,
                    cid,
                    token,
                    SendMessageIn(text=text, client_msg_id=f"m{next(serial)}"),
                )
                latencies.append(1000 * (time.perf_counter() - start))
                handed_off += turn.conversation.state != "bot"

    try:
        await rounds(range(warm))
        latencies.clear()
        handed_off = 0
        cpu0, t0 = time.process_time(), time.perf_counter()
        await rounds(range(warm, warm + measured))
        seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    finally:
        await services.engine.dispose()
    ordered = sorted(latencies)
    return Result(
        target="in-process",
        path="ai",
        concurrency=1,
        messages=len(ordered),
        seconds=round(seconds, 2),
        msg_per_s=round(len(ordered) / seconds, 1),
        p50_ms=round(statistics.median(ordered), 1),
        p99_ms=round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1),
        cpu_ms_per_msg=round(1000 * cpu / len(ordered), 2),
        errors=0,
        handed_off=handed_off,
    )


def in_process_ai(work: Path, env: dict[str, str], turns: int) -> Result:
    """The in-process turn in a process of its own, with the server's environment (its own
    data directory under `work`), so neither this driver nor a server shares its CPU."""
    data = work / "in-process"
    # The caller's PYTHONPATH first: a baseline run (`git archive` of another commit on
    # PYTHONPATH) measures that commit's turn here too, not the installed checkout's.
    path = os.pathsep.join(p for p in (env.get("PYTHONPATH"), str(ROOT)) if p)
    out = subprocess.run(
        [sys.executable, "-m", "bench.load", "--in-process", str(turns)],
        env={**env, "TANDEM_DATA_DIR": str(data), "PYTHONPATH": path},
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    )
    return Result(**json.loads(out.stdout.strip().splitlines()[-1]))


# --- the run ------------------------------------------------------------------------------


def _servers(work: Path) -> Iterator[Server]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
    python = sys.executable
    yield Server(
        "bare",
        [
            python,
            "-m",
            "uvicorn",
            "bench.bare_app:app",
            "--port",
            "{port}",
            "--log-level",
            "warning",
        ],
        {
            **env,
            "PYTHONPATH": str(ROOT),
            "BARE_DATABASE_URL": f"sqlite+aiosqlite:///{work}/bare.db",
        },
        work,
    )
    tandem_env = {
        **env,
        "TANDEM_DATA_DIR": str(work / "tandem"),
        "TANDEM_RATE_LIMIT_PER_MINUTE": "100000",
        # Every simulated customer comes from this one address: the per-address limit on new
        # conversations (30 a minute by default, tested in the suite) would stop the run.
        "TANDEM_NEW_CONVERSATIONS_PER_IP": "1000000",
        "TANDEM_LOG_LEVEL": "warning",
    }
    tandem = str(Path(python).with_name("tandem"))
    yield Server("tandem", [tandem, "demo", "--port", "{port}"], tandem_env, work)


def _tandem_env(work: Path) -> dict[str, str]:
    return next(s for s in _servers(work) if s.name == "tandem").env


async def run(quick: bool) -> list[Result]:
    per = 20 if quick else 60
    conversations = 64 if quick else 192
    relay_messages = 120 if quick else 400
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="tandem-load-") as tmp:
        work = Path(tmp)
        bare, tandem = _servers(work)
        async with bare:
            for c in (1, 8, 32):
                results.append(await bare_ai(bare, c, max(per // max(c // 4, 1), 10)))
            for d in (1, 12):
                results.append(await bare_relay(bare, d, relay_messages))
            results.append(await bare_ai(bare, 32, 4))
            results[-1].path = "mix"
        results.append(in_process_ai(work, _tandem_env(work), 80 if quick else 240))
        async with tandem:
            for c in (1, 8, 32):
                results.append(await tandem_ai(tandem, c, max(per // max(c // 4, 1), 10)))
            for d in (1, 12):
                results.append(await tandem_relay(tandem, d, relay_messages))
            results.append(await tandem_mix(tandem, 32, conversations))
    return results


def _table(results: list[Result]) -> str:
    bare = {(r.path, r.concurrency): r for r in results if r.target == "bare"}
    lines = [
        "| path | concurrency | Tandem msg/s | p50 / p99 ms | CPU ms/msg | bare msg/s | bare p50 / p99 ms | bare CPU ms/msg | ratio | errors |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if r.target != "tandem":
            continue
        b = bare.get((r.path, r.concurrency))
        ratio = f"{r.msg_per_s / b.msg_per_s:.2f}" if b and b.msg_per_s else "—"
        bare_cols = (
            f"{b.msg_per_s} | {b.p50_ms} / {b.p99_ms} | {b.cpu_ms_per_msg}" if b else "— | — | —"
        )
        lines.append(
            f"| {r.path} | {r.concurrency} | {r.msg_per_s} | {r.p50_ms} / {r.p99_ms} | "
            f"{r.cpu_ms_per_msg} | {bare_cols} | {ratio} | {_errors(r)} |"
        )
    return "\n".join(lines)


def _errors(r: Result) -> str:
    """Failed messages, then the agents' failed requests and the requests sent again."""
    extra = [
        f"{r.agent_errors} agent" * bool(r.agent_errors),
        f"{r.retries} retried" * bool(r.retries),
        f"{r.handed_off} handed off" * bool(r.handed_off),
    ]
    return " + ".join([str(r.errors), *filter(None, extra)])


def _targets(results: list[Result]) -> str:
    """Each target of issue 17 this run measures, with its figures and whether it is met."""
    by = {(r.target, r.path, r.concurrency): r for r in results}
    inproc = by.get(("in-process", "ai", 1))
    lines = []
    for c in (1, 8, 32):
        t, b = by.get(("tandem", "ai", c)), by.get(("bare", "ai", c))
        if t and b and inproc:
            bound = inproc.cpu_ms_per_msg + 2 * b.cpu_ms_per_msg
            met = "met" if t.cpu_ms_per_msg <= bound else "NOT met"
            lines.append(
                f"- ai at {c}: server CPU {t.cpu_ms_per_msg} ms/msg <= in-process turn "
                f"{inproc.cpu_ms_per_msg} + 2 x bare {b.cpu_ms_per_msg} = {bound:.2f}: {met}"
            )
    for d in (1, 12):
        t, b = by.get(("tandem", f"relay×{d}", 9)), by.get(("bare", f"relay×{d}", 9))
        if t and b and b.msg_per_s:
            ratio = t.msg_per_s / b.msg_per_s
            met = "met" if ratio >= 0.5 else "NOT met"
            lines.append(f"- relay to {d} desk(s): {ratio:.2f} x bare >= 0.5: {met}")
    mix = by.get(("tandem", "mix", 32))
    if mix:
        met = "met" if mix.p99_ms <= 300 else "NOT met"
        lines.append(f"- mix at 32: p99 {mix.p99_ms} ms <= 300 ms: {met}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer messages (about a minute)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument(
        "--in-process",
        type=int,
        metavar="TURNS",
        help="only the in-process turn (TANDEM_DATA_DIR from the environment), as JSON",
    )
    args = parser.parse_args()
    if args.in_process:
        print(json.dumps(asdict(asyncio.run(_in_process(args.in_process)))))
        return
    results = asyncio.run(run(args.quick))
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} cores; "
        f"load average {os.getloadavg()[0]:.1f}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    print(_table(results))
    by = {(r.target, r.path): r for r in results}
    if ("in-process", "ai") in by:
        r = by[("in-process", "ai")]
        print(
            f"\nin-process AI turn (take_customer_turn, no HTTP, one at a time): "
            f"{r.cpu_ms_per_msg} ms CPU, p50 {r.p50_ms} ms, p99 {r.p99_ms} ms, {r.messages} turns, "
            f"{r.handed_off} handed off"
        )
    print("\ntargets (issue 17):\n" + _targets(results))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2))


if __name__ == "__main__":
    main()
