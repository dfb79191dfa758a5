"""Real server processes (`tandem serve`, as a shop runs it), not instances in the test's own
process: two processes on PostgreSQL + Redis serve one conversation, and `kill -9` of a worker
while customers are sending loses no acknowledged message (PostgreSQL with `--workers 2`, and
SQLite with its one process)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import websockets
from bench.local_servers import free_port
from sqlalchemy import text

from tandem.config import Settings
from tandem.db.migrate import upgrade
from tandem.db.session import build_engine
from tandem.demo import seed_demo
from tandem.services import build_services
from tests.conftest import PgServer

pytestmark = pytest.mark.asyncio

TANDEM = str(Path(sys.executable).with_name("tandem"))
WIDGET_SECRET = "multi-process-test-secret-" + "9f" * 16
# Questions the demo FAQ answers and a hand-off: the customers' turns run the whole engine.
TEXTS = ["付款后几天发货", "默认发什么快递", "退货运费谁出", "能开发票吗", "有优惠券吗"]


class ServeProcess:
    """`tandem serve` in its own process group on a free loopback port."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 1) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.env, self.log, self.workers = env, log, workers
        self.proc: subprocess.Popen[bytes] | None = None

    def launch(self) -> None:
        argv = [TANDEM, "serve", "--port", str(self.port), "--workers", str(self.workers)]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                argv, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    async def start(self) -> ServeProcess:
        self.launch()
        await self.ready()
        return self

    async def ready(self) -> None:
        """Wait on the server's own health check (`/readyz`: database and Redis answer)."""
        assert self.proc is not None
        async with httpx.AsyncClient(base_url=self.url, timeout=5) as client:
            for _ in range(600):
                if self.proc.poll() is not None:
                    pytest.fail(f"tandem serve exited: {self.log.read_text()[-3000:]}")
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/readyz")).status_code == 200:
                        return
                await asyncio.sleep(0.05)  # polling a port: the process has no other signal
        pytest.fail(f"tandem serve did not become ready: {self.log.read_text()[-3000:]}")

    def workers_pids(self) -> list[int]:
        """The worker processes of a `--workers N` supervisor (not multiprocessing helpers)."""
        assert self.proc is not None
        pids = []
        for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
            for pid in (task / "children").read_text().split():
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                if b"multiprocessing.spawn" in cmdline and b"resource_tracker" not in cmdline:
                    pids.append(int(pid))
        return pids

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


@contextlib.asynccontextmanager
async def running(*servers: ServeProcess) -> AsyncIterator[None]:
    try:
        await asyncio.gather(*(s.start() for s in servers))
        yield
    finally:
        for s in servers:
            s.stop()


def _env(data_dir: Path, database_url: str | None, redis_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
    env |= {
        "TANDEM_DATA_DIR": str(data_dir),
        "TANDEM_WIDGET_SECRET": WIDGET_SECRET,
        "TANDEM_ARGON2_TIME_COST": "1",
        "TANDEM_ARGON2_MEMORY_COST": "64",
        "TANDEM_RATE_LIMIT_PER_MINUTE": "100000",
        "TANDEM_NEW_CONVERSATIONS_PER_IP": "100000",
        "TANDEM_ANALYTICS_FOLD_SECONDS": "0",
        "TANDEM_LOG_LEVEL": "warning",
    }
    if database_url:
        env["TANDEM_DATABASE_URL"] = database_url
    if redis_url:
        env["TANDEM_REDIS_URL"] = redis_url
    return env


async def _seed(data_dir: Path, database_url: str | None) -> None:
    """Migrations, demo shop, FAQ and accounts, once, before any server process starts."""
    settings = Settings(
        data_dir=data_dir,
        database_url=database_url,
        argon2_time_cost=1,
        argon2_memory_cost=64,
    )
    services = build_services(settings)
    try:
        await upgrade(settings, services.engine)
        await seed_demo(services)
    finally:
        await services.engine.dispose()


@pytest.fixture
async def pg_url(pg_server: PgServer) -> AsyncIterator[str]:
    admin = await asyncpg.connect(
        host=pg_server.host, port=pg_server.port, user=pg_server.user, database="postgres"
    )
    await admin.execute('DROP DATABASE IF EXISTS "multi_process" WITH (FORCE)')
    await admin.execute('CREATE DATABASE "multi_process"')
    try:
        yield pg_server.url("multi_process")
    finally:
        await admin.execute('DROP DATABASE IF EXISTS "multi_process" WITH (FORCE)')
        await admin.close()


async def _until(ws: Any, done: Any) -> list[dict[str, Any]]:
    """Events from `ws` up to and including the first one `done` accepts."""
    seen: list[dict[str, Any]] = []
    while not seen or not done(seen[-1]):
        seen.append(json.loads(await asyncio.wait_for(ws.recv(), 30)))
    return seen


def _is_message(author: str, text: str) -> Any:
    def done(e: dict[str, Any]) -> bool:
        data = e.get("data") or {}
        return bool(
            e["type"] == "message.created"
            and data.get("author") == author
            and data.get("text") == text
        )

    return done


@pytest.mark.postgres
@pytest.mark.redis
async def test_two_processes_serve_one_conversation(
    tmp_path: Path, pg_url: str, redis_url: str
) -> None:
    await _seed(tmp_path, pg_url)
    env = _env(tmp_path, pg_url, redis_url)
    one = ServeProcess(env, tmp_path / "one.log")
    two = ServeProcess(env, tmp_path / "two.log")
    async with (
        running(one, two),
        httpx.AsyncClient(base_url=one.url, timeout=30) as customer,
        httpx.AsyncClient(base_url=two.url, timeout=30) as agent,
    ):
        opened = (await customer.post("/api/v1/conversations", json={})).json()
        cid, token = opened["id"], opened["customer_token"]
        headers = {"Authorization": f"Bearer {token}"}
        r = await customer.post(
            f"/api/v1/conversations/{cid}/messages",
            json={"text": "转人工", "client_msg_id": "c-handoff"},
            headers=headers,
        )
        assert r.status_code == 201, r.text
        last = (await customer.get(f"/api/v1/conversations/{cid}", headers=headers)).json()
        assert last["state"] == "queued", last
        login = await agent.post(
            "/api/v1/auth/login", json={"username": "agent1", "password": "tandem-demo"}
        )
        assert login.status_code == 200, login.text
        desk_token = login.json()["token"]
        assert (await agent.put("/api/v1/desk/presence", json={"presence": "online"})).is_success
        chat_url = f"{one.ws_url}/api/v1/conversations/{cid}/events?token={token}"
        desk_url = f"{two.ws_url}/api/v1/desk/events?token={desk_token}"
        async with (
            websockets.connect(f"{chat_url}&after_seq={last['last_seq']}") as chat,
            websockets.connect(desk_url) as desk,
        ):
            await _until(desk, lambda e: e["type"] == "desk.ready")
            # Going online may already have assigned the conversation; accepting it then is
            # a no-op answered 200 or a 409 saying it is taken, by this agent.
            listed = (await agent.get("/api/v1/desk/conversations")).json()
            if cid not in [c["id"] for c in listed if c["state"] == "agent"]:
                r = await agent.post(f"/api/v1/desk/conversations/{cid}/accept")
                assert r.status_code == 200, r.text
            chat_seen: list[dict[str, Any]] = []
            desk_seen: list[dict[str, Any]] = []
            for i in range(6):
                # The customer writes on process one; the agent sees it on process two.
                text = f"第{i}个问题：{TEXTS[i % len(TEXTS)]}"
                r = await customer.post(
                    f"/api/v1/conversations/{cid}/messages",
                    json={"text": text, "client_msg_id": f"c{i}"},
                    headers=headers,
                )
                assert r.status_code == 201, r.text
                desk_seen += await _until(desk, _is_message("customer", text))
                # The agent answers on process two; the customer sees it on process one.
                reply = f"第{i}个回答"
                r = await agent.post(
                    f"/api/v1/desk/conversations/{cid}/messages",
                    json={"text": reply, "client_msg_id": f"a{i}"},
                )
                assert r.status_code == 201, r.text
                chat_seen += await _until(chat, _is_message("agent", reply))
        final = (await customer.get(f"/api/v1/conversations/{cid}", headers=headers)).json()
        history = (
            await customer.get(f"/api/v1/conversations/{cid}/messages", headers=headers)
        ).json()["messages"]

    # The customer's socket got every event in order, without a gap, up to the last reply.
    seqs = [e["seq"] for e in chat_seen]
    assert seqs == list(range(last["last_seq"] + 1, last["last_seq"] + 1 + len(seqs)))
    chat_texts = [e["data"]["text"] for e in chat_seen if e["type"] == "message.created"]
    assert [t for t in chat_texts if t.startswith("第") and "回答" in t] == [
        f"第{i}个回答" for i in range(6)
    ]
    # The desk saw each customer message of this conversation once.
    desk_customer = [
        e["data"]["text"]
        for e in desk_seen
        if e["type"] == "message.created"
        and e.get("conversation_id") == cid
        and e["data"]["author"] == "customer"
    ]
    assert desk_customer == [f"第{i}个问题：{TEXTS[i % len(TEXTS)]}" for i in range(6)]
    # Nothing lost in the database: 1 hand-off + 6 customer + 6 agent messages, once each.
    ids = [m["client_msg_id"] for m in history if m["author"] in ("customer", "agent")]
    # (the desk's own ids are kept apart from the customer's: "desk:" + the agent's id)
    expected = ["c-handoff", *(f"c{i}" for i in range(6)), *(f"desk:a{i}" for i in range(6))]
    assert Counter(ids) == Counter(expected)
    message_seqs = [m["seq"] for m in history]
    assert message_seqs == sorted(set(message_seqs))
    assert max(message_seqs) <= final["last_seq"]


# --- kill -9 under load -------------------------------------------------------------------


class Load:
    """Customers each sending their messages in turn. A message is retried with its own
    client_msg_id until it gets a 2xx (what the chat does): the server must recognise a retry
    of one it already stored. `acked` is every client_msg_id that got a 2xx."""

    def __init__(self, customers: int, per_customer: int) -> None:
        self.customers, self.per_customer = customers, per_customer
        self.acked: dict[str, set[str]] = {}
        self.failures = 0
        self.count = 0
        self.reached: dict[int, asyncio.Event] = {}

    def when(self, acks: int) -> asyncio.Event:
        return self.reached.setdefault(acks, asyncio.Event())

    async def customer(self, base: list[str], k: int) -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            while True:
                try:
                    r = await client.post(f"{base[0]}/api/v1/conversations", json={})
                except httpx.TransportError:
                    self.failures += 1
                    await self.server_back.wait()
                    continue
                if r.status_code == 201:
                    break
                self.failures += 1
            opened = r.json()
            cid, headers = opened["id"], {"Authorization": f"Bearer {opened['customer_token']}"}
            self.acked[cid] = set()
            for i in range(self.per_customer):
                body = {"text": TEXTS[(k + i) % len(TEXTS)], "client_msg_id": f"k{k}-m{i}"}
                while True:
                    try:
                        r = await client.post(
                            f"{base[0]}/api/v1/conversations/{cid}/messages",
                            json=body,
                            headers=headers,
                        )
                    except httpx.TransportError:
                        self.failures += 1
                        await self.server_back.wait()
                        continue
                    if r.is_success:
                        break
                    assert r.status_code >= 500, r.text  # never a 4xx for a valid message
                    self.failures += 1
                    await self.server_back.wait()
                self.acked[cid].add(body["client_msg_id"])
                self.count += 1
                for n, event in self.reached.items():
                    if self.count >= n:
                        event.set()

    async def run(self, base: list[str], server_back: asyncio.Event) -> None:
        self.server_back = server_back
        await asyncio.gather(*(self.customer(base, k) for k in range(self.customers)))


async def _stored_pg(url: str) -> tuple[list[Any], list[Any], list[Any]]:
    conn = await asyncpg.connect(url)
    try:
        messages = await conn.fetch(
            "SELECT conversation_id, seq, client_msg_id, author FROM messages"
        )
        events = await conn.fetch("SELECT conversation_id, seq FROM events")
        convs = await conn.fetch("SELECT id, last_seq FROM conversations")
    finally:
        await conn.close()
    return [tuple(r) for r in messages], [tuple(r) for r in events], [tuple(r) for r in convs]


def _stored_sqlite(path: Path) -> tuple[list[Any], list[Any], list[Any]]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        messages = db.execute(
            "SELECT conversation_id, seq, client_msg_id, author FROM messages"
        ).fetchall()
        events = db.execute("SELECT conversation_id, seq FROM events").fetchall()
        convs = db.execute("SELECT id, last_seq FROM conversations").fetchall()
    return messages, events, convs


def _assert_nothing_lost(load: Load, stored: tuple[list[Any], list[Any], list[Any]]) -> None:
    messages, events, convs = stored
    last_seq = dict(convs)
    assert set(load.acked) <= set(last_seq)
    for cid, acked in load.acked.items():
        assert len(acked) == load.per_customer
        customer = [m[2] for m in messages if m[0] == cid and m[3] == "customer"]
        # Every acknowledged message is stored, once (a retry is not a second message).
        assert Counter(customer) == Counter(acked), cid
        # The event log of the conversation is numbered 1..last_seq without a gap, and each
        # message sits on one of its numbers.
        seqs = sorted(e[1] for e in events if e[0] == cid)
        assert seqs == list(range(1, last_seq[cid] + 1)), cid
        message_seqs = [m[1] for m in messages if m[0] == cid]
        assert len(message_seqs) == len(set(message_seqs))
        assert set(message_seqs) <= set(seqs)


@pytest.mark.postgres
@pytest.mark.redis
async def test_kill_9_of_a_worker_loses_no_acknowledged_message_on_postgres(
    tmp_path: Path, pg_url: str, redis_url: str
) -> None:
    await _seed(tmp_path, pg_url)
    server = ServeProcess(_env(tmp_path, pg_url, redis_url), tmp_path / "serve.log", workers=2)
    load = Load(customers=8, per_customer=8)
    server_back = asyncio.Event()
    server_back.set()  # the other worker keeps serving: a failed request is retried at once
    async with running(server):
        before = server.workers_pids()
        assert len(before) == 2
        sending = asyncio.create_task(load.run([server.url], server_back))
        await load.when(16).wait()
        os.kill(before[0], signal.SIGKILL)
        await sending
        # The supervisor replaced the killed worker; the server still answers.
        after = server.workers_pids()
        assert before[0] not in after
        await server.ready()
    # The kill hit live traffic: requests on the dead worker's connections failed and were
    # retried (a run where none did would prove nothing).
    assert load.failures > 0
    stored = await _stored_pg(pg_url)
    _assert_nothing_lost(load, stored)
    # And after a restart of the whole server the history is what the customers were told.
    async with running(ServeProcess(server.env, tmp_path / "again.log")) as _:
        assert await _stored_pg(pg_url) == stored


async def test_kill_9_of_the_sqlite_process_loses_no_acknowledged_message(tmp_path: Path) -> None:
    await _seed(tmp_path, None)
    env = _env(tmp_path, None, None)
    server = ServeProcess(env, tmp_path / "serve.log")
    load = Load(customers=6, per_customer=8)
    server_back = asyncio.Event()
    base = [server.url]
    await server.start()
    try:
        sending = asyncio.create_task(load.run(base, server_back))
        server_back.set()
        await load.when(12).wait()
        # The only process dies mid-turn; requests fail until it is started again.
        server_back.clear()
        server.kill()
        assert load.count < 6 * 8
        server = ServeProcess(env, tmp_path / "restarted.log")
        base[0] = server.url
        await server.start()
        server_back.set()
        await sending
    finally:
        server.stop()
    assert load.failures > 0
    _assert_nothing_lost(load, _stored_sqlite(tmp_path / "tandem.db"))


@pytest.mark.parametrize(("setting", "pragma"), [(None, 1), ("normal", 1), ("full", 2)])
async def test_sqlite_durability_is_a_setting(
    tmp_path: Path, setting: str | None, pragma: int
) -> None:
    # NORMAL (1) by default: a process crash loses nothing (the test above); a shop that
    # cannot accept losing the last commits to a power cut sets TANDEM_SQLITE_SYNCHRONOUS=full.
    extra = {} if setting is None else {"sqlite_synchronous": setting}
    engine = build_engine(Settings(data_dir=tmp_path, **extra))
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA synchronous"))).scalar() == pragma
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
    finally:
        await engine.dispose()


async def test_a_sqlite_unit_of_work_holds_the_write_lock_from_its_first_read(
    tmp_path: Path,
) -> None:
    # The soak's "database is locked" 500s: a turn's transaction read, another connection
    # committed a write, and the turn's write then failed at once (a stale WAL snapshot cannot
    # be upgraded; no busy wait). A unit of work now takes the write lock at BEGIN, so another
    # writer waits for it instead of slipping in between.
    settings = Settings(data_dir=tmp_path, argon2_time_cost=1, argon2_memory_cost=64)
    services = build_services(settings)
    await upgrade(settings, services.engine)
    await seed_demo(services)
    try:
        async with services.unit_of_work() as uow:
            before = (await uow.session.execute(text("SELECT count(*) FROM accounts"))).scalar()
            other = sqlite3.connect(tmp_path / "tandem.db", timeout=0)
            with contextlib.closing(other), pytest.raises(sqlite3.OperationalError, match="lock"):
                other.execute("BEGIN IMMEDIATE")
            await uow.session.execute(
                text("UPDATE accounts SET display_name = display_name || '*'")
            )
        # A reader is never held up by a writer.
        async with services.sessions() as session:
            assert (await session.execute(text("SELECT count(*) FROM accounts"))).scalar() == before
        with contextlib.closing(sqlite3.connect(tmp_path / "tandem.db", timeout=0)) as other:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        await services.engine.dispose()
