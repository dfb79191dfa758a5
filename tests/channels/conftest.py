"""Channel tests: a real webhook receiver (uvicorn on loopback, verifying signatures with the
`standardwebhooks` package) and a real SMTP server (aiosmtpd), both of which can go down and
come back on the same port; SQLite."""

from __future__ import annotations

import asyncio
import hmac
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import Message
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from aiosmtpd.smtp import SMTP, Envelope
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tandem.config import Settings
from tandem.core.clock import Clock, FixedClock

INBOUND_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OUTBOUND_SECRET = "whsec_dGFuZGVtLW91dGJvdW5kLXNlY3JldC0xMjM0NQ=="


def _bound() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@dataclass
class Receiver:
    """The integrator's endpoint. `received` keeps each accepted POST (a duplicate webhook-id
    would show twice); `changed` is notified on every request."""

    received: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    port: int = 0
    _server: uvicorn.Server | None = None
    _task: asyncio.Task[None] | None = None
    _sock: socket.socket | None = None

    clock: Clock | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/tandem"

    def verify(self, body: bytes, headers: dict[str, str]) -> None:
        """What `Webhook.verify` checks, with "now" the app's clock: the tests run the app on a
        fixed clock (14:00 in Shanghai), so the wall clock would call every signature stale."""
        webhook = Webhook(OUTBOUND_SECRET)
        if self.clock is None:
            webhook.verify(body, headers)
            return
        sent = datetime.fromtimestamp(float(headers["webhook-timestamp"]), tz=UTC)
        if abs(sent - self.clock.now()) > timedelta(minutes=5):
            raise WebhookVerificationError("Message timestamp outside the tolerance")
        expected = webhook.sign(headers["webhook-id"], sent, body.decode()).split(",")[1]
        given = [s.split(",", 1)[1] for s in headers["webhook-signature"].split(" ")]
        if not any(hmac.compare_digest(expected, g) for g in given):
            raise WebhookVerificationError("No matching signature found")

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        try:
            self.verify(body, dict(request.headers))
        except Exception as e:  # noqa: BLE001 (the test asserts nothing was refused)
            self.refused += 1
            return JSONResponse({"error": str(e)}, status_code=400)
        async with self.changed:
            self.received.append({"id": request.headers["webhook-id"], "body": json.loads(body)})
            self.changed.notify_all()
        return JSONResponse({"ok": True})

    async def up(self) -> None:
        app = Starlette(routes=[Route("/hooks/tandem", self.handle, methods=["POST"])])
        sock = _bound()
        if self.port:
            sock.close()
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", self.port))
        sock.listen(64)
        self.port = sock.getsockname()[1]
        self._sock = sock
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))

    async def down(self) -> None:
        assert self._server is not None and self._task is not None and self._sock is not None
        self._server.should_exit = True
        await self._task
        self._sock.close()

    async def wait_for(self, predicate: Any) -> None:
        async with self.changed:
            await self.changed.wait_for(lambda: predicate(self.received))


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.changed = asyncio.Condition()

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Envelope) -> str:  # noqa: N802
        async with self.changed:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
            self.changed.notify_all()
        return "250 OK"


@dataclass
class Mailbox:
    inbox: _Inbox = field(default_factory=_Inbox)
    port: int = 0
    _server: asyncio.base_events.Server | None = None

    async def up(self) -> None:
        sock = _bound() if not self.port else socket.socket()
        if self.port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(partial(SMTP, self.inbox), sock=sock)

    async def down(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    @property
    def messages(self) -> list[Message]:
        return self.inbox.messages

    async def wait_for(self, n: int) -> None:
        async with self.inbox.changed:
            await self.inbox.changed.wait_for(lambda: len(self.inbox.messages) >= n)


@pytest.fixture
async def db_url(tmp_path: Path) -> AsyncIterator[str]:
    yield f"sqlite:///{tmp_path / 'tandem.db'}"


@pytest.fixture
async def receiver(clock: FixedClock) -> AsyncIterator[Receiver]:
    r = Receiver(clock=clock)
    await r.up()
    yield r
    if r._server is not None and not r._server.should_exit:
        await r.down()


@pytest.fixture
async def mailbox() -> AsyncIterator[Mailbox]:
    m = Mailbox()
    await m.up()
    yield m
    if m._server is not None and m._server.is_serving():
        await m.down()


@pytest.fixture
def settings(tmp_path: Path, db_url: str, receiver: Receiver, mailbox: Mailbox) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=db_url,
        argon2_time_cost=1,
        argon2_memory_cost=64,
        rate_limit_per_minute=1000,
        log_level="warning",
        webhook_inbound_secret=INBOUND_SECRET,
        webhook_outbound_url=receiver.url,
        webhook_outbound_secret=OUTBOUND_SECRET,
        # Retries in a blink, so a test waits on the events rather than the backoff.
        webhook_retry_base_seconds=0.02,
        webhook_retry_max_seconds=0.1,
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
    )
