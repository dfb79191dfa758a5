"""Telling waiting customers their place and wait, with work proportional to what changed.

After the queue moved (a hand-off, a round, someone leaving), `announce_waits` works from the
snapshot the round already read (one pass for the whole queue, no read per customer): every
customer's place, and an exact wait only for those whose cheap bounds on it straddle what
would be worth a message (`wait_estimates(settled=...)`); it writes a `queue.updated` event only for those whose place or
wait changed materially: near the front every step forward is news; further back a move by a
fifth of the place, or of the wait and at least a minute. As the queue drains, a customer at
place p is told again about every p/5 steps, so one change writes a handful of events however
long the queue is, never one per waiting customer.

The row locks a round takes without waiting (`lock_free`) live here too: the round and the
announcements leave a conversation another transaction is changing to that transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from tandem.conversations import service as conversations
from tandem.conversations.models import Conversation
from tandem.db.uow import UnitOfWork
from tandem.routing import queue
from tandem.routing import service as routing
from tandem.routing.models import WAITING, QueueRow
from tandem.routing.service import Snapshot

# Up to this place every step forward is worth a message ("you are next").
NEAR_FRONT = 10
# Further back, a move by this share of the place told is worth one.
POSITION_CHANGE_SHARE = 0.2
# A new wait is worth a message when it moved by this share of the old one and this much.
WAIT_CHANGE_SHARE = 0.2
WAIT_CHANGE_SECONDS = 60


def changed_materially(
    told_position: int | None, told_wait: int | None, position: int, wait: int
) -> bool:
    """Tell the customer again only when their place or wait changed enough to matter: a
    queue of a thousand is not a thousand messages per hand-off."""
    if told_position is None or told_wait is None:
        return True
    return place_moved(told_position, position) or abs(wait - told_wait) >= wait_tolerance(
        told_wait
    )


def place_moved(told_position: int, position: int) -> bool:
    """Near the front every step is news; further back, a move by a fifth of the place."""
    if position == told_position:
        return False
    if min(position, told_position) <= NEAR_FRONT:
        return True
    return abs(position - told_position) >= POSITION_CHANGE_SHARE * told_position


def wait_tolerance(told_wait: int) -> float:
    """A new wait is news when it moved by this much or more from the one told: a fifth of
    it and at least a minute."""
    return max(float(WAIT_CHANGE_SECONDS), WAIT_CHANGE_SHARE * told_wait)


async def lock_free(uow: UnitOfWork, conversation_ids: list[str]) -> set[str]:
    """Of these conversations, those this transaction can lock without waiting (PostgreSQL:
    FOR UPDATE SKIP LOCKED, in id order; SQLite has one writer, so all of them). A round
    leaves a conversation another transaction is changing to that transaction, and so never
    waits on a row another round or a customer's turn holds: rounds cannot deadlock."""
    if not conversation_ids:
        return set()
    if uow.session.get_bind().dialect.name != "postgresql":
        return set(conversation_ids)
    rows = await uow.session.scalars(
        select(Conversation.id)
        .where(Conversation.id.in_(sorted(set(conversation_ids))))
        .order_by(Conversation.id)
        .with_for_update(skip_locked=True)
    )
    return set(rows.all())


async def mark_announced(uow: UnitOfWork, conversation_id: str, position: int, wait: int) -> None:
    """The customer was just told (`position`, `wait`) by their own turn; the first thing a
    customer is told is kept as their first estimate (measured against the real wait)."""
    version = await queue.touch(uow.session)
    await uow.session.execute(
        update(QueueRow)
        .where(QueueRow.conversation_id == conversation_id, QueueRow.state == WAITING)
        .values(
            version=version,
            announced_position=position,
            announced_eta_seconds=wait,
            first_estimate_seconds=func.coalesce(QueueRow.first_estimate_seconds, wait),
        )
        .execution_options(synchronize_session=False)
    )


async def announce_waits(uow: UnitOfWork, now: datetime, snap: Snapshot | None = None) -> int:
    """Tell the waiting customers whose place or wait changed materially (see the module
    docstring), from `snap` when the caller has read the queue as it is now. Returns how many
    were told."""
    session = uow.session
    snap = snap if snap is not None else await routing.snapshot(session, now)
    news: dict[str, tuple[int, int]] = {}
    first: dict[str, int] = {}

    def shown(cid: str, position: int, eta: int | None) -> int:
        wait = routing.shown_wait(position, eta, snap)
        callback = snap.told[cid].callback_at  # a ticket's promised callback bounds the wait
        if callback is not None:
            wait = max(wait, int((callback - now).total_seconds()))
        return wait

    # Per waiting customer, read once: (place told, wait told, how far the wait may move
    # unannounced, the seconds to their ticket's callback or None); None: estimate it (never
    # told, or never given a first estimate).
    quiet: dict[str, tuple[int, int, float, int | None] | None] = {}
    for cid, was in snap.told.items():
        if was.position is None or was.eta_seconds is None or was.first_estimate_seconds is None:
            quiet[cid] = None
        else:
            callback = was.callback_at
            quiet[cid] = (
                was.position,
                was.eta_seconds,
                wait_tolerance(was.eta_seconds),
                None if callback is None else int((callback - now).total_seconds()),
            )

    def settled(cid: str, position: int, low: float, high: float) -> bool:
        """Nothing to tell whatever the wait within [low, high] (the shown wait only grows
        with the estimate, and the waits not worth a message around the one told are an
        interval): no need to estimate it."""
        if cid not in quiet:
            return True  # no waiting row yet: the round that gives it one tells it
        q = quiet[cid]
        if q is None:
            return False
        told_position, told_wait, tolerance, callback = q
        if place_moved(told_position, position):
            return False
        shortest, longest = round(low), round(high)
        if callback is not None:  # a ticket's promised callback bounds the wait
            shortest, longest = max(shortest, callback), max(longest, callback)
        return abs(shortest - told_wait) < tolerance and abs(longest - told_wait) < tolerance

    for cid, (position, eta) in routing.estimates(snap, settled).items():
        told = snap.told.get(cid)
        if told is None:
            continue  # no waiting row yet: the round that gives it one tells it
        wait = shown(cid, position, eta)
        if told.first_estimate_seconds is None:
            first[cid] = wait
        if changed_materially(told.position, told.eta_seconds, position, wait):
            news[cid] = (position, wait)
    if not news and not first:
        return 0
    # A conversation locked by another transaction gets its update from that one's round.
    free = await lock_free(uow, sorted(set(news) | set(first)))
    await _update_rows(
        uow,
        [
            {"id": snap.told[cid].row_id, "first_estimate_seconds": wait}
            for cid, wait in first.items()
            if cid in free
        ],
    )
    told_now = sorted(cid for cid in news if cid in free)
    await _update_rows(
        uow,
        [
            {
                "id": snap.told[cid].row_id,
                "announced_position": news[cid][0],
                "announced_eta_seconds": news[cid][1],
            }
            for cid in told_now
        ],
    )
    if told_now:
        found = await session.scalars(select(Conversation).where(Conversation.id.in_(told_now)))
        by_id = {c.id: c for c in found.all()}
        await conversations.append_events(
            uow,
            [
                (
                    by_id[cid],
                    "queue.updated",
                    {"position": news[cid][0], "eta_seconds": news[cid][1]},
                )
                for cid in told_now
                if cid in by_id
            ],
        )
    return len(told_now)


async def _update_rows(uow: UnitOfWork, values: list[dict[str, Any]]) -> None:
    """Several waiting rows by primary key in one executemany (stamped with the version)."""
    if values:
        version = await queue.touch(uow.session)
        await uow.session.execute(update(QueueRow), [v | {"version": version} for v in values])
