"""The dispatcher: follows the committed event log and delivers.

Woken by the realtime hub's desk topic (every conversation's events, published after commit)
when the event's conversation is followed by a channel, and by its own timer (retries, and
whatever happened while it was not running — the cursor is in the database). Which
conversations are followed is known from the database (read at start and on every timer
round) and from `follows` (a follow this process just created), so the events of the many
conversations no channel follows cost no round. The wake-up is only a hint: every round reads
the log's cursors, so a follow another instance created is served by that instance's
dispatcher at once, and by this one's next timer round at the latest.

The network is never touched inside a transaction: a delivery is claimed in one, sent
outside, and its result recorded in another.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import timedelta
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo

import aiosmtplib
import httpx

from tandem.channels import email, service
from tandem.channels.models import ChannelFollow, Delivery
from tandem.channels.signing import headers_for
from tandem.core.clock import Clock
from tandem.core.events import Sequenced
from tandem.realtime.hub import DESK_TOPIC, Overflowed, conversation_topic

log = logging.getLogger("tandem.channels")
LEASE = timedelta(seconds=60)
IDLE_SECONDS = 30.0


class Dispatcher:
    def __init__(self, services: Any, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.services = services
        self.settings = services.settings
        self.clock: Clock = services.clock
        self._wake = asyncio.Event()
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(10.0), transport=transport)
        self._task: asyncio.Task[None] | None = None
        # Conversations a channel follows (None: not read yet). Only their events wake a round.
        self._followed: set[str] | None = None
        # Tests and the supervisor page wait on this instead of sleeping.
        self.rounds = 0
        self.round_done = asyncio.Condition()

    @property
    def zone(self) -> ZoneInfo:
        zone: ZoneInfo = self.services.shop.policy.service_hours.zone
        return zone

    def wake(self) -> None:
        self._wake.set()

    def follows(self, conversation_id: str) -> None:
        """A channel follows this conversation from now on (committed): its events wake the
        dispatcher, and a round runs now."""
        if self._followed is not None:
            self._followed.add(conversation_id)
        self._wake.set()

    def wanted(self, event: Any) -> bool:
        """Whether an event from the desk topic may have something to deliver: one of a
        followed conversation (or any conversation's, before the follows are read)."""
        if not isinstance(event, Sequenced):
            return False  # a desk event (presence, the queue) or typing: never delivered
        return self._followed is None or event.conversation_id in self._followed

    def listening(self, conversation_id: str) -> bool:
        hub = self.services.hub
        return bool(hub.listening(conversation_topic(conversation_id)))

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._http.aclose()

    async def _run(self) -> None:
        while True:
            try:
                async with self.services.hub.subscribe(DESK_TOPIC) as sub:
                    waiter = asyncio.create_task(self._forward(sub))
                    try:
                        timed_out = True  # the first round reads the follows
                        while True:
                            delay = await self.pump(refresh=timed_out)
                            timed_out = False
                            try:
                                await asyncio.wait_for(self._wake.wait(), delay)
                            except TimeoutError:
                                timed_out = True
                            self._wake.clear()
                            if waiter.done():
                                break
                    finally:
                        waiter.cancel()
            except asyncio.CancelledError:
                raise
            except Exception:  # a failed round must not stop delivery for good
                log.exception("channel dispatcher round failed")
                await asyncio.sleep(1.0)

    async def _forward(self, sub: Any) -> None:
        with contextlib.suppress(Overflowed):
            while True:
                if self.wanted(await sub.get()):
                    self._wake.set()
        self._wake.set()  # fell behind: the loop re-subscribes; the log has everything

    async def pump(self, *, refresh: bool = False) -> float:
        """One round: new events into deliveries, then every due delivery. Returns how long
        to wait before the next round when nothing wakes it. `refresh`: read which
        conversations are followed too (the first round and the timer's)."""
        now = self.clock.now()
        # A round with nothing to do reads in one session.
        async with self.services.sessions() as session:
            if refresh or self._followed is None:
                self._followed = await service.followed(session)
            fresh = await service.has_new_events(session)
            due = [] if fresh else await service.due_deliveries(session, now)
            at = None if fresh or due else await service.next_due_at(session)
        if fresh:
            async with self.services.unit_of_work() as uow:
                await service.enqueue_new_events(uow.session, self.settings, self.listening, now)
            async with self.services.sessions() as session:
                due = await service.due_deliveries(session, now)
        sends = [self._attempt(d.id, d.attempts) for d in due]
        for coro in sends:
            # One at a time keeps each conversation in order and the load gentle.
            await coro
        if fresh or due:
            async with self.services.sessions() as session:
                at = await service.next_due_at(session)
        async with self.round_done:
            self.rounds += 1
            self.round_done.notify_all()
        if at is None:
            return IDLE_SECONDS
        return max(0.0, min(IDLE_SECONDS, (at - self.clock.now()).total_seconds()))

    async def _attempt(self, delivery_id: str, attempts: int) -> None:
        now = self.clock.now()
        async with self.services.unit_of_work() as uow:
            if not await service.claim(uow.session, delivery_id, attempts, now + LEASE):
                return
            delivery = await uow.session.get(Delivery, delivery_id)
            assert delivery is not None
            uow.session.expunge(delivery)
        ok, status, error = await self._send(delivery)
        async with self.services.unit_of_work() as uow:
            await service.record_attempt(
                uow.session,
                self.settings,
                delivery_id,
                ok=ok,
                status=status,
                error=error,
                now=self.clock.now(),
            )

    async def _send(self, d: Delivery) -> tuple[bool, int | None, str | None]:
        if d.channel == service.WEBHOOK:
            return await self._post(d)
        return await self._mail(d)

    async def _post(self, d: Delivery) -> tuple[bool, int | None, str | None]:
        secret = self.settings.webhook_outbound_secret
        body = json.dumps(d.payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"content-type": "application/json"}
        if secret:
            # A fresh timestamp and signature on every attempt, the same webhook-id.
            headers |= headers_for(secret, d.id, int(self.clock.now().timestamp()), body)
        else:
            headers["webhook-id"] = d.id
        try:
            r = await self._http.post(d.target, content=body, headers=headers)
        except httpx.HTTPError as e:
            return False, None, f"{type(e).__name__}: {e}"[:500]
        if 200 <= r.status_code < 300:
            return True, r.status_code, None
        return False, r.status_code, r.text[:500]

    async def _mail(self, d: Delivery) -> tuple[bool, int | None, str | None]:
        if not self.settings.smtp_host:
            return False, None, "email is not configured (set TANDEM_SMTP_HOST)"
        follow_language = await self._language(d.conversation_id)
        # The shop signs its emails with the sender's display name ("星耀数码 <service@…>").
        shop_name = parseaddr(self.settings.smtp_from)[0] or "Tandem"
        message = email.compose(d, self.settings, self.zone, follow_language, shop_name)
        try:
            await email.send(message, self.settings)
        except (aiosmtplib.SMTPException, OSError) as e:
            return False, None, f"{type(e).__name__}: {e}"[:500]
        return True, 250, None

    async def _language(self, conversation_id: str) -> str:
        async with self.services.sessions() as session:
            follow = await session.get(ChannelFollow, (conversation_id, service.EMAIL))
            return follow.language if follow is not None else "zh"

    async def wait_rounds(self, n: int = 1) -> None:
        """Until `n` more rounds have run (for tests: wait on the event, not the clock)."""
        async with self.round_done:
            target = self.rounds + n
            await self.round_done.wait_for(lambda: self.rounds >= target)
